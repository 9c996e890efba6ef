"""`manage.py import_video`: the upload checks and pipeline from the command line."""

import pytest
from django.core.management import CommandError, call_command

from tests.media import MEDIA_EDGE, needs_media_edge
from videos.models import Video

pytestmark = [
    pytest.mark.django_db,
    needs_media_edge,
]


def test_import_waits_until_the_video_is_ready(alice, capsys):
    call_command(
        "import_video", str(MEDIA_EDGE / "ok_rotated90_gps_3s.mov"), user="alice", title="Turned",
        publish=True,
    )  # fmt: skip

    video = Video.objects.get()
    assert video.status == Video.Status.READY
    assert video.is_published
    assert (video.width, video.height) == (720, 1280)
    out = capsys.readouterr().out
    assert "Ready: 'Turned'" in out and "720x1280" in out and "published" in out


def test_long_clip_without_start_is_refused_with_a_hint(alice):
    with pytest.raises(CommandError, match=r"pass --start SECONDS \(from 0 to 1\.0\)"):
        call_command("import_video", str(MEDIA_EDGE / "long_6s.mp4"), user="alice")

    assert not Video.objects.exists()


def test_long_clip_with_start_is_trimmed(alice):
    call_command("import_video", str(MEDIA_EDGE / "long_6s.mp4"), user="alice", start=1.0)

    assert Video.objects.get().duration == pytest.approx(5.0, abs=0.1)


@pytest.mark.parametrize(
    ("name", "message"),
    [("text_renamed.mp4", "not a video"), ("too_long_90s.mp4", "only clips up to 60")],
)
def test_bad_files_exit_with_the_reason(alice, name, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_video", str(MEDIA_EDGE / name), user="alice")

    assert not Video.objects.exists()


def test_unknown_user_or_missing_file(alice):
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        call_command("import_video", str(MEDIA_EDGE / "long_6s.mp4"), user="nobody")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_video", "/nonexistent.mp4", user="alice")
