"""Pushing rendered fragments to open sockets: group names, and what is sent after a write.

Every function here runs after the write's transaction has committed (services queue them
with `transaction.on_commit`), reads the state as it now is and sends it to a group. A
channel layer that is down never fails the write: the pages poll, and a reload shows all.

One event is one group_send carrying the socket frame's text, rendered and encoded once: a
video page's group can hold thousands of sockets, and each of them only forwards the text
(see bench/realtime.py and docs/social.md).
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string

from videos.models import Video

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "social.fragment"


def video_group(video_id: int) -> str:
    return f"video-{video_id}"


def user_group(user_id: int) -> str:
    return f"notifications-{user_id}"


def viewer_group(user_id: int) -> str:
    """Every video socket a signed-in user has open: told when who they may see changes."""
    return f"viewer-{user_id}"


def frame_text(*fragments: dict) -> str:
    """The text of the socket frame that applies these fragments ({op, target, html, id?})."""
    return json.dumps({"type": "fragments", "items": list(fragments)}, separators=(",", ":"))


def _group_send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the socket path is best effort; the write has already happened
        logger.exception("Could not send %s to %s", message["type"], group)


def send_fragments(group: str, *fragments: dict) -> None:
    _group_send(group, {"type": MESSAGE_TYPE, "text": frame_text(*fragments)})


def _send_authored(group: str, *fragments: dict, author_id: int, otherwise: tuple = ()) -> None:
    """Send what `author_id` wrote. Still rendered once for the whole group: each socket whose
    viewer is on either side of a block with the author sends `otherwise` instead (or
    nothing), as the page would have shown it (social.consumers)."""
    message = {"type": MESSAGE_TYPE, "text": frame_text(*fragments), "author_id": author_id}
    if otherwise:
        message["otherwise"] = frame_text(*otherwise)
    _group_send(group, message)


def _like_count_html(video: Video) -> str:
    return render_to_string("social/_like_button.html#like-count", {"video": video})


def _comment_count_html(video: Video) -> str:
    return render_to_string("social/_comments.html#comment-count", {"video": video})


def _like_count_fragment(video: Video) -> dict:
    return {
        "op": "replace",
        "target": f"like-count-{video.short_id}",
        "html": _like_count_html(video),
    }


def _comment_count_fragment(video_id: int) -> dict | None:
    video = Video.objects.filter(pk=video_id).only("short_id", "comment_count").first()
    if video is None:
        return None
    return {
        "op": "replace",
        "target": f"comment-count-{video.short_id}",
        "html": _comment_count_html(video),
    }


def send_like_count(video_id: int) -> None:
    video = Video.objects.filter(pk=video_id).only("short_id", "like_count").first()
    if video is None:
        return
    send_fragments(video_group(video_id), _like_count_fragment(video))


def send_comment_added(comment_id: int) -> None:
    from social.selectors import comment_with_replies

    try:
        comment = comment_with_replies(pk=comment_id)
    except Exception:  # deleted before the fragment went out
        return
    video = comment.video
    # Rendered for nobody in particular: the actions that depend on the viewer (reply,
    # delete) come with the next page load.
    html = render_to_string(
        "social/_comment.html",
        {"comment": comment, "video": video, "live": True, "user": AnonymousUser()},
    )
    if comment.parent_id:
        target, op = f"replies-{comment.parent_id}", "append"
    else:
        target, op = f"comment-items-{video.short_id}", "prepend"
    added = {"op": op, "target": target, "id": f"comment-{comment.pk}", "html": html}
    count = _comment_count_fragment(video.pk)
    counts = (count,) if count else ()
    _send_authored(
        video_group(video.pk), added, *counts, author_id=comment.author_id, otherwise=counts
    )


def send_comment_removed(video_id: int, comment_id: int) -> None:
    removed = {"op": "remove", "target": f"comment-{comment_id}", "html": ""}
    count = _comment_count_fragment(video_id)
    send_fragments(video_group(video_id), *(fragment for fragment in (removed, count) if fragment))


def send_unread_badge(user_id: int) -> None:
    from accounts.models import User
    from social.selectors import unread_notification_count

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    count = unread_notification_count(user=user)
    html = render_to_string("social/_badge.html", {"unread_count": count})
    send_fragments(
        user_group(user_id), {"op": "replace", "target": "notification-badge", "html": html}
    )


def send_video_removed(video_id: int) -> None:
    """Tell the open pages of a video that was taken down: its comments and actions give way
    to a notice (a reload answers 404)."""
    from django.utils.translation import gettext as _

    video = Video.objects.filter(pk=video_id).only("short_id").first()
    if video is None:
        return
    notice = render_to_string(
        "social/_video_removed.html",
        {"video": video, "message": _("This video is no longer available.")},
    )
    fragment = {"op": "replace", "target": f"comments-{video.short_id}", "html": notice}
    send_fragments(video_group(video_id), fragment)


def video_access_changed(*, video_id: int) -> None:
    """Tell a video's sockets to check again whether their user may still see it."""
    _group_send(video_group(video_id), {"type": "social.recheck"})


def viewers_changed(*user_ids: int) -> None:
    """Tell these people's open video sockets that who they may see changed (a block or an
    unblock): each reloads the people hidden from its viewer, and leaves a video it may no
    longer show, before relaying the next message."""
    for user_id in user_ids:
        _group_send(viewer_group(user_id), {"type": "social.recheck"})
