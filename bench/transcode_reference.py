"""The straightforward design of the video pipeline, for bench/transcode.py only.

One FFmpeg process per output, each decoding the source again: what the single-process
pipeline in :mod:`videos.transcode` is measured against (``speedup_vs_reference``). It reuses
that module's building blocks, so both make the same ladder with the same rate caps.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import ffmpeg

from videos.probe import ProbeResult
from videos.transcode import (
    _AUDIO_OPTIONS,
    _NO_METADATA,
    DEFAULT_CRF,
    DEFAULT_TIMEOUT_S,
    FALLBACK_SHORT_SIDE,
    LADDER_SHORT_SIDES,
    MAX_FPS,
    POSTER_QUALITY,
    SEGMENT_SECONDS,
    TOP_MAXRATE_KBPS,
    RungSpec,
    _audio_of,
    _compile,
    _normalised_audio,
    _output_duration,
    _pick,
    _poster_frame_index,
    _prepared_video,
    _run_ffmpeg,
    _scale,
    _source_input,
    _video_of,
    _x264_options,
    plan_renditions,
)

# A slower preset than the pipeline's: the naive design as it was first written.
REFERENCE_PRESET = "veryfast"


def transcode_reference(
    source_path: str | Path,
    out_dir: str | Path,
    *,
    probe: ProbeResult,
    start: float | None = None,
    preset: str = REFERENCE_PRESET,
    crf: int = DEFAULT_CRF,
    ladder: Sequence[int] = LADDER_SHORT_SIDES,
    top_maxrate_kbps: int = TOP_MAXRATE_KBPS,
    max_fps: float = MAX_FPS,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> dict[str, float]:
    """The straightforward design, for the benchmark only: one FFmpeg process per output.

    Each rung (HLS with its own audio), the MP4 (re-encoded) and the poster are made by separate
    FFmpeg runs, each decoding the source again. Same ladder and rate caps as :func:`transcode`.
    Returns the wall time of each output, in seconds; files go to ``out_dir`` (not swapped).
    """
    source = Path(source_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
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

    def encode(rung: RungSpec, target: str, **muxer_options: object) -> None:
        source_input = _source_input(source, probe, start)
        streams = [
            _scale(_prepared_video(_video_of(source_input, probe), probe, trim_to, max_fps), rung)
        ]
        if probe.has_audio:
            streams.append(_normalised_audio(_audio_of(source_input, probe), trim_to))
        began = time.perf_counter()
        output = ffmpeg.output(
            *streams,
            target,
            **_x264_options([rung], preset, crf, None),
            **(_AUDIO_OPTIONS if probe.has_audio else {}),
            **_NO_METADATA,
            **muxer_options,
        )
        _run_ffmpeg(_compile(output), cwd=out_dir, timeout=timeout, what=f"reference {target}")
        timings[target] = time.perf_counter() - began

    for rung in rungs:
        (out_dir / rung.name).mkdir(exist_ok=True)
        encode(
            rung,
            f"{rung.name}/index.m3u8",
            f="hls",
            hls_time=f"{SEGMENT_SECONDS:g}",
            hls_playlist_type="vod",
            hls_segment_type="fmp4",
            hls_segment_filename=f"{rung.name}/seg_%03d.m4s",
        )
    encode(fallback_rung, "fallback.mp4", movflags="+faststart")

    began = time.perf_counter()
    source_input = _source_input(source, probe, start)
    poster = ffmpeg.output(
        _scale(
            _prepared_video(_video_of(source_input, probe), probe, trim_to, max_fps), fallback_rung
        ).filter("select", f"eq(n,{_poster_frame_index(probe, duration, max_fps)})"),
        "poster.jpg",
        **{"frames:v": 1, "update": 1, "c:v": "mjpeg", "q:v": POSTER_QUALITY},
        **_NO_METADATA,
    )
    _run_ffmpeg(_compile(poster), cwd=out_dir, timeout=timeout, what="reference poster")
    timings["poster.jpg"] = time.perf_counter() - began
    return timings
