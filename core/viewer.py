"""The anonymous viewer id: issued by the server in a signed cookie, never chosen by the client.

A client that sends no cookie, or a forged one, is told apart only by its address until it
keeps the cookie it is given, so a script that throws cookies away (or makes up ids) stays
one viewer per address.
"""

import uuid

from django.conf import settings

COOKIE_NAME = "mv_viewer"
_SALT = "microvid.viewer"


def viewer_from_cookie(request) -> uuid.UUID | None:
    """The viewer id this server issued to the browser, or None (missing, forged, expired)."""
    value = request.get_signed_cookie(
        COOKIE_NAME, default=None, salt=_SALT, max_age=settings.VIEWER_COOKIE_SECONDS
    )
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def issue_viewer_cookie(response, viewer: uuid.UUID) -> None:
    response.set_signed_cookie(
        COOKIE_NAME,
        viewer.hex,
        salt=_SALT,
        max_age=settings.VIEWER_COOKIE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
