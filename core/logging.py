"""Structured logs: one JSON object per line, each carrying the id of the request it serves.

The request id comes from the `X-Request-ID` header a proxy set (when it looks like one) or is
made here; it is answered in the response's `X-Request-ID`, travels with the Celery tasks a
request queues (a message header) and with the live messages it sends to sockets, so that one
id finds everything a click caused, across the web process, the workers and the sockets.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# LogRecord's own attributes: everything else on a record was passed with `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """The caller's id if it is a plausible one (never an arbitrary string in our logs)."""
    return value if value and _VALID.match(value) else new_request_id()


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    """Give every request an id, for its log lines, its tasks and its response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accepted_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdASGIMiddleware:
    """The same for a WebSocket connection: one id for its life (from the upgrade request's
    `X-Request-ID` header or new), in the log lines of its consumer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        raw = headers.get(HEADER.lower().encode(), b"").decode("latin-1")
        request_id = accepted_request_id(raw)
        token = request_id_var.set(request_id)
        try:
            return await self.app({**scope, "request_id": request_id}, receive, send)
        finally:
            request_id_var.reset(token)
