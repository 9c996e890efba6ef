"""Transcode an accepted clip into HLS renditions, an MP4 fallback and a poster.

Plain functions on local paths, meant to be called from a Celery task after
:func:`videos.probe.probe_upload` accepted the file. See ``docs/video-processing.md``.

The pipeline is ONE FFmpeg process: the source is decoded once, trimmed on the decoded timeline,
converted to 8-bit 4:2:0 once, then ``split`` feeds a libx264 encoder per rung (the rungs below
720p are scaled from the 720p rung's output, and the poster is a frame of it); the audio is
loudness-normalised and encoded to AAC once, into its own HLS audio group. A second, tiny
FFmpeg process builds the MP4 fallback by stream copy of the 720p rung plus the audio (no
re-encode). Finally the master playlist is rewritten from the measured segments. On a 2-core
machine this is more than twice as fast as one FFmpeg process per output
(``bench/transcode_reference.py``, kept for the benchmark).
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import ffmpeg

from videos.ffmpeg_binary import ffmpeg_binary
from videos.probe import ProbeResult

# Shorter side of each rung, in pixels. Renditions never upscale: a source smaller than a rung
# gets its own size as the top rung instead.
LADDER_SHORT_SIDES: tuple[int, ...] = (240, 360, 480, 720, 1080)
# The MP4 fallback and the poster use the largest rung at or below this shorter side.
FALLBACK_SHORT_SIDE = 720
# The first variant listed in the master playlist (Safari starts there; hls.js falls back to it
# when it has no bandwidth estimate): the largest rung at or below this shorter side.
START_SHORT_SIDE = 480

# Chosen with bench/transcode.py (see docs/video-processing.md): superfast (+ mbtree) with CRF
# 23 capped at 6 Mb/s for 1080x1920 gives VMAF ~91 at two thirds of veryfast's CPU time.
DEFAULT_PRESET = "superfast"
# superfast turns off x264's macroblock-tree rate control; turning it back on with a short
# lookahead costs ~3% CPU and gives +1 VMAF at ~5% fewer bits on the benchmark clip.
DEFAULT_X264_PARAMS = "mbtree=1:rc-lookahead=10"
DEFAULT_CRF = 23
# Peak rate cap of a 1080x1920 (or 1920x1080) 30 fps rung; other sizes scale with pixel count
# ** 0.85, which gives ~3.0 Mb/s at 720p, ~1.5 at 480p, ~0.9 at 360p and ~0.46 at 240p.
TOP_MAXRATE_KBPS = 6000
MIN_MAXRATE_KBPS = 200
# A fast x264 preset needs more bits than the upload's (usually better) encoder did for the
# same picture; beyond this multiple of the source's bit rate there is nothing left to keep.
SOURCE_BITRATE_HEADROOM = 1.5
AUDIO_BITRATE = "128k"
AUDIO_SAMPLE_RATE = 48000
# EBU R128 integrated loudness target for phones/web (what most platforms use).
LOUDNORM = {"I": -16, "TP": -1.5, "LRA": 11}
SEGMENT_SECONDS = 2.0
MAX_FPS = 60.0
POSTER_QUALITY = 3  # mjpeg qscale: 2 best .. 31 worst
DEFAULT_TIMEOUT_S = 300.0

_PIXELS_1080P = 1920 * 1080
# AVColorTransferCharacteristic values of HDR sources (PQ and HLG), which need tone mapping to
# look right as SDR H.264.
_HDR_TRANSFERS = {16, 18}
_STDERR_TAIL_CHARS = 4000
_TRANSIENT_STDERR = re.compile(
    r"No space left on device|Cannot allocate memory|Resource temporarily unavailable|"
    r"Too many open files",
    re.IGNORECASE,
)


class TranscodeError(Exception):
    """FFmpeg failed. ``stderr_tail`` holds the end of its log; ``transient`` is True when a
    retry may succeed (timeout, killed by a signal, disk full, out of memory)."""

    transient = False

    def __init__(self, message: str, stderr_tail: str = "", returncode: int | None = None):
        super().__init__(f"{message}\n{stderr_tail}" if stderr_tail else message)
        self.message = message
        self.stderr_tail = stderr_tail
        self.returncode = returncode


class TransientTranscodeError(TranscodeError):
    """A failure worth retrying (for Celery's ``autoretry_for``)."""

    transient = True


@dataclass(frozen=True)
class RungSpec:
    """A planned rendition: output size and rate cap."""

    name: str
    width: int
    height: int
    maxrate_kbps: int
    bufsize_kbps: int

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)


