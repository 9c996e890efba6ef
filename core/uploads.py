"""Upload limits: files over the largest size we accept are refused while they stream in, and
no request body may be much larger than that (settings.MAX_REQUEST_BODY_BYTES).

Two layers, because Django reads bodies in two ways:
- under WSGI the multipart parser streams the body through `SizeLimitUploadHandler`, which
  stops storing a file at the limit and refuses to read a body declared larger than the cap;
- under ASGI Django first copies the whole body to a temporary file, so `BodySizeLimit` (in
  front of Django in microvid/asgi.py) answers 413 before reading past the cap.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict


class OversizedUpload(UploadedFile):
    """Stands in for a file that was refused while it streamed in: nothing of it is kept."""

    def __init__(self, name, content_type, size):
        super().__init__(io.BytesIO(b""), name, content_type, size)


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuse files over `MAX_UPLOAD_BYTES` while they stream in.

    Past the limit the file's bytes are thrown away instead of being kept in memory or on
    disk, but the rest of the form is still read, so the page can say what was wrong without
    losing what was typed. The request is marked with `upload_too_large`. A body declared
    larger than `MAX_REQUEST_BODY_BYTES` is not read at all (its form comes out empty, marked
    the same way).
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.MAX_REQUEST_BODY_BYTES:
            self.request.upload_too_large = True
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            self.oversized = True
        # None: later handlers (memory, temporary file) get nothing more of this file.
        return None if self.oversized else raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None
        self.request.upload_too_large = True
        return OversizedUpload(self.file_name, self.content_type, self.received)


TOO_LARGE_PAGE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title}</title></head><body><main><h1>{title}</h1><p>{message}</p>
<p><a href="/">{home}</a></p></main></body></html>"""


def _too_large_body() -> bytes:
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    return TOO_LARGE_PAGE.format(
        lang=translation.get_language() or "en",
        title=escape(_("That file is too large")),
        message=escape(
            _("Videos can be up to %(size)d MB. Choose a shorter or smaller clip.")
            % {"size": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
        ),
        home=escape(_("Back to the home page")),
    ).encode()


class BodySizeLimit:
    """ASGI middleware: no HTTP request body over `MAX_REQUEST_BODY_BYTES` reaches Django.

    A declared Content-Length over the cap is answered 413 at once, unread; a chunked body is
    counted as it arrives and cut off (413) when it passes the cap.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cap = settings.MAX_REQUEST_BODY_BYTES
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > cap:
            return await self._refuse(send)

        received = 0
        over = False
        started = False

        async def counting_receive():
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        finally:
            if over and not started:
                await self._refuse(send)

    async def _refuse(self, send):
        body = _too_large_body()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
