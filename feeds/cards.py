"""Rendered feed cards, cached per video, language and viewer state.

A card (videos/_card.html, or For You's recommendations/_feedback.html around it) is the same
HTML for every viewer in the same *state*: signed in or not, has liked the video or not,
follows its creator or not, is its creator or not. Only two things in it are the request's
own: the CSRF token of its forms and the `next` address they return to. So a card is rendered
once per (video, language, template, state) with placeholders for those two, cached, and each
request swaps its own values in (two `str.replace`).

The key is made from what the card shows, read from the row the feed query has just fetched
(title, counts, poster, size, duration, the creator's names): a like, an edit or a new display
name makes a new key, so nothing has to be cleared for them, and what no longer belongs on a
page (a removed video, a blocked creator) is not in the feed query to begin with. Lifetime:
CARD_CACHE_SECONDS (0 switches the cache off). A deploy with changed card templates starts
new keys (the templates' source is part of the key).
"""

import hashlib
from functools import cache as memoize
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.template.defaultfilters import urlencode
from django.template.loader import get_template, render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.metrics import cache_read

CARD_TEMPLATE = "videos/_card.html"
FEEDBACK_TEMPLATE = "recommendations/_feedback.html"
# The templates a card is made of: their source is part of every key.
CARD_SOURCES = (
    CARD_TEMPLATE,
    FEEDBACK_TEMPLATE,
    "social/_card_actions.html",
    "social/_like_button.html",
    "social/_follow_button.html",
    "moderation/_report_button.html",
)
CSRF_PLACEHOLDER = "csrf0card0placeholder"
NEXT_FULL_PLACEHOLDER = "0card0next0full0"
NEXT_PATH_PLACEHOLDER = "0card0next0path0"


@memoize
def _templates_digest() -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for name in CARD_SOURCES:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:12]


def card_state(*, user, video, liked: bool, following: bool) -> str:
    """The viewer's state as far as a card can tell: "a" anonymous, else "u" followed by
    l/-, f/- and o/- (liked, follows the creator, is the creator)."""
    if not user.is_authenticated:
        return "a"
    own = user.pk == video.owner_id
    return "u" + ("l" if liked else "-") + ("f" if following else "-") + ("o" if own else "-")


def card_key(*, video, template_name: str, state: str) -> str:
    owner = video.owner
    shown = "\x1f".join(
        str(value)
        for value in (
            video.short_id, video.title, video.poster, video.width, video.height,
            video.duration, video.view_count, video.like_count, video.owner_id,
            owner.username, owner.name,
        )
    )  # fmt: skip
    digest = hashlib.sha1(shown.encode(), usedforsecurity=False).hexdigest()[:16]
    return (
        f"card:{_templates_digest()}:{get_language()}:{template_name}:{state}:{video.pk}:{digest}"
    )


def _render(*, video, template_name: str, state: str) -> str:
    """The card for a viewer in `state`, with placeholders for the request's own values."""
    authenticated = state != "a"
    stand_in = SimpleNamespace(
        is_authenticated=authenticated,
        pk=video.owner_id if state.endswith("o") else None,
    )
    request = SimpleNamespace(
        path=NEXT_PATH_PLACEHOLDER,
        get_full_path=lambda: NEXT_FULL_PLACEHOLDER,
        user=stand_in,
    )
    context = {
        "video": video,
        "user": stand_in,
        "request": request,
        "csrf_token": CSRF_PLACEHOLDER,
        "liked_video_ids": {video.pk} if "l" in state[1:] else set(),
        "followed_user_ids": {video.owner_id} if "f" in state[1:] else set(),
    }
    return render_to_string(template_name, context)


def _personalise(html: str, *, request, csrf_token) -> str:
    full_path = request.get_full_path()
    if CSRF_PLACEHOLDER in html:  # visitors' cards have no forms: no token asked for
        html = html.replace(CSRF_PLACEHOLDER, str(csrf_token()))
    # Signed-in cards carry `next` in hidden inputs (HTML-escaped); visitors' cards in log-in
    # links (URL-encoded). Both encodings are safe in either place.
    encode = escape if request.user.is_authenticated else urlencode
    html = html.replace(NEXT_FULL_PLACEHOLDER, encode(full_path))
    return html.replace(NEXT_PATH_PLACEHOLDER, encode(request.path))


def render_cards(*, request, csrf_token, videos, template_name: str, liked_video_ids,
                 followed_user_ids) -> dict[int, str]:  # fmt: skip
    """The cards of a page of videos, by video id: one cache round trip for the page, a
    render (and a cache write) for each card not cached yet. `csrf_token` is a callable
    (asked only when a card has a form)."""
    user = request.user
    keys = {}
    for video in videos:
        state = card_state(
            user=user,
            video=video,
            liked=video.pk in liked_video_ids,
            following=video.owner_id in followed_user_ids,
        )
        keys[video.pk] = (card_key(video=video, template_name=template_name, state=state), state)
    seconds = settings.CARD_CACHE_SECONDS
    found = cache.get_many([key for key, _ in keys.values()]) if seconds else {}
    missing = {}
    cards = {}
    for video in videos:
        key, state = keys[video.pk]
        html = found.get(key)
        if seconds:
            cache_read("cards", html is not None)
        if html is None:
            html = _render(video=video, template_name=template_name, state=state)
            missing[key] = html
        cards[video.pk] = mark_safe(_personalise(html, request=request, csrf_token=csrf_token))  # noqa: S308  # nosec - our templates escape
    if missing and seconds:
        cache.set_many(missing, seconds)
    return cards
