"""Pushing rendered fragments to open sockets: group names, and what is sent after a write.

Every function here runs after the write's transaction has committed (services queue them
with `transaction.on_commit`), reads the state as it now is and sends it to a group. A
channel layer that is down never fails the write: the pages poll, and a reload shows all.
"""

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


def _send(group: str, **message) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": MESSAGE_TYPE, **message})
    except Exception:  # the socket path is best effort; the write has already happened
        logger.exception("Could not send a fragment to %s", group)


def _like_count_html(video: Video) -> str:
    return render_to_string("social/_like_button.html#like-count", {"video": video})


def _comment_count_html(video: Video) -> str:
    return render_to_string("social/_comments.html#comment-count", {"video": video})


def send_like_count(video_id: int) -> None:
    video = Video.objects.filter(pk=video_id).only("short_id", "like_count").first()
    if video is None:
        return
    _send(
        video_group(video_id),
        op="replace",
        target=f"like-count-{video.short_id}",
        html=_like_count_html(video),
    )


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
    _send(video_group(video.pk), op=op, target=target, id=f"comment-{comment.pk}", html=html)
    send_comment_count(video.pk)


def send_comment_removed(video_id: int, comment_id: int) -> None:
    _send(video_group(video_id), op="remove", target=f"comment-{comment_id}", html="")
    send_comment_count(video_id)


def send_comment_count(video_id: int) -> None:
    video = Video.objects.filter(pk=video_id).only("short_id", "comment_count").first()
    if video is None:
        return
    _send(
        video_group(video_id),
        op="replace",
        target=f"comment-count-{video.short_id}",
        html=_comment_count_html(video),
    )


def send_unread_badge(user_id: int) -> None:
    from social.models import Notification

    count = Notification.objects.filter(recipient_id=user_id, read_at=None).count()
    html = render_to_string("social/_badge.html", {"unread_count": count})
    _send(user_group(user_id), op="replace", target="notification-badge", html=html)
