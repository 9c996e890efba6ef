from celery import shared_task

from moderation import services


@shared_task(acks_late=True)
def send_moderator_digest():
    """Email the moderators the reports filed since the last digest (hourly, see settings)."""
    return services.moderator_digest_send()
