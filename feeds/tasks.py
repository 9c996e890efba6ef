from celery import shared_task

from feeds import services


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def recompute_trending() -> int:
    """Periodic: refresh every public video's stored trending score."""
    return services.trending_recompute()
