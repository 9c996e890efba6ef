import re

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from videos.text import HASHTAG_RE, MENTION_RE

register = template.Library()


@register.filter
def linkify(text: str, mentioned_usernames=()) -> str:
    """Escape a description, then link its #hashtags and the @mentions of real users."""
    known = {name.lower() for name in mentioned_usernames}
    escaped = escape(text or "")

    def hashtag(match: re.Match) -> str:
        url = reverse("videos:hashtag", args=[match.group(1).lower()])
        return f'<a href="{url}">#{match.group(1)}</a>'

    def mention(match: re.Match) -> str:
        if match.group(1).lower() not in known:
            return match.group(0)
        url = reverse("accounts:profile", args=[match.group(1)])
        return f'<a href="{url}">@{match.group(1)}</a>'

    # Escaping never touches word characters, so the patterns still find what was typed.
    return mark_safe(MENTION_RE.sub(mention, HASHTAG_RE.sub(hashtag, escaped)))  # noqa: S308 - escaped  # nosec
