"""Serving local media files: byte ranges (video players seek and browsers probe with them),
the right types for HLS, and long-lived caching for files that never change.

In production a web server, S3 or a CDN serves public media instead (SERVE_MEDIA=False).
Private media (files of videos that are not public) is served here, from outside MEDIA_ROOT,
only for a valid, unexpired signature (core.storage.signed_media_url). Uploaded originals are
never served at all.

Names are checked as the client spelled them, before anything is normalised: a name is
served only if it is already in its one canonical form (`videos/...` or `avatars/...`, no
empty, `.` or `..` segment, no backslash, nothing percent-encoded left), so that no other
spelling of a path can reach another file.
"""

import mimetypes
import re
import time
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.crypto import constant_time_compare
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from core.storage import (
    IMMUTABLE,
    PRIVATE_PREFIX,
    content_type_for,
    media_signature,
    signed_folder,
)

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024
SEGMENT_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
PUBLIC_FOLDERS = ("videos", "avatars")


def canonical_media_name(path: str, *, first: tuple[str, ...]) -> bool:
    """True when `path` is a plain relative name whose first folder is one of `first`."""
    segments = path.split("/")
    return (
        len(segments) >= 2
        and segments[0] in first
        and all(SEGMENT_RE.match(segment) and ".." not in segment for segment in segments)
    )


class _RangeFile:
    """Yields `length` bytes of a file from `start`."""

    def __init__(self, path: Path, start: int, length: int):
        self.handle = path.open("rb")
        self.handle.seek(start)
        self.remaining = length

    def __iter__(self):
        while self.remaining > 0:
            chunk = self.handle.read(min(CHUNK, self.remaining))
            if not chunk:
                break
            self.remaining -= len(chunk)
            yield chunk

    def close(self):
        self.handle.close()


def _file_in(root, path: str) -> Path:
    try:
        full_path = Path(safe_join(root, path))
    except Exception:  # SuspiciousFileOperation for paths that leave the root
        raise Http404 from None
    if not full_path.is_file():
        raise Http404
    return full_path


@require_safe
def serve_media(request, path):
    """Public media: public videos' files and avatars, cached for good."""
    if not canonical_media_name(path, first=PUBLIC_FOLDERS):
        raise Http404
    full_path = _file_in(settings.MEDIA_ROOT, path)
    # Video files live under a fresh versioned path per processing run and never change;
    # avatars get a new random name per upload.
    return _file_response(request, full_path, IMMUTABLE)


@require_safe
def serve_private_media(request, expires, signature, path):
    """A file of a video that is not public, for a valid signature until it expires."""
    folder = signed_folder(path)
    if (
        folder is None
        or not canonical_media_name(path, first=(PRIVATE_PREFIX.rstrip("/"),))
        or not path.startswith(PRIVATE_PREFIX + "videos/")
        or not constant_time_compare(signature, media_signature(int(expires), folder))
    ):
        raise Http404
    remaining = int(expires) - int(time.time())
    if remaining <= 0:
        raise Http404
    full_path = _file_in(settings.PRIVATE_MEDIA_ROOT, path)
    response = _file_response(request, full_path, f"private, max-age={remaining}")
    response["X-Robots-Tag"] = "noindex"
    return response


def _file_response(request, full_path: Path, cache_control: str):
    stat = full_path.stat()
    etag = f'"{stat.st_size:x}-{int(stat.st_mtime):x}"'
    if request.headers.get("If-None-Match") == etag or (
        (since := parse_http_date_safe(request.headers.get("If-Modified-Since", "")))
        and int(stat.st_mtime) <= since
    ):
        return HttpResponseNotModified()

    content_type = content_type_for(full_path.name) or mimetypes.guess_type(full_path.name)[0]
    size = stat.st_size
    match = RANGE_RE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), int(last) if last else size - 1
        else:  # the last N bytes
            start, end = max(0, size - int(last)), size - 1
        end = min(end, size - 1)
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = FileResponse(_RangeFile(full_path, start, end - start + 1), status=206)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(full_path.open("rb"))
        response["Content-Length"] = str(size)
    response["Content-Type"] = content_type or "application/octet-stream"
    response["Accept-Ranges"] = "bytes"
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    if request.method == "HEAD":
        response.streaming_content = []
    return response
