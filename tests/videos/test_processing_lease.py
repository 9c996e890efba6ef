"""A processing attempt holds its video with a lease: a dead attempt is taken over (at once
when its own message comes back), a live one is left alone, and a video is made ready once."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import make_video
from tests.media import needs_media_edge
from videos import services
from videos.models import Video
from videos.tasks import process_video

pytestmark = [pytest.mark.django_db, needs_media_edge]


def held(video, *, lease_in: float, task_id: str = "task-of-the-first-attempt"):
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.PROCESSING,
        processing_attempts=1,
        processing_started_at=timezone.now(),
        processing_attempt_id="a" * 32,
        processing_task_id=task_id,
        processing_lease_until=timezone.now() + timedelta(seconds=lease_in),
    )


def test_the_redelivered_message_of_a_dead_attempt_processes_at_once(alice):
    # The drill: the worker's pool process is killed mid-transcode; Celery delivers the same
    # message (same task id) again while the dead attempt's lease still runs.
    video = make_video(alice)
    held(video, lease_in=25)

    process_video.apply(args=[video.pk], task_id="task-of-the-first-attempt")

    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.processing_attempts == 2
    assert video.processing_lease_until is None


def test_another_message_leaves_a_live_attempt_alone(alice):
    video = make_video(alice)
    held(video, lease_in=25)

    process_video.apply(args=[video.pk], task_id="a-second-message")

    video.refresh_from_db()
    assert video.status == Video.Status.PROCESSING
    assert video.processing_attempts == 1
    assert video.processing_attempt_id == "a" * 32


def test_an_attempt_whose_lease_expired_is_taken_over(alice):
    video = make_video(alice)
    held(video, lease_in=-1)

    process_video.apply(args=[video.pk], task_id="the-sweep-s-message")

    video.refresh_from_db()
    assert video.status == Video.Status.READY


def test_the_sweep_requeues_expired_leases_only(alice, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    dead, alive = make_video(alice, title="Dead"), make_video(alice, title="Alive")
    held(dead, lease_in=-1)
    held(alive, lease_in=25)

    requeued = services.videos_requeue_stalled()

    assert requeued == [dead.pk]
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == Video.Status.READY
    assert alive.status == Video.Status.PROCESSING


def test_an_attempt_taken_over_meanwhile_does_not_make_the_video_ready(
    alice, monkeypatch, django_capture_on_commit_callbacks, settings
):
    video = make_video(alice)
    real_transcode = services.transcode

    def taken_over_while_transcoding(*args, **kwargs):
        result = real_transcode(*args, **kwargs)
        Video.objects.filter(pk=video.pk).update(processing_attempt_id="b" * 32)
        return result

    monkeypatch.setattr(services, "transcode", taken_over_while_transcoding)

    with django_capture_on_commit_callbacks(execute=True):
        services.video_process(video_id=video.pk, task_id="slow-attempt")

    video.refresh_from_db()
    assert video.status == Video.Status.PROCESSING  # the new holder makes it ready, once
    assert video.processed_at is None
    # Its outputs are gone from both storages (a draft's files are in the private one).
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        assert not list(Path(root).rglob("*.m3u8"))


@pytest.mark.django_db(transaction=True)
def test_the_lease_is_renewed_while_the_attempt_works(alice, monkeypatch, settings):
    settings.VIDEO_PROCESSING_LEASE_S = 0.6  # renewed every 0.2 s
    video = make_video(alice)
    real_transcode = services.transcode
    leases = []

    def slow_transcode(*args, **kwargs):
        for _ in range(4):
            time.sleep(0.25)
            leases.append(Video.objects.get(pk=video.pk).processing_lease_until)
        return real_transcode(*args, **kwargs)

    monkeypatch.setattr(services, "transcode", slow_transcode)

    services.video_process(video_id=video.pk)

    assert len(set(leases)) >= 3  # moved forward while the transcode ran
    assert leases == sorted(leases)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
