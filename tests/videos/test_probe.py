"""Upload validation against the shared edge-case corpus (shared/media-edge, see its README)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.media import clear_ffmpeg_binary_cache
from videos.ffmpeg_binary import ffmpeg_binary
from videos.probe import UploadRejected, probe_upload

MEDIA_EDGE = Path(__file__).resolve().parents[2] / ".." / "shared" / "media-edge"

pytestmark = pytest.mark.skipif(
    not MEDIA_EDGE.is_dir(),
    reason=f"edge-case corpus not found at {MEDIA_EDGE} (CI clones shared/ beside the repo)",
)

ACCEPTED_HINT = "Accepted: MP4, MOV or WebM video up to 5 seconds"

# file -> (container, video codec, displayed width, height, rotation, has audio, bit depth,
#          video duration in seconds)
ACCEPTED = {
    "ok_vertical_1080x1920_5s.mp4": ("mp4", "h264", 1080, 1920, 0, True, 8, 5.0),
    "ok_landscape_1920x1080_60fps_4s.mp4": ("mp4", "h264", 1920, 1080, 0, True, 8, 4.0),
    "ok_vp9_opus_720x1280_5s.webm": ("webm", "vp9", 720, 1280, 0, True, 8, 5.0),
    "ok_rotated90_gps_3s.mov": ("mov", "h264", 720, 1280, 90, True, 8, 3.0),
    "ok_square_no_audio_2s.mp4": ("mp4", "h264", 720, 720, 0, False, 8, 2.0),
    "ok_hevc_10bit_3s.mp4": ("mp4", "hevc", 1080, 1920, 0, True, 10, 3.0),
    "ok_odd_size_yuv444_2s.mp4": ("mp4", "h264", 721, 1281, 0, False, 8, 2.0),
    "ok_moov_at_end_5s.mp4": ("mp4", "h264", 540, 960, 0, True, 8, 5.0),
}

REFUSED = {
    "long_6s.mp4": "too_long_trimmable",
    "long_30s_trimmable.mp4": "too_long_trimmable",
    "too_long_90s.mp4": "too_long",
    "truncated_no_moov.mp4": "damaged",
    "empty.mp4": "damaged",
    "text_renamed.mp4": "not_video",
    "image_renamed.mov": "not_video",
    "audio_only.mp4": "no_video",
    "mkv_renamed.mp4": "unsupported_format",
    "avi_renamed.mov": "unsupported_format",
    "tiny_96x96.mp4": "too_small",
}


def test_every_corpus_file_is_covered():
    on_disk = {path.name for path in MEDIA_EDGE.iterdir() if path.name != "README.md"}
    assert on_disk == set(ACCEPTED) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_files(name):
    container, codec, width, height, rotation, has_audio, bit_depth, duration = ACCEPTED[name]

    result = probe_upload(MEDIA_EDGE / name)

    assert result.container == container
    assert result.video_codec == codec
    assert (result.width, result.height) == (width, height)
    assert result.rotation == rotation
    assert result.has_audio is has_audio
    assert result.bit_depth == bit_depth
    assert result.duration == pytest.approx(duration, abs=0.05)
    assert result.start is None
    assert result.output_duration <= 5.0
    assert result.fps > 0
    assert result.video_bitrate > 0


def test_probe_details():
    rotated = probe_upload(MEDIA_EDGE / "ok_rotated90_gps_3s.mov")
    assert (rotated.coded_width, rotated.coded_height) == (1280, 720)
    assert rotated.is_portrait

    hevc = probe_upload(MEDIA_EDGE / "ok_hevc_10bit_3s.mp4")
    assert hevc.pix_fmt == "yuv420p10le"

    odd = probe_upload(MEDIA_EDGE / "ok_odd_size_yuv444_2s.mp4")
    assert odd.pix_fmt == "yuv444p"

    landscape = probe_upload(MEDIA_EDGE / "ok_landscape_1920x1080_60fps_4s.mp4")
    assert landscape.fps == pytest.approx(60)
    assert not landscape.is_portrait

    webm = probe_upload(MEDIA_EDGE / "ok_vp9_opus_720x1280_5s.webm")
    assert webm.audio_codec == "opus"
    # The container says 5.008 s: within the 0.05 s tolerance, and the output is capped at 5.
    assert webm.output_duration == 5.0


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_files(name):
    with pytest.raises(UploadRejected) as caught:
        probe_upload(MEDIA_EDGE / name)

    assert caught.value.code == REFUSED[name]
    # Every refusal says what is accepted, after saying what was wrong.
    message = str(caught.value)
    assert ACCEPTED_HINT in message
    assert not message.startswith("Accepted")


def test_messages_name_the_problem():
    def message_for(name, **kwargs):
        with pytest.raises(UploadRejected) as caught:
            probe_upload(MEDIA_EDGE / name, **kwargs)
        return caught.value.message

    assert "6 seconds" in message_for("long_6s.mp4")
    assert "start time" in message_for("long_30s_trimmable.mp4")
    assert "90 seconds" in message_for("too_long_90s.mp4")
    assert "96×96" in message_for("tiny_96x96.mp4")
    assert "AVI" in message_for("avi_renamed.mov")
    assert "Matroska" in message_for("mkv_renamed.mp4")
    assert "image" in message_for("image_renamed.mov")
    assert "no video" in message_for("audio_only.mp4")
    assert "empty" in message_for("empty.mp4")
    assert "damaged" in message_for("truncated_no_moov.mp4")


def test_trimmable_offer_carries_the_numbers_for_the_picker():
    with pytest.raises(UploadRejected) as caught:
        probe_upload(MEDIA_EDGE / "long_30s_trimmable.mp4")
    assert caught.value.details == {"duration": 30.0, "max_start": 25.0}


@pytest.mark.parametrize(
    ("name", "start"), [("long_6s.mp4", 0.5), ("long_6s.mp4", 1.0), ("long_30s_trimmable.mp4", 12)]
)
def test_long_clips_are_accepted_with_a_start_time(name, start):
    result = probe_upload(MEDIA_EDGE / name, start=start)

    assert result.start == start
    assert result.output_duration == 5.0
    assert result.duration > 5.0


def test_start_zero_on_a_long_clip_keeps_the_first_five_seconds():
    result = probe_upload(MEDIA_EDGE / "long_6s.mp4", start=0)
    assert result.start is None
    assert result.output_duration == 5.0


def test_too_long_is_refused_even_with_a_start_time():
    with pytest.raises(UploadRejected) as caught:
        probe_upload(MEDIA_EDGE / "too_long_90s.mp4", start=10)
    assert caught.value.code == "too_long"


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("long_30s_trimmable.mp4", 26),  # 26 + 5 runs past the end
        ("long_30s_trimmable.mp4", 31),  # beyond the end
        ("long_6s.mp4", 2),
        ("long_6s.mp4", -1),
        ("long_6s.mp4", float("nan")),
        ("ok_vertical_1080x1920_5s.mp4", 1),  # a 5 s clip is used whole
    ],
)
def test_start_times_that_do_not_fit_are_refused(name, start):
    with pytest.raises(UploadRejected) as caught:
        probe_upload(MEDIA_EDGE / name, start=start)
    assert caught.value.code == "invalid_start"
    assert ACCEPTED_HINT in caught.value.message


def test_size_limit_is_checked_first():
    # Even a file that is not a video at all gets the size message when it is too big.
    with pytest.raises(UploadRejected) as caught:
        probe_upload(MEDIA_EDGE / "text_renamed.mp4", max_bytes=10)
    assert caught.value.code == "too_large"

    with pytest.raises(UploadRejected) as caught:
        probe_upload(MEDIA_EDGE / "ok_vertical_1080x1920_5s.mp4", max_bytes=1024 * 1024)
    assert caught.value.code == "too_large"
    assert "1 MB" in caught.value.message


def test_limits_are_parameters():
    with pytest.raises(UploadRejected) as caught:
        probe_upload(MEDIA_EDGE / "ok_square_no_audio_2s.mp4", min_short_side=1080)
    assert caught.value.code == "too_small"

    with pytest.raises(UploadRejected) as caught:
        probe_upload(MEDIA_EDGE / "long_30s_trimmable.mp4", max_trimmable_duration=20)
    assert caught.value.code == "too_long"


def test_cut_off_data_behind_a_valid_index_is_damaged(tmp_path):
    # Unlike truncated_no_moov.mp4, here the index survives (moov first) but the media data is
    # cut off, as when an upload of a "faststart" file is interrupted.
    faststart = tmp_path / "faststart.mp4"
    subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(MEDIA_EDGE / "ok_moov_at_end_5s.mp4"),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(faststart),
        ],
        check=True,
    )
    cut = tmp_path / "cut.mp4"
    data = faststart.read_bytes()
    cut.write_bytes(data[: len(data) * 6 // 10])

    with pytest.raises(UploadRejected) as caught:
        probe_upload(cut)
    assert caught.value.code == "damaged"


def test_renamed_files_are_recognised_by_content(tmp_path):
    # The name never matters: a WebM called .mp4 is accepted as WebM.
    renamed = tmp_path / "clip.mp4"
    shutil.copy(MEDIA_EDGE / "ok_vp9_opus_720x1280_5s.webm", renamed)
    assert probe_upload(renamed).container == "webm"


def test_ffmpeg_binary_follows_the_setting(settings):
    settings.FFMPEG_BINARY = "/opt/custom/ffmpeg"
    clear_ffmpeg_binary_cache()
    try:
        assert ffmpeg_binary() == "/opt/custom/ffmpeg"
    finally:
        clear_ffmpeg_binary_cache()
    settings.FFMPEG_BINARY = ""
    assert Path(ffmpeg_binary()).name.startswith("ffmpeg")


def test_cover_art_is_not_a_video(tmp_path):
    # An audio file with cover art has a "video" stream holding one picture.
    with_cover = tmp_path / "song.mp4"
    subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(MEDIA_EDGE / "audio_only.mp4"),
            "-i",
            str(MEDIA_EDGE / "image_renamed.mov"),
            "-map",
            "0",
            "-map",
            "1",
            "-c",
            "copy",
            "-disposition:v:0",
            "attached_pic",
            str(with_cover),
        ],
        check=True,
    )
    with pytest.raises(UploadRejected) as caught:
        probe_upload(with_cover)
    assert caught.value.code == "no_video"
