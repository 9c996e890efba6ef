"""The transcode pipeline with real FFmpeg on the accepted files of shared/media-edge.

Only the vertical clip runs the full ladder; elsewhere a short ladder keeps the suite quick
where the property under test does not depend on the size.
"""

from __future__ import annotations

import re
import struct
import subprocess
from io import BytesIO
from pathlib import Path

import av
import numpy as np
import pytest

from videos.ffmpeg_binary import ffmpeg_binary
from videos.probe import probe_upload
from videos.transcode import (
    TranscodeError,
    plan_renditions,
    transcode,
)

MEDIA_EDGE = Path(__file__).resolve().parents[2] / ".." / "shared" / "media-edge"
needs_corpus = pytest.mark.skipif(
    not MEDIA_EDGE.is_dir(),
    reason=f"edge-case corpus not found at {MEDIA_EDGE} (CI clones shared/ beside the repo)",
)
slow_with_corpus = [pytest.mark.slow, needs_corpus]

# Quick settings for tests that do not need the full ladder.
SMALL = {"ladder": (240, 360), "preset": "ultrafast"}


def run(name, out_dir, *, start=None, **options):
    probe = probe_upload(MEDIA_EDGE / name, start=start)
    return transcode(MEDIA_EDGE / name, out_dir, probe=probe, **options)


def stream_inf(master_text):
    """[(attributes dict, uri)] of the EXT-X-STREAM-INF entries of a master playlist."""
    lines = master_text.splitlines()
    entries = []
    for index, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            attributes = dict(re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1]))
            entries.append(({k: v.strip('"') for k, v in attributes.items()}, lines[index + 1]))
    return entries


def top_level_boxes(path):
    boxes, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size == 0:
            break
        offset += size
    return boxes


def rung_as_bytes(playlist: Path) -> bytes:
    """init + every segment of a media playlist: one fragmented MP4."""
    parts = [playlist.parent / "init.mp4"]
    parts += [
        playlist.parent / line for line in playlist.read_text().splitlines() if line[:1] != "#"
    ]
    return b"".join(part.read_bytes() for part in parts)


def video_facts(source) -> dict:
    """Codec, size, pixel format, rotation and duration of a file or of fMP4 bytes."""
    opened = (
        av.open(BytesIO(source), format="mp4")
        if isinstance(source, bytes)
        else av.open(str(source))
    )
    with opened as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        return {
            "codec": stream.codec_context.name,
            "size": (frames[0].width, frames[0].height),
            "pix_fmt": frames[0].format.name,
            "rotation": frames[0].rotation,
            "frames": len(frames),
            "duration": float((frames[-1].pts - frames[0].pts) * stream.time_base)
            + 1 / float(stream.average_rate or 30),
            "audio": len(container.streams.audio),
        }


def all_metadata(source) -> dict:
    opened = (
        av.open(BytesIO(source), format="mp4")
        if isinstance(source, bytes)
        else av.open(str(source))
    )
    with opened as container:
        tags = dict(container.metadata)
        for stream in container.streams:
            tags.update({f"{stream.index}:{key}": value for key, value in stream.metadata.items()})
    return tags


@pytest.fixture(scope="module")
def vertical(tmp_path_factory):
    """The 1080x1920 clip through the full, default pipeline (shared by several tests)."""
    if not MEDIA_EDGE.is_dir():
        pytest.skip(f"edge-case corpus not found at {MEDIA_EDGE}")
    out_dir = tmp_path_factory.mktemp("vertical") / "out"
    return run("ok_vertical_1080x1920_5s.mp4", out_dir)


# --- planning (fast) -----------------------------------------------------------------------


def test_ladder_is_keyed_on_the_shorter_side_and_never_upscales():
    portrait = plan_renditions(1080, 1920)
    assert [(r.width, r.height) for r in portrait] == [
        (240, 426),
        (360, 640),
        (480, 854),
        (720, 1280),
        (1080, 1920),
    ]
    landscape = plan_renditions(1920, 1080)
    assert [(r.width, r.height) for r in landscape][-1] == (1920, 1080)
    # A source between rungs is its own top rung; near-duplicate ladder rungs are dropped.
    assert [r.name for r in plan_renditions(500, 888)] == ["240p", "360p", "500p"]
    assert [r.name for r in plan_renditions(144, 256)] == ["144p"]
    # Odd sizes come out even.
    assert [(r.width, r.height) for r in plan_renditions(721, 1281)][-1] == (720, 1280)
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in plan_renditions(721, 1281))
    # Rate caps grow with size and never exceed 1.5x the source's bit rate.
    caps = [r.maxrate_kbps for r in portrait]
    assert caps == sorted(caps)
    assert (
        max(r.maxrate_kbps for r in plan_renditions(1080, 1920, source_bitrate=2_000_000)) <= 3000
    )


