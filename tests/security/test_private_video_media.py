"""Finding 2 of issue 12: media of a video that is not public is served only through signed
URLs that expire, and a privacy change or removal rotates the video's storage path."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.factories import make_video, published_video
from tests.media import needs_media_edge
from videos import services
from videos.models import Rendition, Video

pytestmark = pytest.mark.django_db


def _processed(owner, visibility="public"):
    """A published video with its files written where its visibility puts them."""
    video = published_video(owner, visibility=visibility, hls_master="", mp4="", poster="")
    root = video.media_root + "v1/"
    names = {
        "hls_master": root + "master.m3u8",
        "mp4": root + "fallback.mp4",
        "poster": root + "poster.jpg",
    }
    for field, name in names.items():
        default_storage.save(name, ContentFile(f"{field} bytes".encode()))
    default_storage.save(root + "720p/index.m3u8", ContentFile(b"#EXTM3U"))
    Video.objects.filter(pk=video.pk).update(output_prefix=root, **names)
    Rendition.objects.create(
        video=video, width=720, height=1280, bandwidth=1, average_bandwidth=1, codecs="avc1",
        playlist=root + "720p/index.m3u8",
    )  # fmt: skip
    video.refresh_from_db()
    return video


def _media_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href|poster|data-hls)="(/media[^"]*)"', html)


def _update(video, by, visibility):
    return services.video_update(
        video=video, by=by, title=video.title, description=video.description,
        visibility=visibility, comments_enabled=True,
    )  # fmt: skip


def test_public_video_page_uses_plain_cacheable_urls(client, alice):
    video = _processed(alice)

    html = client.get(f"/v/{video.short_id}").content.decode()

    urls = _media_urls(html)
    assert f"/media/{video.mp4}" in urls
    assert all(url.startswith("/media/videos/") for url in urls)


@pytest.mark.parametrize("visibility", ["unlisted", "private"])
def test_non_public_video_files_are_only_behind_signed_urls(client, alice, visibility):
    video = _processed(alice, visibility=visibility)
    assert video.mp4.startswith("private/")
    client.force_login(alice)

    html = client.get(f"/v/{video.short_id}").content.decode()

    urls = _media_urls(html)
    assert urls and all(url.startswith("/media-private/") for url in urls)
    mp4_url = next(url for url in urls if url.endswith("fallback.mp4"))
    assert client.get(mp4_url).status_code == 200
    assert client.get("/media/" + video.mp4).status_code == 404
    assert client.get("/media/" + video.mp4.removeprefix("private/")).status_code == 404


def test_making_a_video_private_kills_its_old_urls_at_once(
    client, alice, django_capture_on_commit_callbacks
):
    video = _processed(alice)
    old_urls = [default_storage.url(name) for name in (video.mp4, video.poster, video.hls_master)]
    assert all(client.get(url).status_code == 200 for url in old_urls)

    with django_capture_on_commit_callbacks(execute=True):
        video = _update(video, alice, "private")

    assert all(client.get(url).status_code == 404 for url in old_urls)
    assert video.mp4.startswith("private/videos/")
    assert default_storage.open(video.mp4).read() == b"mp4 bytes"
    assert video.renditions.get().playlist.startswith(video.output_prefix)
    assert client.get(default_storage.url(video.mp4)).status_code == 200


def test_a_signed_url_dies_when_the_video_changes_visibility_again(
    client, alice, django_capture_on_commit_callbacks
):
    video = _processed(alice, visibility="unlisted")
    signed = default_storage.url(video.mp4)
    assert client.get(signed).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        video = _update(video, alice, "private")

    assert client.get(signed).status_code == 404


def test_making_a_private_video_public_gives_it_plain_urls(
    client, alice, django_capture_on_commit_callbacks
):
    video = _processed(alice, visibility="private")
    signed = default_storage.url(video.mp4)

    with django_capture_on_commit_callbacks(execute=True):
        video = _update(video, alice, "public")

    assert client.get(signed).status_code == 404
    assert video.mp4.startswith("videos/")
    assert client.get(default_storage.url(video.mp4))["Cache-Control"].endswith("immutable")


def test_deleting_a_video_removes_both_folders(alice, django_capture_on_commit_callbacks):
    video = _processed(alice, visibility="private")
    name = video.mp4

    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=video, by=alice)

    assert not default_storage.exists(name)


@needs_media_edge
def test_processing_a_private_upload_writes_only_private_files(alice, settings):
    from pathlib import Path

    video = make_video(alice, visibility="private")

    video = services.video_process(video_id=video.pk)

    assert video.status == Video.Status.READY
    assert video.source.name.startswith("uploads/")
    assert video.mp4.startswith("private/videos/") and video.hls_master.startswith("private/")
    public_files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert public_files == []
