"""Finding 5 of issue 12: uploads cannot exhaust the server. A body over the cap is not read,
one file per request, and uploads are rate limited per user and per address."""

import asyncio
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import BodySizeLimit
from tests.conftest import csrf_post
from videos.models import Video

pytestmark = pytest.mark.django_db


class _CountingStream(io.BytesIO):
    """A request body that records how much of it the server read."""

    def __init__(self, data):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def _multipart(*files, fields=None):
    boundary = "XBOUNDARYX"
    parts = []
    for name, value in (fields or {}).items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    for field, filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: video/mp4\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_a_body_declared_over_the_cap_is_not_read(settings, alice):
    from django.test import RequestFactory

    settings.MAX_UPLOAD_BYTES = 1000
    settings.MAX_REQUEST_BODY_BYTES = 2000
    body, content_type = _multipart(("file", "a.mp4", b"x" * 5000), fields={"title": "Big"})
    stream = _CountingStream(body)
    request = RequestFactory().generic("POST", "/upload/", data=body, content_type=content_type)
    request._stream = stream

    files = request.FILES

    assert stream.consumed == 0
    assert not files
    assert request.upload_too_large


def test_a_file_over_the_limit_stops_being_stored_and_the_form_says_so(client, settings, alice):
    settings.MAX_UPLOAD_BYTES = 10_000
    client.force_login(alice)

    response = csrf_post(
        client,
        reverse("videos:upload"),
        {
            "title": "Kept title",
            "visibility": "public",
            "file": SimpleUploadedFile("a.mp4", b"x" * 50_000),
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "too large" in body
    assert 'value="Kept title"' in body
    assert not Video.objects.exists()


def test_one_file_per_request(client, alice):
    client.force_login(alice)
    response = csrf_post(
        client,
        reverse("videos:upload"),
        {
            "title": "Two",
            "visibility": "public",
            "file": [SimpleUploadedFile("a.mp4", b"a"), SimpleUploadedFile("b.mp4", b"b")],
        },
    )

    assert response.status_code == 400
    assert not Video.objects.exists()


def test_uploads_are_limited_per_user(client, settings, alice):
    settings.RATELIMITS = {**settings.RATELIMITS, "upload": "1/h/user,100/h/ip"}
    client.force_login(alice)
    data = {"title": "t", "visibility": "public"}
    csrf_post(client, reverse("videos:upload"), {**data, "file": SimpleUploadedFile("a.mp4", b"a")})

    refused = csrf_post(
        client, reverse("videos:upload"), {**data, "file": SimpleUploadedFile("b.mp4", b"b")}
    )

    assert refused.status_code == 429
    assert "too often" in refused.content.decode()


def test_uploads_are_limited_per_address_across_accounts(client, settings, alice, bob):
    settings.RATELIMITS = {**settings.RATELIMITS, "upload": "100/h/user,1/h/ip"}
    data = {"title": "t", "visibility": "public"}
    client.force_login(alice)
    csrf_post(client, reverse("videos:upload"), {**data, "file": SimpleUploadedFile("a.mp4", b"a")})
    client.force_login(bob)

    refused = csrf_post(
        client, reverse("videos:upload"), {**data, "file": SimpleUploadedFile("b.mp4", b"b")}
    )

    assert refused.status_code == 429


def _run_asgi(app, headers, chunks):
    sent = []
    queue = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/upload/", "headers": headers}
    asyncio.run(app(scope, receive, send))
    return sent


def test_asgi_refuses_a_declared_oversized_body_before_django_reads_it(settings):
    settings.MAX_REQUEST_BODY_BYTES = 100
    called = []

    async def django(scope, receive, send):  # pragma: no cover - must not run
        called.append(True)

    sent = _run_asgi(BodySizeLimit(django), [(b"content-length", b"101")], [b"x" * 101])

    assert not called
    assert sent[0]["status"] == 413
    assert b"too large" in sent[1]["body"]


def test_asgi_cuts_off_a_chunked_body_past_the_cap(settings):
    settings.MAX_REQUEST_BODY_BYTES = 100
    read = []

    async def django(scope, receive, send):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # Django raises RequestAborted and answers nothing
            read.append(len(message["body"]))
            if not message.get("more_body"):
                break

    sent = _run_asgi(BodySizeLimit(django), [], [b"x" * 60, b"x" * 60, b"x" * 60])

    assert sum(read) == 60
    assert sent[0]["status"] == 413
