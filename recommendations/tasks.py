from celery import shared_task
from django.conf import settings

from recommendations import services


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3300)
def train_model() -> str | None:
    """Periodic (beat): train and publish a new For You model version."""
    if not settings.RECS_ENABLED:
        return None
    row = services.rec_model_train()
    return row.version if row else None
