from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from social import presenters, selectors
from videos.text import MENTION_RE

register = template.Library()


@register.filter
def comment_html(comment) -> str:
    """The comment's text, escaped, with @mentions of real users linked to their profiles."""
    text = conditional_escape(comment.body)
    known = {user.username.lower(): user.username for user in comment.mentions.all()}

    def link(match):
        username = known.get(match.group(1).lower())
        if username is None:
            return match.group(0)
        return format_html(
            '<a href="{}" class="mention">@{}</a>',
            reverse("accounts:profile", args=[username]),
            match.group(1),
        )

    return mark_safe(MENTION_RE.sub(link, text))  # noqa: S308 - escaped above  # nosec


@register.simple_tag
def video_page_url(video) -> str:
    return presenters.video_url(video)


@register.filter
def comments_open(video) -> bool:
    """Whether the video takes comments now (the services check this again on every post)."""
    return selectors.video_comments_open(video)


@register.filter
def notification_text(group) -> str:
    return presenters.notification_text(group)


@register.filter
def notification_url(group) -> str:
    return presenters.notification_url(group)


@register.filter
def is_in(value, collection) -> bool:
    """`{{ video.pk|is_in:liked_video_ids }}`: membership in a set the view passed (False
    when the page has none)."""
    return bool(collection) and value in collection
