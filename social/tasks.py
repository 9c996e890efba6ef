"""Periodic social work (both are registered in CELERY_BEAT_SCHEDULE, see docs/social.md)."""

from celery import shared_task

from social import services


@shared_task(soft_time_limit=600, time_limit=660)
def send_daily_digests() -> int:
    """Idempotent: a user who already had today's digest is skipped."""
    return services.digests_send_due()


@shared_task(soft_time_limit=600, time_limit=660)
def reconcile_social_counts() -> int:
    return services.social_counts_reconcile()
