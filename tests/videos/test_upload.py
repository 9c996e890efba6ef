"""Uploading, processing and managing videos through the site, on real FFmpeg."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import csrf_post
from tests.media import MEDIA_EDGE, needs_media_edge
from videos.models import Video

pytestmark = [
    pytest.mark.django_db,
    needs_media_edge,
]

REFUSED = {
    "too_long_90s.mp4": "only clips up to 60 seconds can be trimmed",
    "truncated_no_moov.mp4": "damaged",
    "empty.mp4": "The file is empty.",
    "text_renamed.mp4": "not a video",
    "image_renamed.mov": "not a video",
    "audio_only.mp4": "no video",
    "mkv_renamed.mp4": "not accepted",
    "avi_renamed.mov": "not accepted",
    "tiny_96x96.mp4": "shorter side must be at least 144 pixels",
}
ACCEPTED_HINT = "MP4, MOV or WebM"


def media(name, upload_name=None):
    return SimpleUploadedFile(upload_name or name, (MEDIA_EDGE / name).read_bytes())


def upload(client, name, *, upload_name=None, htmx=False, **fields):
    data = {
        "title": "A clip",
        "description": "",
        "visibility": "public",
        "comments_enabled": "on",
        "file": media(name, upload_name),
        **fields,
    }
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return csrf_post(client, reverse("videos:upload"), data, **headers)


def stored_files():
    # Public and private media (uploaded originals are private), by their storage names.
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)]
    return sorted(
        p.relative_to(root).as_posix() for root in roots for p in root.rglob("*") if p.is_file()
    )


@pytest.fixture
def processed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the queued processing task) of what happens inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_upload_is_processed_into_a_ladder_then_previewed_and_published(client, alice, processed):
    client.force_login(alice)

    with processed():
        response = upload(
            client, "ok_square_no_audio_2s.mp4", title="Square", description="Hi #Cats @bob"
        )

    video = Video.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("videos:manage", args=[video.short_id])
    assert video.status == Video.Status.READY
    assert video.published_at is None
    assert (video.width, video.height) == (720, 720)
    assert not video.has_audio
    assert [r.height for r in video.renditions.all()] == [240, 360, 480, 720]
    assert list(video.hashtags.values_list("name", flat=True)) == ["cats"]
    files = stored_files()
    assert video.source.name in files
    for name in (video.hls_master, video.mp4, video.poster):
        assert name in files
    assert all(r.playlist in files for r in video.renditions.all())

    page = client.get(response["Location"]).content.decode()
    assert "Ready. Publish it now or schedule it" in page
    assert f'data-hls="/media/{video.hls_master}"' in page
    assert "4 quality levels" in page

    response = csrf_post(client, reverse("videos:publish", args=[video.short_id]))
    video.refresh_from_db()
    assert response.status_code == 302
    assert video.published_at is not None


def test_htmx_upload_redirects_through_a_header(client, alice, processed):
    client.force_login(alice)

    with processed():
        response = upload(client, "ok_square_no_audio_2s.mp4", htmx=True)

    video = Video.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("videos:manage", args=[video.short_id])


def test_htmx_refusal_returns_the_form_fragment_with_the_error(client, alice):
    client.force_login(alice)

    response = upload(client, "text_renamed.mp4", htmx=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<form id="upload-form"')
    assert "not a video" in page
    assert not Video.objects.exists()


@pytest.mark.parametrize(("name", "message"), REFUSED.items(), ids=list(REFUSED))
def test_bad_files_are_refused_with_a_clear_message_and_nothing_stored(
    client, alice, name, message
):
    client.force_login(alice)

    response = upload(client, name, title="Keep my title")

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert ACCEPTED_HINT in page
    assert 'value="Keep my title"' in page  # the rest of the form is not lost
    assert not Video.objects.exists()
    assert stored_files() == []


def test_long_clip_waits_for_a_start_time_then_is_trimmed(client, alice, processed):
    client.force_login(alice)
    response = upload(client, "long_30s_trimmable.mp4", title="Long")

    video = Video.objects.get()
    assert video.status == Video.Status.NEEDS_TRIM
    page = client.get(response["Location"]).content.decode()
    assert "Your clip is 30.0 seconds long" in page
    assert "From 0 to 25.0" in page

    response = csrf_post(client, reverse("videos:trim", args=[video.short_id]), {"start": "26"})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 25.0" in response.content.decode()

    with processed():
        csrf_post(client, reverse("videos:trim", args=[video.short_id]), {"start": "12"})
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.trim_start == 12
    assert video.duration == pytest.approx(5.0, abs=0.1)


def test_long_clip_with_a_start_time_is_accepted_at_once(client, alice, processed):
    client.force_login(alice)

    with processed():
        upload(client, "long_6s.mp4", start="0.5")

    video = Video.objects.get()
    assert video.status == Video.Status.READY
    assert video.duration == pytest.approx(5.0, abs=0.1)


def test_upload_needs_login(client):
    response = upload(client, "ok_square_no_audio_2s.mp4")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Video.objects.exists()
    assert stored_files() == []


def test_too_long_title_is_refused_and_nothing_stored(client, alice):
    client.force_login(alice)

    response = upload(client, "ok_square_no_audio_2s.mp4", title="x" * 101)

    assert "at most 100 characters" in response.content.decode()
    assert not Video.objects.exists()
    assert stored_files() == []


def test_oversized_file_is_refused_while_it_streams_in(client, alice, settings):
    settings.VIDEO_MAX_UPLOAD_BYTES = settings.MAX_UPLOAD_BYTES = 100_000
    client.force_login(alice)

    response = upload(client, "ok_vertical_1080x1920_5s.mp4")

    page = response.content.decode()
    assert "The file is too large." in page
    assert "up to 97.7\xa0KB" in page
    assert 'value="A clip"' in page  # the rest of the form was still read
    assert not Video.objects.exists()
    assert stored_files() == []


def test_second_submit_of_the_same_form_makes_one_video(client, alice, processed):
    client.force_login(alice)
    with processed():
        first = upload(client, "ok_square_no_audio_2s.mp4", upload_token="token-1")
        second = upload(client, "ok_square_no_audio_2s.mp4", upload_token="token-1")

    assert Video.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_path_traversal_file_name_is_never_used(client, alice, processed):
    client.force_login(alice)

    with processed():
        upload(client, "ok_square_no_audio_2s.mp4", upload_name="../../../etc/passwd.mp4")

    video = Video.objects.get()
    assert video.source.name == f"uploads/{video.short_id}-{video.storage_token}/source"
    assert all(".." not in name and "passwd" not in name for name in stored_files())


def test_processing_failure_is_shown_with_a_reason(client, alice, settings, processed):
    from tests.media import clear_ffmpeg_binary_cache

    settings.FFMPEG_BINARY = "/bin/false"
    clear_ffmpeg_binary_cache()
    client.force_login(alice)
    try:
        with processed():
            response = upload(client, "ok_square_no_audio_2s.mp4")
    finally:
        clear_ffmpeg_binary_cache()

    video = Video.objects.get()
    assert video.status == Video.Status.FAILED
    assert "We could not process this video" in video.failure_reason
    page = client.get(response["Location"]).content.decode()
    assert "We could not process this video" in page
    assert [n for n in stored_files() if n.startswith("videos/")] == []
