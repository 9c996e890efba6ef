"""Queueing a video's processing: the one place that hands work to the Celery task.

The task is named, not imported: `videos.tasks` imports the services, so the services
importing the task back made a loop. The task is registered when the app is ready
(`VideosConfig.ready`), so the lookup by name also honours `task_always_eager` (tests).
"""

from celery import current_app
from django.db import transaction

PROCESS_VIDEO_TASK = "videos.tasks.process_video"


def queue_processing(video_id: int, *, after_commit: bool = True) -> None:
    """Queue the processing of the video: once the current transaction commits (so that the
    worker finds the row), or at once with `after_commit=False`."""

    def send():
        current_app.tasks[PROCESS_VIDEO_TASK].delay(video_id)

    if after_commit:
        transaction.on_commit(send)
    else:
        send()
