"""Opaque, signed page cursors: a client can hand one back but not forge or edit it."""

from django.core import signing

SALT = "microvid.feeds.cursor"


class InvalidCursor(ValueError):
    """The cursor was tampered with, truncated, or made for another feed."""


def encode_cursor(feed: str, position: dict) -> str:
    return signing.dumps({"f": feed, **position}, salt=SALT, compress=True)


def decode_cursor(feed: str, cursor: str | None) -> dict | None:
    """The position a cursor stands for, None for the first page; InvalidCursor if bad."""
    if not cursor:
        return None
    if len(cursor) > 4096:
        raise InvalidCursor("cursor too long")
    try:
        position = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise InvalidCursor("bad signature") from None
    if not isinstance(position, dict) or position.pop("f", None) != feed:
        raise InvalidCursor("cursor of another feed")
    return position
