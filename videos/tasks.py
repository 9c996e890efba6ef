from celery import shared_task
from django.conf import settings

from videos import services
from videos.transcode import TransientTranscodeError


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientTranscodeError,),
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=settings.VIDEO_PROCESSING_MAX_ATTEMPTS - 1,
    soft_time_limit=settings.VIDEO_PROCESSING_TIMEOUT_S + 60,
    time_limit=settings.VIDEO_PROCESSING_TIMEOUT_S + 120,
)
def process_video(self, video_id: int) -> None:
    """Transcode one video (idempotent: a ready video is left alone)."""
    services.video_process(
        video_id=video_id, final_attempt=self.request.retries >= self.max_retries
    )


@shared_task
def requeue_stalled_videos() -> int:
    """Periodic: pick up videos whose processing was lost with a crashed worker."""
    return len(services.videos_requeue_stalled())


@shared_task
def publish_scheduled_videos() -> int:
    """Periodic: publish the drafts whose scheduled time has come."""
    return len(services.videos_publish_due())
