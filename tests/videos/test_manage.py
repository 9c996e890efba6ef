"""Managing videos: only the creator (and staff) can see drafts, edit, publish, trim, delete."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import csrf_post
from tests.factories import make_video
from tests.media import needs_media_edge
from videos import services
from videos.models import Video

pytestmark = [
    pytest.mark.django_db,
    needs_media_edge,
]


def output_files(video):
    roots = [Path(settings.MEDIA_ROOT) / "videos", Path(settings.PRIVATE_MEDIA_ROOT) / "private"]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def ready_video(alice):
    video = make_video(alice)
    return services.video_process(video_id=video.pk)


ACTIONS = [
    ("get", "videos:manage", {}),
    ("get", "videos:edit", {}),
    ("post", "videos:edit", {"title": "Hacked", "visibility": "public"}),
    ("post", "videos:publish", {}),
    ("post", "videos:trim", {"start": "1"}),
    ("get", "videos:delete", {}),
    ("post", "videos:delete", {}),
]


@pytest.mark.parametrize(
    ("method", "name", "data"), ACTIONS, ids=[f"{m}-{n}" for m, n, _ in ACTIONS]
)
def test_another_user_gets_404_and_nothing_changes(client, ready_video, carol, method, name, data):
    client.force_login(carol)
    url = reverse(name, args=[ready_video.short_id])

    response = client.get(url) if method == "get" else csrf_post(client, url, data)

    assert response.status_code == 404
    video = Video.objects.get(pk=ready_video.pk)
    assert video.title == "Mine"
    assert video.published_at is None
    assert output_files(video)


def test_signed_out_visitor_is_sent_to_log_in(client, ready_video):
    response = client.get(reverse("videos:manage", args=[ready_video.short_id]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_can_manage_any_video(client, ready_video, mod):
    client.force_login(mod)

    assert client.get(reverse("videos:manage", args=[ready_video.short_id])).status_code == 200


def test_creator_edits_details_and_hashtags_follow(client, ready_video, alice, bob):
    client.force_login(alice)

    response = csrf_post(
        client,
        reverse("videos:edit", args=[ready_video.short_id]),
        {"title": "New title", "description": "With @bob #Dogs #dogs", "visibility": "unlisted"},
    )

    assert response.status_code == 302
    video = Video.objects.get(pk=ready_video.pk)
    assert (video.title, video.visibility, video.comments_enabled) == (
        "New title",
        "unlisted",
        False,
    )
    assert list(video.hashtags.values_list("name", flat=True)) == ["dogs"]
    assert list(video.mentions.all()) == [bob]


def test_edit_refuses_a_too_long_description(client, ready_video, alice):
    client.force_login(alice)

    response = csrf_post(
        client,
        reverse("videos:edit", args=[ready_video.short_id]),
        {"title": "Fine", "description": "x" * 501, "visibility": "public"},
    )

    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    assert Video.objects.get(pk=ready_video.pk).title == "Mine"


def test_publishing_a_video_that_is_not_ready_is_refused(client, alice):
    video = make_video(alice)  # still "uploaded"
    client.force_login(alice)

    response = csrf_post(client, reverse("videos:publish", args=[video.short_id]), follow=True)

    assert "Only a processed video can be published." in response.content.decode()
    assert Video.objects.get(pk=video.pk).published_at is None


def test_delete_removes_rows_and_every_file(
    client, ready_video, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert output_files(ready_video)

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(client, reverse("videos:delete", args=[ready_video.short_id]))

    assert response.status_code == 302
    assert not Video.objects.exists()
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)]
    assert [p for root in roots for p in root.rglob("*") if p.is_file()] == []


def test_processing_twice_leaves_one_clean_set(alice, django_capture_on_commit_callbacks):
    video = make_video(alice)
    services.video_process(video_id=video.pk)
    first = output_files(video)

    services.video_process(video_id=video.pk)  # already ready: nothing to do
    assert output_files(video) == first

    # Reprocessing writes a new set, switches to it, then deletes the old one.
    with django_capture_on_commit_callbacks(execute=True):
        services.video_reprocess(video=video, by=alice)
    video.refresh_from_db()
    second = output_files(video)
    assert video.status == Video.Status.READY
    assert len(second) == len(first)
    assert all("/v2/" in str(path) for path in second)


def test_stalled_processing_is_picked_up_again(alice):
    video = make_video(alice)
    long_ago = timezone.now() - timedelta(hours=2)
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.PROCESSING, processing_started_at=long_ago, processing_attempts=1
    )

    requeued = services.videos_requeue_stalled()

    assert requeued == [video.pk]
    video.refresh_from_db()
    assert video.status == Video.Status.READY


def test_stalled_video_out_of_attempts_is_marked_failed(alice, settings):
    video = make_video(alice)
    Video.objects.filter(pk=video.pk).update(
        status=Video.Status.PROCESSING,
        processing_started_at=timezone.now() - timedelta(hours=2),
        processing_attempts=settings.VIDEO_PROCESSING_MAX_ATTEMPTS,
    )

    services.videos_requeue_stalled()

    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert "We could not process this video" in video.failure_reason


def test_studio_lists_only_my_videos(client, alice, bob):
    make_video(alice, title="Alice's clip")
    make_video(bob, title="Bob's clip")
    client.force_login(alice)

    page = client.get(reverse("videos:studio")).content.decode()

    assert "Alice&#x27;s clip" in page
    assert "Bob" not in page.split("<main", 1)[1]


VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello <b>there</b>\n"


def test_creator_adds_and_removes_captions(client, ready_video, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    url = reverse("videos:captions", args=[ready_video.short_id])

    response = csrf_post(
        client, url, {"captions": SimpleUploadedFile("c.vtt", VTT), "language": "es"}
    )

    assert response.status_code == 302
    video = Video.objects.get(pk=ready_video.pk)
    assert video.captions_language == "es"
    assert video.captions.read() == VTT
    watch = client.get(f"/v/{video.short_id}") if video.is_published else None
    assert watch is None or 'kind="captions"' in watch.content.decode()

    csrf_post(client, url, {"remove": "1"})
    assert not Video.objects.get(pk=ready_video.pk).captions


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"1\n00:00:00,000 --> 00:00:01,000\nSRT, not VTT\n", "not a WebVTT captions file"),
     (b"WEBVTT\n\n\xff\xfe broken", "not UTF-8"),
     (b"WEBVTT\n" + b"x" * 300_000, "too large")],
    ids=["srt", "not-utf8", "too-large"],
)  # fmt: skip
def test_bad_captions_are_refused(client, ready_video, alice, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    response = csrf_post(
        client,
        reverse("videos:captions", args=[ready_video.short_id]),
        {"captions": SimpleUploadedFile("c.vtt", content), "language": "en"},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Video.objects.get(pk=ready_video.pk).captions


def test_another_user_cannot_add_captions(client, ready_video, carol):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(carol)
    response = csrf_post(
        client,
        reverse("videos:captions", args=[ready_video.short_id]),
        {"captions": SimpleUploadedFile("c.vtt", VTT), "language": "en"},
    )

    assert response.status_code == 404
    assert not Video.objects.get(pk=ready_video.pk).captions
