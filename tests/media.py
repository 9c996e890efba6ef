"""The shared corpus of edge-case media files (../shared/media-edge, see its README)."""

import os
from pathlib import Path

import pytest

from videos.ffmpeg_binary import ffmpeg_binary

# MEDIA_EDGE_DIR: for a checkout elsewhere (a git worktree) than beside shared/.
MEDIA_EDGE = Path(
    os.environ.get("MEDIA_EDGE_DIR")
    or Path(__file__).resolve().parents[1] / ".." / "shared" / "media-edge"
)

needs_media_edge = pytest.mark.skipif(
    not MEDIA_EDGE.is_dir(),
    reason=f"edge-case corpus not found at {MEDIA_EDGE} (CI clones shared/ beside the repo)",
)


def clear_ffmpeg_binary_cache() -> None:
    """Forget which FFmpeg the process found, after a test overrides ``settings.FFMPEG_BINARY``."""
    ffmpeg_binary.cache_clear()
