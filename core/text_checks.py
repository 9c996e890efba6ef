"""Automatic checks of what people write (titles, descriptions, hashtags, comments, display
names, bios), as a registry: the app that knows the rules (moderation, with its watched-word
lists) registers a check at start-up; the apps that take the text (videos, social, accounts)
ask here and never import it.

A check gets the texts and answers HOLD (keep it, visible only to its author until a
moderator approves), or raises `TextRefused` with a message for the author, or None.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError

HOLD = "hold"

_CHECKS: list[Callable[[list[str]], str | None]] = []


class TextRefused(ValidationError):
    """The text may not be posted; `message` says why, for the author. A ValidationError, so
    that forms and serializers that use `refuse_validator` show it on the field."""


def register(check: Callable[[list[str]], str | None]) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def verdict(texts: Iterable[str]) -> str | None:
    """HOLD if a check holds the texts; raises TextRefused if one refuses them; else None."""
    texts = [text for text in texts if text]
    held = None
    for check in _CHECKS:
        if check(texts) == HOLD:
            held = HOLD
    return held


def refuse_validator(value: str) -> None:
    """A field validator: refuses what a check refuses (holding is decided on save)."""
    verdict([value])