# --- the pipeline --------------------------------------------------------------------------


@pytest.mark.slow
@needs_corpus
def test_vertical_full_ladder(vertical):
    assert [(r.width, r.height) for r in vertical.renditions] == [
        (240, 426),
        (360, 640),
        (480, 854),
        (720, 1280),
        (1080, 1920),
    ]
    assert (vertical.width, vertical.height) == (1080, 1920)
    assert vertical.has_audio
    assert vertical.duration == pytest.approx(5.0, abs=0.05)
    for rendition in vertical.renditions:
        facts = video_facts(rung_as_bytes(rendition.playlist))
        assert facts["codec"] == "h264"
        assert facts["pix_fmt"] == "yuv420p"
        assert facts["size"] == (rendition.width, rendition.height)
        assert facts["audio"] == 0  # audio lives in its own group
        assert rendition.bandwidth >= rendition.average_bandwidth > 0
    # Short segments for 5-second clips: at most ~2 s each.
    playlist = vertical.renditions[-1].playlist.read_text()
    durations = [float(value) for value in re.findall(r"#EXTINF:([0-9.]+)", playlist)]
    assert len(durations) >= 3
    assert max(durations) <= 2.1
    assert sum(durations) == pytest.approx(5.0, abs=0.05)


@pytest.mark.slow
@needs_corpus
def test_master_playlist_is_rewritten_from_measurements(vertical):
    master = vertical.master_playlist.read_text()
    entries = stream_inf(master)

    assert len(entries) == len(vertical.renditions)
    for attributes, uri in entries:
        assert {"BANDWIDTH", "AVERAGE-BANDWIDTH", "RESOLUTION", "CODECS", "FRAME-RATE"} <= set(
            attributes
        )
        assert re.fullmatch(r"avc1\.64[0-9a-f]{4},mp4a\.40\.2", attributes["CODECS"])
        assert attributes["AUDIO"] == "audio"
        assert attributes["FRAME-RATE"] == "30.000"
        # No audio-only variant (FFmpeg adds one with a separate audio group).
        assert not uri.startswith("audio/")
        assert (vertical.out_dir / uri).is_file()
    assert '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio"' in master
    assert 'URI="audio/index.m3u8"' in master

    by_uri = {uri: attributes for attributes, uri in entries}
    top = by_uri["1080p/index.m3u8"]
    assert top["RESOLUTION"] == "1080x1920"
    assert top["CODECS"].startswith("avc1.6400")  # High profile
    # BANDWIDTH is the peak segment rate of video + audio: at least any segment's rate.
    segments_dir = vertical.out_dir / "1080p"
    playlist = (segments_dir / "index.m3u8").read_text()
    pairs = re.findall(r"#EXTINF:([0-9.]+),\s*\n(\S+)", playlist)
    peak_video = max((segments_dir / name).stat().st_size * 8 / float(d) for d, name in pairs)
    assert int(top["BANDWIDTH"]) >= peak_video
    assert int(top["BANDWIDTH"]) >= int(top["AVERAGE-BANDWIDTH"])
    # The first variant is the mid rung (quick start), then ascending.
    assert entries[0][1] == "480p/index.m3u8"
    rest = [int(attributes["BANDWIDTH"]) for attributes, _ in entries[1:]]
    assert rest == sorted(rest)


@pytest.mark.slow
@needs_corpus
def test_fallback_mp4_and_poster(vertical):
    facts = video_facts(vertical.mp4_path)
    assert facts["codec"] == "h264"
    assert facts["size"] == (720, 1280)  # the 720p rung, stream-copied
    assert facts["audio"] == 1
    boxes = top_level_boxes(vertical.mp4_path)
    assert boxes.index("moov") < boxes.index("mdat")

    with av.open(str(vertical.poster_path)) as poster:
        frame = next(poster.decode(video=0))
        assert poster.streams.video[0].codec_context.name == "mjpeg"
        assert (frame.width, frame.height) == (720, 1280)

    expected = {"master.m3u8", "fallback.mp4", "poster.jpg", "audio"}
    expected |= {rendition.name for rendition in vertical.renditions}
    assert {path.name for path in vertical.out_dir.iterdir()} == expected