@dataclass(frozen=True)
class Rendition:
    """An HLS video rendition as written and measured."""

    name: str
    width: int
    height: int
    bandwidth: int  # peak segment bit rate of video + audio, bits/s (HLS BANDWIDTH)
    average_bandwidth: int  # bits/s (HLS AVERAGE-BANDWIDTH)
    codecs: str
    frame_rate: float
    playlist: Path
    size_bytes: int


@dataclass(frozen=True)
class TranscodeResult:
    """Everything the transcode produced, all inside ``out_dir``."""

    out_dir: Path
    master_playlist: Path
    renditions: tuple[Rendition, ...]  # smallest first
    audio_playlist: Path | None
    mp4_path: Path
    poster_path: Path
    duration: float  # of the MP4 fallback's video stream, seconds
    has_audio: bool
    width: int  # of the top rendition
    height: int
    mp4_size_bytes: int
    poster_size_bytes: int
    total_size_bytes: int
    timings: dict[str, float] = field(default_factory=dict)


# --- planning ------------------------------------------------------------------------------


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def _scaled_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Size with the given shorter side, same aspect ratio, both dimensions even."""
    if width <= height:
        return _even(short_side), _even(height * short_side / width)
    return _even(width * short_side / height), _even(short_side)


def _maxrate_kbps(width: int, height: int, fps: float, top_maxrate_kbps: int) -> int:
    pixel_share = (width * height) / _PIXELS_1080P
    # Higher frame rates need more bits, but far less than proportionally (frames are closer).
    fps_factor = max(1.0, min(fps, MAX_FPS) / 30.0) ** 0.5
    rate = top_maxrate_kbps * pixel_share**0.85 * fps_factor
    return max(MIN_MAXRATE_KBPS, round(rate / 50.0) * 50)


def plan_renditions(
    width: int,
    height: int,
    *,
    fps: float = 30.0,
    ladder: Sequence[int] = LADDER_SHORT_SIDES,
    top_maxrate_kbps: int = TOP_MAXRATE_KBPS,
    source_bitrate: int | None = None,
) -> list[RungSpec]:
    """Plan the rungs for a displayed ``width`` x ``height`` source, smallest first.

    Rungs are keyed on the shorter side so that portrait and landscape clips get the same
    quality steps. Nothing is upscaled: the top rung is the source's own (even) size when it is
    below the ladder's top, and ladder rungs within 15% of it are dropped as near-duplicates.
    Rate caps also stay under ``SOURCE_BITRATE_HEADROOM`` times the source's video bit rate
    (bits/s) when given: more bits than the upload had cannot add quality.
    """
    short = min(width, height)
    top = min(_even(short - 1) if short % 2 else short, max(ladder))
    sides = sorted({side for side in ladder if side <= top * 0.85} | {top})
    rungs = []
    for side in sides:
        rung_width, rung_height = _scaled_size(width, height, side)
        maxrate = _maxrate_kbps(rung_width, rung_height, fps, top_maxrate_kbps)
        if source_bitrate:
            source_cap = int(source_bitrate * SOURCE_BITRATE_HEADROOM / 1000)
            maxrate = max(MIN_MAXRATE_KBPS, min(maxrate, source_cap))
        # A one-second VBV buffer: x264 may burst a full buffer above the cap at the start, and
        # with 5-second clips a bigger buffer would inflate the whole clip's rate.
        rungs.append(RungSpec(f"{side}p", rung_width, rung_height, maxrate, maxrate))
    return rungs


def _pick(rungs: Sequence[RungSpec], at_most: int) -> RungSpec:
    fitting = [rung for rung in rungs if rung.short_side <= at_most]
    return fitting[-1] if fitting else rungs[0]


# --- running FFmpeg ------------------------------------------------------------------------


def _run_ffmpeg(args: list[str], *, cwd: Path, timeout: float, what: str) -> None:
    try:
        completed = subprocess.run(args, cwd=cwd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        tail = (error.stderr or b"").decode("utf-8", "replace")[-_STDERR_TAIL_CHARS:]
        raise TransientTranscodeError(
            f"{what}: FFmpeg timed out after {timeout:.0f} s", tail
        ) from error
    except OSError as error:  # binary missing or not executable: a deployment problem
        raise TranscodeError(f"{what}: could not run FFmpeg ({args[0]}): {error}") from error
    if completed.returncode != 0:
        tail = completed.stderr.decode("utf-8", "replace")[-_STDERR_TAIL_CHARS:]
        killed = completed.returncode < 0
        error_class = (
            TransientTranscodeError if killed or _TRANSIENT_STDERR.search(tail) else TranscodeError
        )
        reason = (
            f"killed by {signal.Signals(-completed.returncode).name}"
            if killed
            else f"exit status {completed.returncode}"
        )
        raise error_class(f"{what}: FFmpeg failed ({reason})", tail, completed.returncode)


def _compile(stream: ffmpeg.nodes.OutputStream) -> list[str]:
    args = stream.compile(cmd=ffmpeg_binary())
    # ffmpeg-python appends global options at the end; FFmpeg wants them before the first input
    # (newer versions warn about trailing options).
    args[1:1] = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-y"]
    return args


def _source_input(source: Path, probe: ProbeResult, start: float | None) -> ffmpeg.nodes.Stream:
    # Force the demuxer the probe recognised and allow local files only, so that FFmpeg never
    # re-detects the bytes as something else or follows references inside them.
    input_options: dict[str, object] = {
        "f": "matroska" if probe.container == "webm" else "mov",
        "protocol_whitelist": "file",
    }
    if start:
        # Input seeking is fast (jumps to the keyframe before) and exact (frames before `start`
        # are decoded and dropped), and rebases timestamps so the cut starts at 0.
        input_options["ss"] = f"{start:.3f}"
    return ffmpeg.input(f"file:{source.resolve()}", **input_options)


def _video_of(source_input, probe: ProbeResult):
    # The stream the probe measured, by index: "0:v" would take the first video stream, which
    # may be cover art or a second angle.
    return source_input[str(probe.video_stream_index)]


def _audio_of(source_input, probe: ProbeResult):
    return source_input[str(probe.audio_stream_index)]


def _output_duration(probe: ProbeResult, start: float | None) -> tuple[float, float]:
    """(expected output length, length to trim to) in seconds.

    Only a clip longer than its output is cut exactly; otherwise the trim is a loose safety
    net (+1 s), so that a track header a little shorter than the real frames never drops any.
    """
    available = max(0.0, probe.duration - (start or 0.0))
    duration = min(probe.output_duration, available)
    return duration, duration if available > duration else duration + 1.0


def _prepared_video(source_video, probe: ProbeResult, duration: float, max_fps: float):
    """Trim to ``duration`` on the decoded timeline, cap the frame rate, go to 8-bit 4:2:0.

    FFmpeg has already applied the display matrix (autorotate) when frames reach the graph.
    """
    # trim counts from the first decoded frame, so variable frame rate clips cannot overshoot.
    video = source_video.filter("trim", duration=f"{duration:.3f}")
    if probe.fps > max_fps + 0.5:
        video = video.filter("fps", fps=f"{max_fps:g}")
    if probe.color_transfer in _HDR_TRANSFERS:
        # PQ/HLG phone footage: tone-map to SDR BT.709, else it looks grey and washed out.
        video = (
            video.filter("zscale", t="linear", npl=100)
            .filter("format", "gbrpf32le")
            .filter("zscale", p="bt709")
            .filter("tonemap", tonemap="hable", desat=0)
            .filter("zscale", t="bt709", m="bt709", r="tv")
        )
    elif probe.is_rgb:
        # RGB sources (e.g. VP9 in GBR) otherwise get the BT.601 matrix from swscale while
        # players assume BT.709 for HD.
        video = video.filter("scale", out_color_matrix="bt709", out_range="tv")
    return video.filter("format", "yuv420p")


def _scale(stream, rung: RungSpec):
    # Limited ("TV") range always: full-range uploads (some Android phones) are converted, and
    # the JPEG poster, which wants full range, cannot pull the shared branches to full range
    # through FFmpeg's format negotiation (it converts its one frame on its own link instead).
    return stream.filter("scale", rung.width, rung.height, out_range="tv").filter("setsar", "1")


def _scaling_tree(video, rungs: Sequence[RungSpec], hub: RungSpec, poster_frame: int):
    """Streams for every rung (in ``rungs`` order) and for the poster, from one decoded video.

    Rungs above ``hub`` (the fallback rung, <= 720p) and the hub itself are scaled from the
    source; the smaller rungs are scaled from the hub's output, which costs less than half as
    much as scaling from 1080p again, and the poster is the hub's frame ``poster_frame`` (picked
    before any further work, so only one frame reaches the JPEG encoder).
    """
    hub_index = rungs.index(hub)
    from_source = video.split()
    hub_branches = _scale(from_source[hub_index], hub).split()
    streams = []
    for index, rung in enumerate(rungs):
        if index < hub_index:
            streams.append(_scale(hub_branches[index], rung))
        elif index == hub_index:
            streams.append(hub_branches[hub_index])
        else:
            streams.append(_scale(from_source[index], rung))
    poster = hub_branches[len(rungs)].filter("select", f"eq(n,{poster_frame})")
    return streams, poster


def _poster_frame_index(probe: ProbeResult, duration: float, max_fps: float) -> int:
    # Around 1 s in (half-way for shorter clips): the first frame is often black or a blur.
    fps = min(probe.fps or 30.0, max_fps)
    return max(0, min(int(fps * min(1.0, duration / 2.0)), int(fps * duration) - 1))


def _x264_options(rungs: Sequence[RungSpec], preset: str, crf: int, x264_params: str | None):
    options: dict[str, object] = {
        "c:v": "libx264",
        "preset": preset,
        "crf": crf,
        "profile:v": "high",
        "pix_fmt": "yuv420p",
        "color_range": "tv",
        # Keyframes exactly at segment boundaries, the same in every rung (no scene-cut
        # keyframes), so that players can switch rungs at any segment.
        "force_key_frames": f"expr:gte(t,n_forced*{SEGMENT_SECONDS:g})",
        "sc_threshold": 0,
    }
    for index, rung in enumerate(rungs):
        if index < len(rungs) - 1:
            # The small rungs' encoders run side by side with the top one: one thread each
            # saves x264's frame-threading overhead; the top rung keeps x264's default.
            options[f"threads:v:{index}"] = 1
        options[f"maxrate:v:{index}"] = f"{rung.maxrate_kbps}k"
        options[f"bufsize:v:{index}"] = f"{rung.bufsize_kbps}k"
    if x264_params:
        options["x264-params"] = x264_params
    return options


_AUDIO_OPTIONS = {"c:a": "aac", "b:a": AUDIO_BITRATE, "ac": 2, "ar": AUDIO_SAMPLE_RATE}
# No metadata from the upload reaches any output: no GPS location, make, model, creation time.
_NO_METADATA = {"map_metadata": -1, "map_chapters": -1}


def _normalised_audio(source_audio, duration: float):
    return (
        source_audio.filter("atrim", duration=f"{duration:.3f}")
        .filter("loudnorm", **LOUDNORM)
        # loudnorm works (and outputs) at 192 kHz.
        .filter("aresample", AUDIO_SAMPLE_RATE)
    )


# --- post-processing -----------------------------------------------------------------------

_EXTINF = re.compile(r"#EXTINF:([0-9.]+)")
_MAP_URI = re.compile(r'#EXT-X-MAP:URI="([^"]+)"')


def _media_segments(playlist: Path) -> list[tuple[float, Path]]:
    segments, duration = [], None
    for line in playlist.read_text().splitlines():
        match = _EXTINF.match(line)
        if match:
            duration = float(match.group(1))
        elif line and not line.startswith("#") and duration is not None:
            segments.append((duration, playlist.parent / line))
            duration = None
    return segments


def _stable_init_name(playlist: Path) -> Path:
    """FFmpeg names the fMP4 init segment init_<variant index>.mp4; make it init.mp4."""
    text = playlist.read_text()
    match = _MAP_URI.search(text)
    if not match:
        raise TranscodeError(f"{playlist} has no EXT-X-MAP")
    init = playlist.parent / match.group(1)
    target = playlist.parent / "init.mp4"
    if init != target:
        init.rename(target)
        playlist.write_text(text.replace(match.group(0), '#EXT-X-MAP:URI="init.mp4"'))
    return target


def _rates(playlist: Path) -> tuple[float, float, int]:
    """(peak segment bit rate, average bit rate, bytes incl. init) of a media playlist."""
    segments = _media_segments(playlist)
    if not segments:
        raise TranscodeError(f"{playlist} lists no segments")
    sizes = [(duration, path.stat().st_size) for duration, path in segments]
    peak = max(size * 8 / duration for duration, size in sizes if duration > 0)
    total_duration = sum(duration for duration, _ in sizes)
    total_bytes = sum(size for _, size in sizes)
    init_bytes = (playlist.parent / "init.mp4").stat().st_size
    return peak, total_bytes * 8 / total_duration, total_bytes + init_bytes


def _avc_codecs_string(rung_dir: Path) -> str:
    """RFC 6381 codec string from the real SPS, e.g. avc1.64001f (High, level 3.1)."""
    first_segment = _media_segments(rung_dir / "index.m3u8")[0][1]
    data = (rung_dir / "init.mp4").read_bytes() + first_segment.read_bytes()
    import av  # here, not at start-up (see videos/probe.py)

    with av.open(BytesIO(data), format="mp4") as container:
        avcc = container.streams.video[0].codec_context.extradata
    if not avcc or len(avcc) < 4 or avcc[0] != 1:
        raise TranscodeError(f"no avcC in {rung_dir / 'init.mp4'}")
    return f"avc1.{avcc[1]:02x}{avcc[2]:02x}{avcc[3]:02x}"


def _write_master(
    out_dir: Path,
    rungs: Sequence[RungSpec],
    frame_rate: float,
    has_audio: bool,
) -> tuple[list[Rendition], str]:
    audio_peak = audio_average = 0.0
    audio_lines: list[str] = []
    if has_audio:
        audio_peak, audio_average, _ = _rates(out_dir / "audio" / "index.m3u8")
        audio_lines.append(
            '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,'
            'CHANNELS="2",URI="audio/index.m3u8"'
        )
    renditions = []
    for rung in rungs:
        playlist = out_dir / rung.name / "index.m3u8"
        peak, average, size = _rates(playlist)
        codecs = _avc_codecs_string(playlist.parent)
        renditions.append(
            Rendition(
                name=rung.name,
                width=rung.width,
                height=rung.height,
                # BANDWIDTH must cover the worst segment of every rendition played together.
                bandwidth=math.ceil(peak + audio_peak),
                average_bandwidth=math.ceil(average + audio_average),
                codecs=f"{codecs},mp4a.40.2" if has_audio else codecs,
                frame_rate=round(frame_rate, 3),
                playlist=playlist,
                size_bytes=size,
            )
        )
    # Safari starts with the first variant listed and hls.js falls back to it when it has no
    # bandwidth estimate yet: put a mid rung first (quick start on most connections), then the
    # others in ascending order. hls.js sorts by bandwidth itself; order does not matter to ABR.
    start_name = _pick(rungs, START_SHORT_SIDE).name
    ordered = sorted(renditions, key=lambda item: (item.name != start_name, item.bandwidth))
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS", *audio_lines]
    for rendition in ordered:
        attributes = [
            f"BANDWIDTH={rendition.bandwidth}",
            f"AVERAGE-BANDWIDTH={rendition.average_bandwidth}",
            f"RESOLUTION={rendition.width}x{rendition.height}",
            f'CODECS="{rendition.codecs}"',
            f"FRAME-RATE={rendition.frame_rate:.3f}",
        ]
        if has_audio:
            attributes.append('AUDIO="audio"')
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), f"{rendition.name}/index.m3u8"]
    master_text = "\n".join(lines) + "\n"
    (out_dir / "master.m3u8").write_text(master_text)
    return renditions, master_text


def _concat_input(playlist: Path, cwd: Path) -> ffmpeg.nodes.Stream:
    # init + media segments, byte-concatenated, are one valid fragmented MP4.
    parts = [playlist.parent / "init.mp4", *(path for _, path in _media_segments(playlist))]
    relative = "|".join(str(part.relative_to(cwd)) for part in parts)
    return ffmpeg.input(f"concat:{relative}", f="mp4")


def _video_duration(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is None:
            raise TranscodeError(f"{path} has no video duration")
        return float(stream.duration * stream.time_base)


def _dir_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


@contextlib.contextmanager
def _staging_dir(out_dir: Path):
    """A fresh directory beside ``out_dir`` (same filesystem, so the final swap is a rename);
    removed if anything fails."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` with ``staging``, leaving exactly one clean set of files."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        old.rmdir()
        out_dir.rename(old)
    staging.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --- the pipeline --------------------------------------------------------------------------


