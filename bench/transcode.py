"""Benchmark of the video pipeline: wall time, speed-up over the naive design, quality.

Run from the repository root::

    .venv/bin/python bench/transcode.py [--runs 3] [--keep DIR]

It makes four 5-second clips with FFmpeg (the content is described in ``CLIPS``), runs each
through :func:`videos.transcode.transcode` (exactly what the worker runs, after
:func:`videos.probe.probe_upload`) and through ``bench/transcode_reference.py`` (one
FFmpeg process per output), and measures the VMAF of the top rung against the source with
libvmaf from the imageio-ffmpeg binary. It prints one line per clip and, last, exactly one line:

    RESULT transcode_wall_s=... realtime_ratio=... speedup_vs_reference=... top_vmaf=...

for the 1080x1920 30 fps clip: the median wall time over ``--runs`` (at least 3) runs of the
pipeline, that divided by the clip's 5 s, the median reference time divided by it, and VMAF.
Targets: realtime_ratio <= 0.75 at top_vmaf >= 90, speedup_vs_reference >= 2.0.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

CLIP_SECONDS = 5

# Synthetic content with real motion and detail, so that VMAF means something: the testsrc2
# pattern (moving gradient, text, colour bars, sharp edges) under a zooming Mandelbrot window
# whose fractal border has fine detail that changes every frame, and a swept sine with beeps.
# Sources are encoded the way phones do (H.264 at a fixed ~16 Mb/s for 1080p30), VP9+Opus
# for the WebM, and a 90-degree display matrix for the MOV.
_CONTENT = (
    "testsrc2=s={w}x{h}:r={fps}[bg];"
    "mandelbrot=s={m}x{m}:r={fps}:maxiter=200:start_scale=2.5:end_scale=0.3[fractal];"
    "[bg][fractal]overlay=x='(W-w)*(0.5+0.45*sin(t*1.5))':y='(H-h)*(0.1+0.16*t)',"
    "format=yuv420p"
)
_AUDIO = "sine=f=440:beep_factor=4:sample_rate=48000"


@dataclass(frozen=True)
class Clip:
    name: str
    filename: str
    width: int
    height: int
    fps: int
    encode_args: tuple[str, ...]
    input_args: tuple[str, ...] = ()
    rotate_display: int | None = None


CLIPS = (
    Clip(
        "vertical_1080x1920_30fps",
        "vertical.mp4",
        1080,
        1920,
        30,
        ("-c:v", "libx264", "-preset", "fast", "-b:v", "16M", "-maxrate", "20M"),
    ),
    Clip(
        "landscape_1920x1080_60fps",
        "landscape.mp4",
        1920,
        1080,
        60,
        ("-c:v", "libx264", "-preset", "fast", "-b:v", "24M", "-maxrate", "30M"),
    ),
    Clip(
        "webm_vp9_opus_720x1280",
        "vp9.webm",
        720,
        1280,
        30,
        ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "6M"),
    ),
    Clip(
        "mov_rotated90_1280x720",
        "rotated.mov",
        1280,
        720,
        30,
        ("-c:v", "libx264", "-preset", "fast", "-b:v", "8M"),
        rotate_display=90,
    ),
)
MAIN_CLIP = CLIPS[0].name


def _tool_ffmpeg() -> str:
    # Generation and VMAF need libvmaf, mandelbrot, libvpx: use the imageio-ffmpeg static build
    # whatever binary the pipeline itself resolves to.
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _run(args: list[str]) -> str:
    completed = subprocess.run(args, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{completed.stderr[-3000:]}")
    return completed.stderr


def make_clip(clip: Clip, folder: Path) -> Path:
    """Generate ``clip`` into ``folder`` and return its path."""
    ffmpeg = _tool_ffmpeg()
    content = _CONTENT.format(
        w=clip.width, h=clip.height, fps=clip.fps, m=min(clip.width, clip.height) * 2 // 3
    )
    audio_codec = (
        ["-c:a", "libopus", "-b:a", "96k"]
        if clip.filename.endswith(".webm")
        else [
            "-c:a",
            "aac",
            "-b:a",
            "160k",
        ]
    )
    target = folder / clip.filename
    staging = folder / f"plain-{clip.filename}"
    _run(
        [
            ffmpeg,
            "-hide_banner",
            "-y",
            "-f",
            "lavfi",
            "-i",
            content,
            "-f",
            "lavfi",
            "-i",
            _AUDIO,
            "-t",
            str(CLIP_SECONDS),
            *clip.encode_args,
            *audio_codec,
            str(staging if clip.rotate_display else target),
        ]
    )
    if clip.rotate_display:
        # A phone stores landscape pixels plus a display matrix; add one by stream copy.
        _run(
            [
                ffmpeg,
                "-hide_banner",
                "-y",
                "-display_rotation:v:0",
                str(clip.rotate_display),
                "-i",
                str(staging),
                "-c",
                "copy",
                "-metadata",
                "location=+48.8583+002.2945/",
                "-metadata",
                "make=Apple",
                "-metadata",
                "model=iPhone 15",
                str(target),
            ]
        )
        staging.unlink()
    return target


def vmaf(distorted: Path, reference: Path, width: int, height: int, fps: float) -> float:
    """VMAF (model v0.6.1) of ``distorted`` against ``reference``, both decoded by FFmpeg (so
    both have the display rotation applied), the reference scaled to the distorted size.

    Frames are paired by index: libvmaf pairs by timestamp, and WebM's millisecond timestamps
    against MP4's 1/15360 s ones would otherwise pair every third frame with its neighbour.
    """
    by_index = f"setpts=N/({fps:g}*TB)"
    graph = (
        f"[0:v]{by_index}[distorted];"
        f"[1:v]{by_index},scale={width}:{height}:flags=bicubic[reference];"
        f"[distorted][reference]libvmaf=n_threads={os.cpu_count() or 2}"
    )
    log = _run(
        [
            _tool_ffmpeg(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(distorted),
            "-i",
            str(reference),
            "-lavfi",
            graph,
            "-f",
            "null",
            "-",
        ]
    )
    match = re.search(r"VMAF score: ([0-9.]+)", log)
    if not match:
        raise SystemExit(f"no VMAF score in:\n{log[-2000:]}")
    return float(match.group(1))


def _top_rung_as_file(result, folder: Path) -> Path:
    """The top rung's init + segments concatenated: one fragmented MP4 FFmpeg can read."""
    top = result.renditions[-1]
    playlist = top.playlist
    target = folder / f"top-{top.name}.mp4"
    with target.open("wb") as out:
        out.write((playlist.parent / "init.mp4").read_bytes())
        for line in playlist.read_text().splitlines():
            if line and not line.startswith("#"):
                out.write((playlist.parent / line).read_bytes())
    return target


