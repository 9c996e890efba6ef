"""Findings 1 and 2 of issue 12: uploaded originals are never served, in any spelling of
their path, and files of videos that are not public only through signed URLs that expire."""

import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from core.storage import signed_media_url

pytestmark = pytest.mark.django_db

ORIGINAL = "uploads/abc-tok/source"
PRIVATE_FILE = "private/videos/abc-tok/v1/fallback.mp4"
OTHER_PRIVATE_FILE = "private/videos/xyz-tok/v1/fallback.mp4"
PUBLIC_FILE = "videos/pub-tok/v1/fallback.mp4"
SECRET = b"GPS 48.85N 2.35E camera serial 1234"


@pytest.fixture
def stored(settings):
    for name in (ORIGINAL, PRIVATE_FILE, OTHER_PRIVATE_FILE):
        default_storage.save(name, ContentFile(SECRET))
    default_storage.save(PUBLIC_FILE, ContentFile(b"public"))
    # Files left under MEDIA_ROOT by older versions (or a misconfigured copy): the checks must
    # not depend on where the files happen to be.
    for name in (ORIGINAL, PRIVATE_FILE):
        legacy = Path(settings.MEDIA_ROOT) / name
        legacy.parent.mkdir(parents=True, exist_ok=True)
        legacy.write_bytes(SECRET)


def _spellings(name: str) -> list[str]:
    first, rest = name.split("/", 1)
    return [
        name,
        f"./{name}",
        f"/{name}",
        f"//{name}",
        f"videos/../{name}",
        f"avatars/../{name}",
        f"videos/x/../../{name}",
        f"{first}//{rest}",
        f"{first}/./{rest}",
        f"%2e/{name}",
        f"videos/%2e%2e/{name}",
        f"videos%2f..%2f{name}",
        f"%252e/{name}",
        f"videos/..%2f{name}",
        f"videos\\..\\{name}",
        "videos\\..\\" + name.replace("/", "\\"),
        f"{first.upper()}/{rest}",
        f"{first.capitalize()}/{rest}",
        f"Videos/../{name}",
        f"{name}%00.mp4",
        f"{name}/",
        f"videos/pub-tok/../../{name}",
    ]


PRIVATE_NAMES = [ORIGINAL, PRIVATE_FILE]


@pytest.mark.parametrize("name", PRIVATE_NAMES)
def test_no_spelling_of_a_private_path_is_served_as_public_media(client, stored, name):
    for spelling in _spellings(name):
        response = client.get("/media/" + spelling)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 404, spelling
        assert SECRET not in body, spelling


@pytest.mark.parametrize("name", PRIVATE_NAMES)
def test_no_spelling_reaches_another_file_through_a_valid_signature(client, stored, name):
    # A viewer holding a valid signed URL for one private video tries to walk out of it.
    url = signed_media_url(PRIVATE_FILE)
    base = url[: url.index("private/videos/")]
    walks = [
        "private/videos/abc-tok/../xyz-tok/v1/fallback.mp4",
        "private/videos/abc-tok/../../" + ORIGINAL,
    ]
    for spelling in [*_spellings(name), *walks]:
        if spelling == PRIVATE_FILE:
            continue
        response = client.get(base + spelling)
        assert response.status_code == 404, spelling


def test_originals_live_outside_the_public_media_folder(stored, settings):
    private_root = Path(storages["private_media"].path(ORIGINAL))

    assert private_root.is_file()
    assert Path(settings.MEDIA_ROOT) not in private_root.parents
    assert default_storage.url(ORIGINAL) == ""  # never given a URL


def test_private_file_is_served_for_a_valid_signature_with_private_caching(client, stored):
    url = signed_media_url(PRIVATE_FILE)

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SECRET
    assert response["Cache-Control"].startswith("private, max-age=")
    assert int(response["Cache-Control"].split("=")[1]) <= 960


def test_private_file_range_requests_work(client, stored):
    response = client.get(signed_media_url(PRIVATE_FILE), HTTP_RANGE="bytes=0-2")

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == SECRET[:3]


def test_one_signature_covers_the_videos_folder_for_hls_relative_urls(client, stored):
    default_storage.save("private/videos/abc-tok/v1/720p/index.m3u8", ContentFile(b"#EXTM3U"))
    master = signed_media_url(PRIVATE_FILE)
    sibling = master.rsplit("/", 1)[0] + "/720p/index.m3u8"

    assert client.get(sibling).status_code == 200


def test_signature_of_one_video_does_not_open_another(client, stored):
    url = signed_media_url(PRIVATE_FILE).replace("abc-tok", "xyz-tok")

    assert client.get(url).status_code == 404


def test_forged_and_expired_signatures_are_refused(client, stored, settings):
    good = signed_media_url(PRIVATE_FILE)
    expires, signature = good.split("/")[2:4]
    forged = good.replace(signature, "A" * len(signature))
    longer = good.replace(f"/{expires}/", f"/{int(expires) + 3600}/")
    expired = signed_media_url(
        PRIVATE_FILE, now=time.time() - 3 * settings.MEDIA_SIGNED_URL_SECONDS
    )

    assert client.get(forged).status_code == 404
    assert client.get(longer).status_code == 404
    assert client.get(expired).status_code == 404


def test_private_files_are_never_served_unsigned(client, stored):
    assert client.get("/media/" + PRIVATE_FILE).status_code == 404


def test_public_files_stay_unsigned_and_cacheable(client, stored):
    url = default_storage.url(PUBLIC_FILE)

    assert url == "/media/" + PUBLIC_FILE
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
