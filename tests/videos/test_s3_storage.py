"""S3 mode, against an S3-compatible server on loopback (moto's server mode) with real boto3."""

import socket

import boto3
import pytest
from django.core.files.base import ContentFile

from tests.media import MEDIA_EDGE, needs_media_edge
from videos import services
from videos.models import Video

BUCKET = "microvid-test"

pytestmark = [
    pytest.mark.django_db,
    needs_media_edge,
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "core.s3.MediaS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_outputs_are_written_to_s3_with_type_and_caching(
    s3, alice, django_capture_on_commit_callbacks
):
    video = Video(owner=alice, title="To the cloud")
    source = (MEDIA_EDGE / "ok_square_no_audio_2s.mp4").read_bytes()
    video.source.save("source", ContentFile(source), save=False)
    video.save()

    video = services.video_process(video_id=video.pk)

    assert video.status == Video.Status.READY
    stored = keys(s3)
    assert video.hls_master in stored and video.mp4 in stored and video.poster in stored
    segment = next(k for k in stored if k.endswith(".m4s"))
    expected = {
        video.hls_master: "application/vnd.apple.mpegurl",
        segment: "video/iso.segment",
        video.mp4: "video/mp4",
        video.poster: "image/jpeg",
    }
    for key, content_type in expected.items():
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert head["ContentType"] == content_type, key
        assert head["CacheControl"] == "public, max-age=31536000, immutable", key
    source_head = s3.head_object(Bucket=BUCKET, Key=video.source.name)
    assert source_head["CacheControl"] == "private, no-store"
    master = s3.get_object(Bucket=BUCKET, Key=video.hls_master)["Body"].read().decode()
    assert "#EXT-X-STREAM-INF" in master

    with django_capture_on_commit_callbacks(execute=True):
        services.video_delete(video=video, by=alice)

    assert keys(s3) == []
