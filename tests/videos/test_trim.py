"""The trim step of a clip longer than 5 seconds: a strip of frames to choose the start from
(radio buttons without JavaScript), kept private like every draft's files, and the clip
trimmed to the 5 seconds from the chosen start."""

import io
import re
from pathlib import Path

import av
import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.conftest import csrf_post
from tests.media import MEDIA_EDGE, clear_ffmpeg_binary_cache, needs_media_edge
from videos import services
from videos.models import Video
from videos.probe import probe_upload
from videos.transcode import extract_frames

pytestmark = [pytest.mark.django_db, needs_media_edge]

LONG = "long_30s_trimmable.mp4"  # 30 s, 360x640: starts from 0 to 25 s keep 5 seconds


def upload(client, name=LONG, **fields):
    data = {
        "title": "Long",
        "description": "",
        "visibility": "public",
        "comments_enabled": "on",
        "file": SimpleUploadedFile(name, (MEDIA_EDGE / name).read_bytes()),
        **fields,
    }
    return csrf_post(client, reverse("videos:upload"), data)


def fetch(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def frame_urls(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]+/trim/frame-\d+\.jpg)"', page)


@pytest.fixture
def waiting(client, alice):
    """Alice's 30-second clip, uploaded without a start time: waiting for one."""
    client.force_login(alice)
    upload(client)
    return Video.objects.get()


@pytest.fixture
def processed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_long_clip_gets_a_strip_of_frames_in_private_storage(waiting):
    assert waiting.status == Video.Status.NEEDS_TRIM
    # Whole seconds, evenly spread over the starts that keep 5 seconds (0 to 25), ten at most.
    assert [frame["time"] for frame in waiting.trim_frames] == [0, 3, 6, 9, 12, 15, 18, 21, 24]
    for frame in waiting.trim_frames:
        # Private whatever the visibility (this draft is to be public): a draft's frames.
        assert frame["name"].startswith(f"private/videos/{waiting.short_id}-")
        path = Path(settings.PRIVATE_MEDIA_ROOT) / frame["name"]
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert image.size == (frame["width"], frame["height"]) == (136, 240)
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


def test_frame_times_are_whole_seconds_and_at_most_ten():
    assert services.trim_frame_times(6.0) == [0, 1]
    assert services.trim_frame_times(5.4) == [0]
    assert services.trim_frame_times(12.5) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert services.trim_frame_times(60.0) == [0, 7, 14, 21, 28, 35, 42, 49]
    assert len(services.trim_frame_times(14.0)) == 10


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("ok_rotated90_gps_3s.mov", (136, 240)),  # stored landscape, displayed portrait
        ("ok_landscape_1920x1080_60fps_4s.mp4", (426, 240)),
        ("ok_vp9_opus_720x1280_5s.webm", (136, 240)),
    ],
)
def test_frames_are_upright_small_jpegs_of_the_displayed_picture(tmp_path, name, size):
    probe = probe_upload(MEDIA_EDGE / name)

    paths = extract_frames(MEDIA_EDGE / name, tmp_path, probe=probe, times=[0.0, 1.0, 2.0])

    assert [path.name for path in paths] == ["frame-00.jpg", "frame-01.jpg", "frame-02.jpg"]
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert image.size == size
            assert not image.getexif()  # nothing from the upload (location, make, model)
        assert path.stat().st_size < 30_000


def test_the_owner_sees_the_frames_as_labelled_choices(client, waiting):
    page = client.get(reverse("videos:manage", args=[waiting.short_id])).content.decode()

    assert "Choose the frame the 5 seconds begin at" in page
    assert "Frame at 12 s" in page
    assert re.search(r'<input type="radio" name="frame" value="0" checked>', page)
    assert 'name="frame" value="24"' in page
    assert "From 0 to 25.0" in page  # the exact start-time field is still there
    urls = frame_urls(page)
    assert len(urls) == 9 + 1  # the strip, and the first frame for the large preview
    assert all(url.startswith("/media-private/") for url in urls)
    with Image.open(io.BytesIO(fetch(client, urls[0]))) as image:
        assert image.size == (136, 240)


def test_a_stranger_gets_not_found_for_the_page_and_the_frames(client, waiting, carol):
    owner_page = client.get(reverse("videos:manage", args=[waiting.short_id])).content.decode()
    signed = frame_urls(owner_page)[0]
    name = waiting.trim_frames[0]["name"]

    client.force_login(carol)
    assert client.get(reverse("videos:manage", args=[waiting.short_id])).status_code == 404
    expires, signature = signed.removeprefix("/media-private/").split("/")[:2]
    tampered = f"/media-private/{expires}/{signature[:-2]}xx/{name}"
    public_spellings = [f"/media/{name}", f"/media/{name.removeprefix('private/')}"]
    for url in [tampered, f"/media-private/{expires}/{name}", *public_spellings]:
        assert client.get(url).status_code == 404, url