def transcode(
    source_path: str | Path,
    out_dir: str | Path,
    *,
    probe: ProbeResult,
    start: float | None = None,
    preset: str = DEFAULT_PRESET,
    crf: int = DEFAULT_CRF,
    ladder: Sequence[int] = LADDER_SHORT_SIDES,
    top_maxrate_kbps: int = TOP_MAXRATE_KBPS,
    max_fps: float = MAX_FPS,
    x264_params: str | None = DEFAULT_X264_PARAMS,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> TranscodeResult:
    """Transcode ``source_path`` (already accepted by ``probe_upload``) into ``out_dir``.

    Writes ``master.m3u8``, ``<rung>/index.m3u8`` + ``init.mp4`` + ``seg_NNN.m4s`` per rung,
    ``audio/...`` when the clip has sound, ``fallback.mp4`` (faststart) and ``poster.jpg``.
    ``start`` defaults to the probe's validated start. If ``out_dir`` exists it is replaced
    atomically once the new set is complete, so a retry never leaves a mixture.

    Raises :class:`TranscodeError` (or :class:`TransientTranscodeError`, worth a retry).
    """
    source = Path(source_path)
    out_dir = Path(out_dir)
    start = probe.start if start is None else start
    duration, trim_to = _output_duration(probe, start)
    fps = min(probe.fps or 30.0, max_fps)
    rungs = plan_renditions(
        probe.width,
        probe.height,
        fps=fps,
        ladder=ladder,
        top_maxrate_kbps=top_maxrate_kbps,
        source_bitrate=probe.video_bitrate,
    )
    fallback_rung = _pick(rungs, FALLBACK_SHORT_SIDE)
    timings: dict[str, float] = {}

    with _staging_dir(out_dir) as staging:
        # 1. One FFmpeg: decode once, every rung + audio once + poster.
        began = time.perf_counter()
        source_input = _source_input(source, probe, start)
        video = _prepared_video(_video_of(source_input, probe), probe, trim_to, max_fps)
        rung_streams, poster_stream = _scaling_tree(
            video, rungs, fallback_rung, _poster_frame_index(probe, duration, max_fps)
        )
        streams = list(rung_streams)
        variants = [f"v:{index},name:{rung.name}" for index, rung in enumerate(rungs)]
        if probe.has_audio:
            streams.append(_normalised_audio(_audio_of(source_input, probe), trim_to))
            # One audio rendition in its own group, shared by every video variant. FFmpeg also
            # lists it as an audio-only variant in its master playlist; ours replaces that one.
            variants = ["a:0,agroup:audio,name:audio"] + [
                f"{variant},agroup:audio" for variant in variants
            ]
        hls = ffmpeg.output(
            *streams,
            "%v/index.m3u8",
            f="hls",
            hls_time=f"{SEGMENT_SECONDS:g}",
            hls_playlist_type="vod",
            hls_segment_type="fmp4",
            hls_flags="independent_segments",
            hls_fmp4_init_filename="init.mp4",
            hls_segment_filename="%v/seg_%03d.m4s",
            var_stream_map=" ".join(variants),
            **_x264_options(rungs, preset, crf, x264_params),
            **(_AUDIO_OPTIONS if probe.has_audio else {}),
            **_NO_METADATA,
        )
        poster = ffmpeg.output(
            poster_stream,
            "poster.jpg",
            **{"frames:v": 1, "update": 1, "c:v": "mjpeg", "q:v": POSTER_QUALITY},
            **_NO_METADATA,
        )
        _run_ffmpeg(
            _compile(ffmpeg.merge_outputs(hls, poster)),
            cwd=staging,
            timeout=timeout,
            what="transcode",
        )
        timings["encode"] = time.perf_counter() - began

        # 2. Stable names, MP4 fallback by stream copy (+faststart: moov before mdat).
        began = time.perf_counter()
        for rung in rungs:
            _stable_init_name(staging / rung.name / "index.m3u8")
        if probe.has_audio:
            _stable_init_name(staging / "audio" / "index.m3u8")
        copy_inputs = [_concat_input(staging / fallback_rung.name / "index.m3u8", staging).video]
        if probe.has_audio:
            copy_inputs.append(_concat_input(staging / "audio" / "index.m3u8", staging).audio)
        fallback = ffmpeg.output(
            *copy_inputs,
            "fallback.mp4",
            c="copy",
            movflags="+faststart",
            **_NO_METADATA,
        )
        _run_ffmpeg(_compile(fallback), cwd=staging, timeout=timeout, what="MP4 fallback")
        timings["fallback_mp4"] = time.perf_counter() - began

        # 3. Master playlist from what was actually written.
        began = time.perf_counter()
        renditions, _ = _write_master(staging, rungs, fps, probe.has_audio)
        output_duration = _video_duration(staging / "fallback.mp4")
        mp4_size = (staging / "fallback.mp4").stat().st_size
        poster_size = (staging / "poster.jpg").stat().st_size
        total_size = _dir_size(staging)
        timings["playlists"] = time.perf_counter() - began

        _swap_into_place(staging, out_dir)

    top = rungs[-1]
    return TranscodeResult(
        out_dir=out_dir,
        master_playlist=out_dir / "master.m3u8",
        renditions=tuple(
            Rendition(**{**vars(r), "playlist": out_dir / r.name / "index.m3u8"})
            for r in renditions
        ),
        audio_playlist=out_dir / "audio" / "index.m3u8" if probe.has_audio else None,
        mp4_path=out_dir / "fallback.mp4",
        poster_path=out_dir / "poster.jpg",
        duration=output_duration,
        has_audio=probe.has_audio,
        width=top.width,
        height=top.height,
        mp4_size_bytes=mp4_size,
        poster_size_bytes=poster_size,
        total_size_bytes=total_size,
        timings=timings,
    )


# --- the trim step's strip of frames ---------------------------------------------------------

FRAME_HEIGHT = 240  # shown at half size in the strip (sharp on dense screens), full size large
FRAME_QUALITY = 5  # mjpeg qscale: a few KB per frame
FRAMES_TIMEOUT_S = 60.0


def extract_frames(
    source_path: str | Path,
    out_dir: str | Path,
    *,
    probe: ProbeResult,
    times: Sequence[float],
    height: int = FRAME_HEIGHT,
    timeout: float = FRAMES_TIMEOUT_S,
) -> list[Path]:
    """One small upright JPEG per time in ``times`` (seconds), ``frame-NN.jpg`` in ``out_dir``.

    One FFmpeg process with one input per time: each input seeks on its own (fast: it jumps to
    the keyframe before and decodes only from there), so a 60-second clip costs about as much
    as a 5-second one. Raises :class:`TranscodeError` like :func:`transcode`.
    """
    source = Path(source_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The displayed size (rotation and non-square pixels applied), scaled to `height`.
    size = (_even(height * probe.width / probe.height), _even(height))
    outputs, paths = [], []
    for index, at in enumerate(times):
        frame = _video_of(_source_input(source, probe, at), probe)
        frame = frame.filter("scale", size[0], size[1]).filter("setsar", "1")
        name = f"frame-{index:02d}.jpg"
        outputs.append(
            ffmpeg.output(
                frame,
                name,
                **{"frames:v": 1, "update": 1, "c:v": "mjpeg", "q:v": FRAME_QUALITY},
                **_NO_METADATA,
            )
        )
        paths.append(out_dir / name)
    if outputs:
        _run_ffmpeg(
            _compile(ffmpeg.merge_outputs(*outputs)), cwd=out_dir, timeout=timeout, what="frames"
        )
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise TranscodeError(f"frames: FFmpeg wrote no {', '.join(missing)}")
    return paths