@pytest.mark.slow
@needs_corpus
def test_rotated_gps_mov_is_portrait_without_metadata(tmp_path):
    result = run("ok_rotated90_gps_3s.mov", tmp_path / "out", **SMALL)

    assert (result.width, result.height) == (360, 640)
    top = video_facts(rung_as_bytes(result.renditions[-1].playlist))
    assert top["size"] == (360, 640)
    assert top["rotation"] == 0
    fallback = video_facts(result.mp4_path)
    assert fallback["size"] == (360, 640)
    assert fallback["rotation"] == 0

    # No location, make or model anywhere: not in the tags PyAV sees...
    sources = [result.mp4_path, result.poster_path]
    sources += [rung_as_bytes(r.playlist) for r in result.renditions]
    sources.append(rung_as_bytes(result.audio_playlist))
    for source in sources:
        tags = " ".join(f"{key}={value}" for key, value in all_metadata(source).items()).lower()
        for forbidden in ("location", "xyz", "make", "model", "apple", "iphone", "+37.7749"):
            assert forbidden not in tags, (forbidden, tags)
    # ...nor in the raw bytes of any file written.
    for path in result.out_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for forbidden in (b"iPhone", b"Apple", b"+37.7749", b"-122.4194"):
                assert forbidden not in data, (path, forbidden)


@pytest.mark.slow
@needs_corpus
def test_square_without_audio(tmp_path):
    result = run("ok_square_no_audio_2s.mp4", tmp_path / "out", ladder=(240, 720))

    assert [(r.width, r.height) for r in result.renditions] == [(240, 240), (720, 720)]
    assert not result.has_audio
    assert result.audio_playlist is None
    assert not (result.out_dir / "audio").exists()
    master = result.master_playlist.read_text()
    assert "EXT-X-MEDIA" not in master
    assert "AUDIO=" not in master
    for attributes, _ in stream_inf(master):
        assert "mp4a" not in attributes["CODECS"]
    facts = video_facts(result.mp4_path)
    assert facts["audio"] == 0
    assert facts["duration"] == pytest.approx(2.0, abs=0.05)


@pytest.mark.slow
@needs_corpus
def test_hevc_10bit_becomes_8bit_h264(tmp_path):
    result = run("ok_hevc_10bit_3s.mp4", tmp_path / "out", **SMALL)

    for rendition in result.renditions:
        facts = video_facts(rung_as_bytes(rendition.playlist))
        assert (facts["codec"], facts["pix_fmt"]) == ("h264", "yuv420p")
    assert video_facts(result.mp4_path)["pix_fmt"] == "yuv420p"


@pytest.mark.slow
@needs_corpus
def test_odd_size_444_becomes_even_420(tmp_path):
    result = run(
        "ok_odd_size_yuv444_2s.mp4", tmp_path / "out", ladder=(240, 720), preset="ultrafast"
    )

    assert (result.width, result.height) == (720, 1280)
    for rendition in result.renditions:
        facts = video_facts(rung_as_bytes(rendition.playlist))
        width, height = facts["size"]
        assert width % 2 == 0 and height % 2 == 0
        assert facts["pix_fmt"] == "yuv420p"


@pytest.mark.slow
@needs_corpus
def test_moov_at_end_gives_faststart_fallback(tmp_path):
    source_boxes = top_level_boxes(MEDIA_EDGE / "ok_moov_at_end_5s.mp4")
    assert source_boxes.index("moov") > source_boxes.index("mdat")

    result = run("ok_moov_at_end_5s.mp4", tmp_path / "out", **SMALL)

    boxes = top_level_boxes(result.mp4_path)
    assert boxes.index("moov") < boxes.index("mdat")
    assert video_facts(result.mp4_path)["duration"] == pytest.approx(5.0, abs=0.05)


