from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from social import selectors
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

    return mark_safe(MENTION_RE.sub(link, text))  # noqa: S308 (escaped above)


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return selectors.unread_notification_count(user=user)


@register.simple_tag(takes_context=True)
def follow_context(context, profile_user) -> dict:
    """Whether the viewer follows the profile's user, and the user's counts."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return {
        "following": selectors.follow_exists(follower=viewer, followee=profile_user),
        "followers": selectors.follower_count(user=profile_user),
        "following_count": selectors.following_count(user=profile_user),
    }


@register.simple_tag
def video_page_url(video) -> str:
    return selectors.video_url(video)


@register.filter
def comments_open(video) -> bool:
    """Whether the video takes comments now (the services check this again on every post)."""
    return selectors.video_is_open(video=video) and video.comments_enabled


@register.filter
def is_in(value, collection) -> bool:
    """`{{ video.pk|is_in:liked_video_ids }}`: membership in a set the view passed (False
    when the page has none)."""
    return bool(collection) and value in collection
