"""Where the FFmpeg executable is.

Rule: the ``FFMPEG_BINARY`` Django setting if set, else the ``FFMPEG_BINARY`` environment
variable, else ``ffmpeg`` on ``PATH``, else the static build shipped in the imageio-ffmpeg
wheel. The answer is cached for the life of the process (a Celery worker resolves it once);
tests that change the setting clear it (``ffmpeg_binary.cache_clear()``).
"""

from __future__ import annotations

import functools
import os
import shutil


def _configured_setting() -> str:
    # Importing settings is cheap; reading them before configuration raises, and the bench runs
    # without a Django project, so an unconfigured settings object just means "not set".
    try:
        from django.conf import settings

        if settings.configured:
            return str(getattr(settings, "FFMPEG_BINARY", "") or "")
    except ImportError:  # pragma: no cover - Django is a hard dependency of the project
        pass
    return ""


@functools.cache
def ffmpeg_binary() -> str:
    """Return the path of the FFmpeg executable to run (see the module docstring for the rule)."""
    configured = _configured_setting() or os.environ.get("FFMPEG_BINARY", "")
    if configured:
        return configured
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()