@pytest.mark.slow
@needs_corpus
def test_webm_and_landscape(tmp_path):
    webm = run("ok_vp9_opus_720x1280_5s.webm", tmp_path / "webm", **SMALL)
    assert (webm.width, webm.height) == (360, 640)
    assert webm.has_audio
    assert webm.duration <= 5.0 + 1e-6

    landscape = run("ok_landscape_1920x1080_60fps_4s.mp4", tmp_path / "landscape", **SMALL)
    assert (landscape.width, landscape.height) == (640, 360)
    master = landscape.master_playlist.read_text()
    assert "FRAME-RATE=60.000" in master
    assert video_facts(landscape.mp4_path)["duration"] == pytest.approx(4.0, abs=0.05)


def _gray(frame, size=(90, 160)):
    return np.asarray(frame.to_image().convert("L").resize(size), dtype=np.float32)


@pytest.mark.slow
@needs_corpus
def test_trim_with_start_time(tmp_path):
    name = "long_30s_trimmable.mp4"
    result = run(name, tmp_path / "out", start=12, ladder=(240, 360), preset="ultrafast")

    facts = video_facts(result.mp4_path)
    assert facts["duration"] == pytest.approx(5.0, abs=0.05)
    assert facts["duration"] <= 5.0 + 1e-6
    assert result.duration <= 5.0 + 1e-6
    playlist = result.renditions[-1].playlist.read_text()
    assert sum(float(d) for d in re.findall(r"#EXTINF:([0-9.]+)", playlist)) <= 5.05

    # The first output frame is the source's frame at 12 s, not one from elsewhere.
    with av.open(str(result.mp4_path)) as output:
        first = _gray(next(output.decode(video=0)))
    with av.open(str(MEDIA_EDGE / name)) as source:
        stream = source.streams.video[0]
        candidates = {}
        for frame in source.decode(stream):
            if frame.time is not None and any(abs(frame.time - t) < 0.02 for t in (11, 12, 13)):
                candidates[round(frame.time)] = _gray(frame)
            if frame.time is not None and frame.time > 13.1:
                break
    differences = {t: float(np.abs(image - first).mean()) for t, image in candidates.items()}
    assert min(differences, key=differences.get) == 12, differences


@pytest.mark.slow
@needs_corpus
def test_running_twice_leaves_one_clean_set(tmp_path):
    out_dir = tmp_path / "videos" / "42"
    first = run("ok_rotated90_gps_3s.mov", out_dir, ladder=(240,), preset="ultrafast")
    files_after_first = sorted(p.relative_to(out_dir) for p in out_dir.rglob("*"))
    (out_dir / "stale-from-an-old-run.m4s").write_bytes(b"old")

    second = run("ok_rotated90_gps_3s.mov", out_dir, ladder=(240,), preset="ultrafast")

    assert second.out_dir == first.out_dir == out_dir
    assert sorted(p.relative_to(out_dir) for p in out_dir.rglob("*")) == files_after_first
    # No staging or old copies left beside it.
    assert [p.name for p in out_dir.parent.iterdir()] == ["42"]


@pytest.mark.slow
@needs_corpus
def test_failure_raises_with_ffmpeg_log_and_leaves_nothing(tmp_path):
    probe = probe_upload(MEDIA_EDGE / "ok_square_no_audio_2s.mp4")
    out_dir = tmp_path / "out"
    # The file changed after probing (or the probe is for another file): FFmpeg must fail.
    with pytest.raises(TranscodeError) as caught:
        transcode(MEDIA_EDGE / "text_renamed.mp4", out_dir, probe=probe, ladder=(240,))

    assert not caught.value.transient
    assert caught.value.stderr_tail
    assert not out_dir.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_hdr_hlg_source_is_tone_mapped_to_sdr_bt709(tmp_path):
    # What an iPhone records by default: 10-bit HLG (BT.2020). Made here, tiny, with FFmpeg.
    source = tmp_path / "hlg.mp4"
    subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=256x144:r=30:d=1",
            "-vf",
            "setparams=color_trc=arib-std-b67:color_primaries=bt2020:colorspace=bt2020nc,"
            "format=yuv420p10le",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            str(source),
        ],
        check=True,
    )
    probe = probe_upload(source)
    assert probe.color_transfer == 18  # arib-std-b67 (HLG)

    result = transcode(source, tmp_path / "out", probe=probe, preset="ultrafast")

    with av.open(str(result.mp4_path)) as output:
        frame = next(output.decode(video=0))
    assert frame.format.name == "yuv420p"
    assert (frame.color_trc, frame.color_primaries, frame.colorspace) == (1, 1, 1)  # BT.709
