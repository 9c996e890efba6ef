"""A clean "503 Service Unavailable" while the database cannot be reached.

A PostgreSQL restart or failover takes a few seconds; requests that arrive meanwhile get a
short page (or JSON for the API) that says to try again, with `Retry-After`, instead of a
500 error page and a stack trace in the error tracker for every one of them. The page is
built here, without a template or the database, since neither may be usable.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def unavailable_response(request) -> HttpResponse:
    message = _("Microvid is briefly unavailable. Please try again in a few seconds.")
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message}, status=503)
    else:
        title = _("Briefly unavailable")
        language = escape(get_language() or "en")
        response = HttpResponse(
            f'<!DOCTYPE html>\n<html lang="{language}">\n<head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · Microvid</title></head>\n<body>\n<main>\n"
            f"<h1>{escape(title)}</h1>\n<p>{escape(message)}</p>\n"
            f'<p><a href="{escape(request.path)}">{escape(_("Try again"))}</a></p>\n'
            "</main>\n</body>\n</html>\n",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn "cannot reach the database" into a 503 (and nothing else: a bug stays a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError) as error:
            # Raised before a view ran (a middleware reading the session or user).
            logger.warning("database unavailable: %s", error)
            return unavailable_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("database unavailable: %s", exception)
            return unavailable_response(request)
        return None


def server_error(request, *args, **kwargs):
    """handler500: a 503 when the error is an unreachable database (raised in a middleware,
    where process_exception does not see it), else Django's own 500 page."""
    import sys

    from django.views.defaults import server_error as default_server_error

    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return unavailable_response(request)
    return default_server_error(request, *args, **kwargs)
