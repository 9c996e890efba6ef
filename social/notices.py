"""Notices: notifications that come from the site rather than from a person (for example a
moderation outcome). The app above that sends them registers how to show each kind, so that
social never imports it; the text is rendered when shown, in the reader's language."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext as _

# kind -> render(data) -> (text, url)
_RENDERERS: dict[str, Callable[[dict], tuple[str, str]]] = {}


def register(kind: str, render: Callable[[dict], tuple[str, str]]) -> None:
    _RENDERERS[kind] = render


def render(data: dict) -> tuple[str, str]:
    renderer = _RENDERERS.get((data or {}).get("kind", ""))
    if renderer is None:
        return _("A notice from Microvid"), reverse("social:notifications")
    return renderer(data)
