"""Pleasant synthetic clips made with FFmpeg's lavfi sources, for demo data and tests.

Each recipe is a moving picture (soft gradients, a Mandelbrot zoom, the Game of Life, a
cellular automaton) with a sound (a chord of sine waves or filtered noise), in portrait or
landscape, with the title drawn over it where the FFmpeg build has `drawtext` and a font is
found. Made clips are cached by recipe, size and title, so a demo site is seeded in seconds
after the first time.
"""

import functools
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from videos.ffmpeg_binary import ffmpeg_binary

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
)


@dataclass(frozen=True)
class Recipe:
    name: str
    video: str  # a lavfi source; {w}, {h} and {d} are filled in
    audio: str  # a lavfi audio graph; {d} is filled in
    finish: str = ""  # extra video filters after the source


RECIPES = (
    Recipe(
        "sunset",
        "gradients=s={w}x{h}:d={d}:r=30:speed=0.02:c0=0xff7e5f:c1=0xfeb47b:c2=0x6a3093:nb_colors=3",
        "sine=f=220:d={d},volume=0.25[a0];sine=f=277:d={d},volume=0.2[a1];"
        "sine=f=330:d={d},volume=0.2[a2];[a0][a1][a2]amix=inputs=3",
    ),
    Recipe(
        "ocean",
        "gradients=s={w}x{h}:d={d}:r=30:speed=0.05:c0=0x00c6ff:c1=0x0a2a6b:c2=0x1de9b6"
        ":c3=0x3a7bd5:nb_colors=4:type=circular",
        "anoisesrc=d={d}:c=pink:a=0.15,lowpass=f=900,afade=t=in:d=0.5",
    ),
    Recipe(
        "fractal",
        "mandelbrot=s={q}:r=30:start_scale=2.5:end_scale=0.3:end_pts=40:maxiter=96,scale={w}:{h}",
        "sine=f=196:d={d},volume=0.2[a0];sine=f=294:d={d},volume=0.15[a1];[a0][a1]amix=inputs=2",
        "hue=H=0.6*t",
    ),
    Recipe(
        "life",
        "life=s={q}:r=10:ratio=0.25:mold=20:life_color=0xffd166:death_color=0x073b4c"
        ":mold_color=0x118ab2,scale={w}:{h}:flags=neighbor,fps=30",
        "sine=f=440:d={d}:beep_factor=2,volume=0.15",
    ),
    Recipe(
        "automaton",
        "cellauto=s={w}x{h}:r=30:rule=110:random_fill_ratio=0.3:scroll=1,"
        "colorchannelmixer=rr=0.9:gg=0.3:bb=0.8",
        "sine=f=262:d={d},volume=0.2[a0];sine=f=392:d={d},volume=0.15[a1];[a0][a1]amix=inputs=2",
    ),
)

PORTRAIT = (360, 640)
LANDSCAPE = (640, 360)


@functools.cache
def has_drawtext() -> bool:
    """Whether this FFmpeg build can draw text (it needs libfreetype)."""
    result = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-filters"], capture_output=True, text=True, check=False
    )
    return " drawtext " in result.stdout


@functools.cache
def font_file() -> str:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return ""


def _text(title: str) -> str:
    # With expansion=none only the filter syntax is special: backslash, colon and quote.
    return title.replace("\\", "\\\\").replace("'", "\u2019").replace(":", "\\:")


def make_clip(
    path: Path,
    *,
    recipe: Recipe,
    size: tuple[int, int] = PORTRAIT,
    seconds: float = 3.0,
    title: str = "",
) -> Path:
    """Write an H.264/AAC MP4 of `recipe` to `path`."""
    width, height = size
    # {q}: a quarter-size canvas for the costly or pixel-art sources, scaled up after.
    video = recipe.video.format(w=width, h=height, d=seconds, q=f"{width // 4}x{height // 4}")
    filters = [f for f in (recipe.finish,) if f]
    if title and has_drawtext() and font_file():
        filters.append(
            f"drawtext=fontfile={font_file()}:expansion=none:text='{_text(title)}'"
            ":fontcolor=white"
            f":fontsize={max(18, width // 14)}:borderw=2:bordercolor=black@0.6"
            ":x=(w-text_w)/2:y=h*0.72-20*sin(2*PI*t/3)"
        )
    filters.append("format=yuv420p")
    command = [
        ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", video,
        "-f", "lavfi", "-i", recipe.audio.format(d=seconds),
        "-t", str(seconds), "-vf", ",".join(filters),
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "26",
        "-c:a", "aac", "-b:a", "96k", "-shortest", "-movflags", "+faststart", str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True, timeout=120)
    return path


def cached_clip(cache_dir: Path, **options) -> Path:
    """`make_clip` once per distinct set of options, kept in `cache_dir`."""
    recipe = options["recipe"]
    key = hashlib.sha256(repr(sorted(options.items(), key=str)).encode()).hexdigest()[:16]
    path = Path(cache_dir) / f"{recipe.name}-{key}.mp4"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part.mp4")
        make_clip(partial, **options)
        shutil.move(partial, path)
    return path
