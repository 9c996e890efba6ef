"""How social things read and where they link: the words and URLs of notifications.

Selectors return data (a `NotificationGroup` says who did what to which video); these functions
turn it into the line a person reads and the page it links to, for the notifications page, the
daily email, the API and the template filters in `social.templatetags.social`.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from social.models import Notification


def video_url(video) -> str:
    """The video page. It lives in the videos app; until its route exists, the known path."""
    try:
        return reverse("videos:watch", args=[video.short_id])
    except NoReverseMatch:
        return f"/v/{video.short_id}"


def notification_text(group) -> str:
    """“Ana and 3 others liked your video “Sunset””, in the active language."""
    name, others = group.first_actor.name, group.others
    title = group.video.title if group.video else ""
    verb = Notification.Verb
    if group.verb == verb.LIKE:
        if not others:
            return _("%(name)s liked your video “%(title)s”") % {"name": name, "title": title}
        return ngettext(
            "%(name)s and %(count)d other liked your video “%(title)s”",
            "%(name)s and %(count)d others liked your video “%(title)s”",
            others,
        ) % {"name": name, "count": others, "title": title}
    if group.verb == verb.COMMENT:
        if not others:
            return _("%(name)s commented on your video “%(title)s”") % {
                "name": name,
                "title": title,
            }
        return ngettext(
            "%(name)s and %(count)d other commented on your video “%(title)s”",
            "%(name)s and %(count)d others commented on your video “%(title)s”",
            others,
        ) % {"name": name, "count": others, "title": title}
    if group.verb == verb.REPLY:
        if not others:
            return _("%(name)s replied to your comment") % {"name": name}
        return ngettext(
            "%(name)s and %(count)d other replied to your comment",
            "%(name)s and %(count)d others replied to your comment",
            others,
        ) % {"name": name, "count": others}
    if group.verb == verb.FOLLOW:
        if not others:
            return _("%(name)s followed you") % {"name": name}
        return ngettext(
            "%(name)s and %(count)d other followed you",
            "%(name)s and %(count)d others followed you",
            others,
        ) % {"name": name, "count": others}
    return _("%(name)s mentioned you in a comment") % {"name": name}


def notification_url(group) -> str:
    """Where a notification leads: the follower (or the list of them), the comment, the video."""
    if group.verb == Notification.Verb.FOLLOW:
        if group.others:
            return reverse("social:followers", args=[group.recipient_username])
        return reverse("accounts:profile", args=[group.first_actor.username])
    if group.comment is not None:
        return reverse("social:comments", args=[group.video.short_id]) + (
            f"#comment-{group.comment.pk}"
        )
    return video_url(group.video)