def test_choosing_a_frame_trims_the_five_seconds_from_there(client, waiting, processed):
    frame_at_12 = waiting.trim_frames[4]
    assert frame_at_12["time"] == 12
    strip = {
        frame["time"]: _gray(Image.open(Path(settings.PRIVATE_MEDIA_ROOT) / frame["name"]))
        for frame in waiting.trim_frames
    }

    with processed():
        response = csrf_post(
            client, reverse("videos:trim", args=[waiting.short_id]), {"frame": "12"}
        )

    assert response.status_code == 302
    video = Video.objects.get()
    assert video.status == Video.Status.READY
    assert video.trim_start == 12
    assert video.duration == pytest.approx(5.0, abs=0.1)
    # Its first frame is the frame chosen in the strip, not a neighbour.
    with av.open(str(Path(settings.MEDIA_ROOT) / video.mp4)) as output:
        first = _gray(next(output.decode(video=0)).to_image())
    differences = {time: float(np.abs(image - first).mean()) for time, image in strip.items()}
    assert min(differences, key=differences.get) == 12, differences
    # Once trimmed, the strip is of no more use and is deleted.
    assert video.trim_frames is None
    assert not (Path(settings.PRIVATE_MEDIA_ROOT) / frame_at_12["name"]).exists()


def _gray(image, size=(68, 120)):
    return np.asarray(image.convert("L").resize(size), dtype=np.float32)


def test_an_exact_start_time_wins_over_the_chosen_frame(client, waiting):
    url = reverse("videos:trim", args=[waiting.short_id])

    response = csrf_post(client, url, {"frame": "3", "start": "4.5"})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.trim_start == 4.5


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("26", "Ensure this value is less than or equal to 25.0"),
        ("-1", "Ensure this value is greater than or equal to 0"),
        ("soon", "Enter a number."),
    ],
)
def test_a_start_outside_the_clip_is_refused_and_nothing_is_lost(client, waiting, start, message):
    url = reverse("videos:trim", args=[waiting.short_id])

    response = csrf_post(client, url, {"frame": "9", "start": start})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'value="{start}"' in page  # what was typed is kept
    assert 'name="frame" value="9" checked' in page  # and so is the frame chosen
    waiting.refresh_from_db()
    assert waiting.status == Video.Status.NEEDS_TRIM
    assert waiting.trim_start is None


def test_a_frame_that_is_not_in_the_strip_is_refused(client, waiting):
    url = reverse("videos:trim", args=[waiting.short_id])

    response = csrf_post(client, url, {"frame": "26"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Video.Status.NEEDS_TRIM


def test_the_frames_move_with_a_visibility_change_and_stay_private(waiting, alice, processed):
    old_names = [frame["name"] for frame in waiting.trim_frames]

    with processed():
        video = services.video_update(
            video=waiting,
            by=alice,
            title=waiting.title,
            description="",
            visibility=Video.Visibility.PRIVATE,
            comments_enabled=True,
        )

    video.refresh_from_db()
    new_names = [frame["name"] for frame in video.trim_frames]
    assert new_names and new_names != old_names
    assert all(name.startswith(video.trim_frames_root) for name in new_names)
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    assert all((root / name).is_file() for name in new_names)
    assert not any((root / name).exists() for name in old_names)


def test_without_frames_the_trim_step_still_asks_for_a_start_time(client, alice, settings):
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    clear_ffmpeg_binary_cache()
    client.force_login(alice)
    try:
        upload(client)
    finally:
        clear_ffmpeg_binary_cache()

    video = Video.objects.get()
    assert video.status == Video.Status.NEEDS_TRIM
    assert video.trim_frames is None
    page = client.get(reverse("videos:manage", args=[video.short_id])).content.decode()
    assert "From 0 to 25.0" in page
    assert 'name="frame"' not in page
    response = csrf_post(client, reverse("videos:trim", args=[video.short_id]), {"start": ""})
    assert "Choose a frame or give a start time." in response.content.decode()


def test_deleting_a_waiting_clip_deletes_its_frames(client, waiting, alice, processed):
    names = [frame["name"] for frame in waiting.trim_frames]

    with processed():
        services.video_delete(video=waiting, by=alice)

    assert not any((Path(settings.PRIVATE_MEDIA_ROOT) / name).exists() for name in names)
