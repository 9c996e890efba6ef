from celery import shared_task
from celery.signals import worker_ready
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
    """Transcode one video (idempotent: ready exactly once, see services.video_process)."""
    services.video_process(
        video_id=video_id,
        final_attempt=self.request.retries >= self.max_retries,
        task_id=self.request.id or "",
    )


@shared_task
def requeue_stalled_videos() -> int:
    """Periodic: pick up videos whose processing was lost with a crashed worker."""
    return len(services.videos_requeue_stalled())


@worker_ready.connect
def _pick_up_work_of_dead_workers(sender=None, **kwargs):
    # A worker that starts may be replacing one that died mid-transcode: its message waits
    # for the broker's visibility timeout, but the video's lease expires within
    # VIDEO_PROCESSING_LEASE_S. Sweep now (older losses) and once that lease has run out.
    requeue_stalled_videos.delay()
    requeue_stalled_videos.apply_async(countdown=settings.VIDEO_PROCESSING_LEASE_S + 5)
