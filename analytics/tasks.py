from celery import shared_task

from analytics import services


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3300)
def rollup_stats():
    """Incremental and idempotent: safe to run late, twice, or after a crash."""
    days = services.stats_rollup()
    services.raw_events_purge()
    return days
