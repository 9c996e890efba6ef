"""`manage.py backup` and `manage.py restore`: the database and media come back identical."""

import json
import shutil

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from core.backup import backup_create, backup_latest, backup_restore, database_fingerprint
from social.models import Like
from tests.factories import UserFactory, published_video
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    video = published_video(alice, title="Sunrise")
    Like.objects.create(user=bob, video=video)
    default_storage.save("videos/x/v1/poster.jpg", ContentFile(b"\xff\xd8poster"))
    default_storage.save("avatars/a.webp", ContentFile(b"RIFFavatar"))
    return video


def _wipe(settings):
    Video.objects.all().delete()
    UserFactory._meta.model.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT)
    settings.MEDIA_ROOT.mkdir()


def test_backup_wipe_restore_gives_back_identical_rows_and_files(site, settings, tmp_path):
    before = database_fingerprint()
    backup = backup_create(location=str(tmp_path / "backups"))
    _wipe(settings)
    assert not Video.objects.exists()

    result = backup_restore(location=backup.location)

    assert result.identical
    assert database_fingerprint() == before
    assert Video.objects.get().title == "Sunrise"
    assert Like.objects.count() == 1
    with default_storage.open("videos/x/v1/poster.jpg") as poster:
        assert poster.read() == b"\xff\xd8poster"
    assert result.media_restored == 2


def test_the_manifest_lists_every_media_file_with_its_checksum(site, tmp_path):
    backup = backup_create(location=str(tmp_path))

    manifest = json.loads(
        (tmp_path / backup.location.rsplit("/", 1)[1] / "manifest.json").read_text()
    )

    assert set(manifest["media"]) == {"videos/x/v1/poster.jpg", "avatars/a.webp"}
    assert manifest["media"]["avatars/a.webp"]["size"] == len(b"RIFFavatar")
    assert len(manifest["media"]["avatars/a.webp"]["sha256"]) == 64
    assert manifest["tables"]["videos_video"]["rows"] == 1


def test_a_restore_reports_a_media_file_that_cannot_be_put_back(site, settings, tmp_path):
    backup = backup_create(location=str(tmp_path / "b"), copy_media=False)
    default_storage.delete("avatars/a.webp")

    result = backup_restore(location=backup.location)

    assert not result.identical
    assert result.media_missing == ["avatars/a.webp"]


def test_a_tampered_dump_is_refused_and_nothing_is_restored(site, tmp_path):
    backup = backup_create(location=str(tmp_path))
    dump = next((tmp_path / backup.location.rsplit("/", 1)[1]).glob("database.*"))
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    Video.objects.update(title="Changed after the backup")

    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", backup.location, "--yes")

    assert Video.objects.get().title == "Changed after the backup"


def test_restore_latest_picks_the_newest_backup(site, tmp_path):
    from datetime import UTC, datetime

    backup_create(location=str(tmp_path), now=datetime(2026, 1, 1, tzinfo=UTC))
    newest = backup_create(location=str(tmp_path), now=datetime(2026, 2, 1, tzinfo=UTC))

    assert backup_latest(str(tmp_path)) == newest.location


def test_a_backup_to_s3_restores_identically(site, settings, monkeypatch):
    import boto3
    from moto.server import ThreadedMotoServer

    from bench.production_site import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="microvid-backups")
        settings.AWS_S3_ENDPOINT_URL = endpoint
        backup = backup_create(location="s3://microvid-backups/nightly")
        _wipe(settings)

        result = backup_restore(location=backup.location)
    finally:
        server.stop()

    assert backup.location.startswith("s3://microvid-backups/nightly/")
    assert result.identical
    assert Video.objects.get().title == "Sunrise"
