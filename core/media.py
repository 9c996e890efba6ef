"""Serving local media files: byte ranges (video players seek and browsers probe with them),
the right types for HLS, and long-lived caching for files that never change.

In production a web server, S3 or a CDN serves media instead (SERVE_MEDIA=False).
"""

import mimetypes
import posixpath
import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from core.storage import IMMUTABLE, content_type_for

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


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


@require_safe
def serve_media(request, path):
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, posixpath.normpath(path).lstrip("/")))
    except Exception:  # SuspiciousFileOperation for paths that leave MEDIA_ROOT
        raise Http404 from None
    if path.startswith("uploads/") or not full_path.is_file():
        # Uploaded originals are private: only the processing pipeline reads them.
        raise Http404
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
    # Video files live under a fresh versioned path per processing run and never change;
    # avatars get a new random name per upload.
    immutable = path.startswith(("videos/", "avatars/"))
    response["Cache-Control"] = IMMUTABLE if immutable else "public, max-age=3600"
    if request.method == "HEAD":
        response.streaming_content = []
    return response