def _children_cpu() -> float:
    """CPU seconds used so far by finished child processes (FFmpeg), user + system.

    Printed next to wall times: when something else loads the machine, wall time grows but
    CPU time hardly does, which tells a slow run from a slow pipeline."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _configure_django() -> None:
    # The pipeline only needs translations for refusal messages; no project settings needed.
    import django
    from django.conf import settings

    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        settings.configure(USE_I18N=False)
    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="pipeline runs per clip (>= 3)")
    parser.add_argument(
        "--reference-runs", type=int, default=3, help="reference runs for the main clip (>= 1)"
    )
    parser.add_argument("--keep", type=Path, help="keep clips and outputs in this folder")
    args = parser.parse_args()
    runs = max(3, args.runs)
    args.reference_runs = max(1, min(args.reference_runs, runs))

    _configure_django()
    from bench.transcode_reference import transcode_reference
    from videos.ffmpeg_binary import ffmpeg_binary
    from videos.probe import probe_upload
    from videos.transcode import DEFAULT_CRF, DEFAULT_PRESET, transcode

    print(
        f"ffmpeg={ffmpeg_binary()} preset={DEFAULT_PRESET} crf={DEFAULT_CRF} "
        f"cpus={os.cpu_count()} runs={runs}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="microvid-bench-"))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        workdir = args.keep
    summary: dict[str, dict[str, float]] = {}
    try:
        for clip in CLIPS:
            began = time.perf_counter()
            source = make_clip(clip, workdir)
            generated = time.perf_counter() - began

            began = time.perf_counter()
            probe = probe_upload(source)
            probe_s = time.perf_counter() - began

            # Pipeline and reference runs alternate, so that a load change on the machine
            # affects both sides of the speed-up alike.
            walls, cpus, reference_walls, reference_cpus = [], [], [], []
            result = None
            clip_runs = runs if clip.name == MAIN_CLIP else 1
            for run in range(clip_runs):
                began, cpu_before = time.perf_counter(), _children_cpu()
                result = transcode(source, workdir / f"{clip.name}-out", probe=probe)
                walls.append(time.perf_counter() - began)
                cpus.append(_children_cpu() - cpu_before)
                if run >= args.reference_runs:
                    continue
                reference_dir = workdir / f"{clip.name}-reference"
                shutil.rmtree(reference_dir, ignore_errors=True)
                began, cpu_before = time.perf_counter(), _children_cpu()
                transcode_reference(source, reference_dir, probe=probe)
                reference_walls.append(time.perf_counter() - began)
                reference_cpus.append(_children_cpu() - cpu_before)
            assert result is not None

            top = result.renditions[-1]
            score = vmaf(
                _top_rung_as_file(result, workdir), source, top.width, top.height, probe.fps
            )
            wall = statistics.median(walls)
            reference = statistics.median(reference_walls)
            summary[clip.name] = {"wall": wall, "reference": reference, "vmaf": score}
            timings = " ".join(f"{key}={value:.2f}" for key, value in result.timings.items())
            ladder = ",".join(f"{r.name}:{r.average_bandwidth // 1000}k" for r in result.renditions)
            print(
                f"clip={clip.name} source={probe.width}x{probe.height}@{probe.fps:g} "
                f"{probe.video_codec} {probe.video_bitrate // 1000}k "
                f"wall_s={wall:.2f} (runs {' '.join(f'{w:.2f}' for w in walls)}; "
                f"{timings}; probe={probe_s:.2f}) cpu_s={statistics.median(cpus):.2f} "
                f"reference_s={reference:.2f} "
                f"reference_cpu_s={statistics.median(reference_cpus):.2f} "
                f"speedup={reference / wall:.2f} top={top.width}x{top.height} "
                f"vmaf={score:.1f} ladder={ladder} mp4={result.mp4_size_bytes // 1000}kB "
                f"total={result.total_size_bytes // 1000}kB (generated in {generated:.1f}s)",
                flush=True,
            )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    main = summary[MAIN_CLIP]
    print(
        f"RESULT transcode_wall_s={main['wall']:.2f} "
        f"realtime_ratio={main['wall'] / CLIP_SECONDS:.3f} "
        f"speedup_vs_reference={main['reference'] / main['wall']:.2f} "
        f"top_vmaf={main['vmaf']:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
