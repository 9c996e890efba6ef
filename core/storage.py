"""Storage helpers shared by every app that writes media files."""

import mimetypes
import shutil
from pathlib import Path

from django.core.files.storage import FileSystemStorage

# Types that Python's mimetypes table lacks or gets wrong for HLS.
MEDIA_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".vtt": "text/vtt",
}
IMMUTABLE = "public, max-age=31536000, immutable"


def register_media_types():
    for extension, content_type in MEDIA_TYPES.items():
        mimetypes.add_type(content_type, extension)


def content_type_for(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def delete_prefix(storage, prefix: str) -> None:
    """Delete every file under `prefix` (a folder-like name ending in '/')."""
    prefix = prefix.rstrip("/") + "/"
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(prefix + name)
    for directory in directories:
        delete_prefix(storage, prefix + directory)
    if isinstance(storage, FileSystemStorage):
        # Remove the emptied folders too.
        shutil.rmtree(storage.path(prefix), ignore_errors=True)
