"""Serving media: byte ranges for the MP4, HLS types, caching, and nothing private."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.django_db

BODY = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def files():
    names = {
        "mp4": "videos/abc-token/v1/fallback.mp4",
        "master": "videos/abc-token/v1/master.m3u8",
        "segment": "videos/abc-token/v1/720p/seg_000.m4s",
        "source": "uploads/abc-token/source",
    }
    for name in names.values():
        default_storage.save(name, ContentFile(BODY))
    return names


def test_whole_file_with_type_length_and_immutable_caching(client, files):
    response = client.get("/media/" + files["mp4"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BODY
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(len(BODY))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-1", 0, 1), ("bytes=100-", 100, 10239), ("bytes=-500", 9740, 10239),
     ("bytes=10000-99999", 10000, 10239)],
)  # fmt: skip
def test_byte_ranges(client, files, header, start, end):
    response = client.get("/media/" + files["mp4"], HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(BODY)}"
    assert b"".join(response.streaming_content) == BODY[start : end + 1]


def test_unsatisfiable_range(client, files):
    response = client.get("/media/" + files["mp4"], HTTP_RANGE="bytes=20000-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(BODY)}"


def test_hls_types(client, files):
    assert (
        client.get("/media/" + files["master"])["Content-Type"] == "application/vnd.apple.mpegurl"
    )
    assert client.get("/media/" + files["segment"])["Content-Type"] == "video/iso.segment"


def test_conditional_get(client, files):
    etag = client.get("/media/" + files["mp4"])["ETag"]

    assert client.get("/media/" + files["mp4"], HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize(
    "path", ["uploads/abc-token/source", "../settings.py", "videos/abc-token/v1/missing.mp4"]
)
def test_private_missing_and_outside_files_are_404(client, files, path):
    assert client.get("/media/" + path).status_code == 404


def test_writes_are_not_allowed(client, files):
    assert client.post("/media/" + files["mp4"]).status_code in (403, 405)
