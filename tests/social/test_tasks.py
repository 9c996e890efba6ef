"""The periodic social work is scheduled, and the schedule names tasks that exist."""

from celery.schedules import crontab
from django.conf import settings

from microvid.celery import app


def test_digest_and_reconcile_are_on_the_beat_schedule():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["social-daily-digest"]["task"] == "social.tasks.send_daily_digests"
    assert schedule["social-daily-digest"]["schedule"] == crontab(hour=7, minute=0)
    assert schedule["social-reconcile-counts"]["task"] == "social.tasks.reconcile_social_counts"
    assert schedule["social-reconcile-counts"]["schedule"] == crontab(hour=3, minute=30)


def test_scheduled_tasks_are_registered():
    app.loader.import_default_modules()

    for name in ("social-daily-digest", "social-reconcile-counts"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks
