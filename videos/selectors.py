"""Reads of videos, and the rules of who may see, watch and manage one.

The family, from the widest audience to the narrowest:

- `video_is_watchable_by_anyone(video)`: ready, published and not private (public or
  unlisted): anyone with its link may watch it, like it and comment on it.
- `video_is_visible_to(video=, user=)`: whether the user may know the video exists (its likes,
  its comments, its socket): anyone for the videos above; its creator for any of their own.
- `video_is_watchable_by(video=, user=)`: whether the user may play it at /v/<short_id>:
  anyone for the videos above; its managers once it is processed.
- `video_can_manage(video=, user=)`: its creator, or staff.
"""

from datetime import datetime, timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from videos.models import Video


# --- who may do what ---------------------------------------------------------------------------
def video_can_manage(*, video: Video, user) -> bool:
    """The video's creator or staff may edit, publish, process again and delete it."""
    return bool(
        user is not None and user.is_authenticated and (video.owner_id == user.pk or user.is_staff)
    )


def video_is_watchable_by_anyone(video: Video) -> bool:
    """Ready, published and not private: anyone with the link may watch it (and like it and
    comment on it). Unlisted videos are included; only public ones are listed in feeds
    (`videos_public()`)."""
    return (
        video.status == Video.Status.READY
        and video.published_at is not None
        and video.visibility in (Video.Visibility.PUBLIC, Video.Visibility.UNLISTED)
    )


def video_is_watchable_by(*, video: Video, user) -> bool:
    """Whether the user may play the video: anyone may watch the videos above; its creator
    (and staff) also their private and unpublished ones once they are processed."""
    if video_is_watchable_by_anyone(video):
        return True
    return video_can_manage(video=video, user=user) and video.status == Video.Status.READY


def video_is_visible_to(*, video: Video, user) -> bool:
    """Whether the user may see that the video exists, and so its likes and comments: anyone
    for the videos anyone may watch; its creator for any of their own, in any state."""
    if user is not None and user.is_authenticated and video.owner_id == user.pk:
        return True
    return video_is_watchable_by_anyone(video)


# --- fetching one ------------------------------------------------------------------------------
def video_for_manager(*, short_id: str, user) -> Video | None:
    """The video with this short id if the user may manage it, else None."""
    video = Video.objects.select_related("owner").filter(short_id=short_id).first()
    if video is None or not video_can_manage(video=video, user=user):
        return None
    return video


def video_get_for_owner(*, short_id: str, user) -> Video:
    """A video its creator (or staff) may manage; 404 for anyone else, so that others cannot
    even learn that a draft exists."""
    video = video_for_manager(short_id=short_id, user=user)
    if video is None:
        raise Http404
    return video


def video_get_watchable(*, short_id: str, user) -> Video:
    """The video at /v/<short_id> if this user may watch it, else 404: drafts, private,
    processing, failed and deleted videos are "not found" to everyone but their creator."""
    video = (
        Video.objects.select_related("owner")
        .prefetch_related("mentions", "renditions")
        .filter(short_id=short_id)
        .first()
    )
    if video is None or not video_is_watchable_by(video=video, user=user):
        raise Http404
    return video


def video_get_visible(*, short_id: str, user) -> Video:
    """The video with this short id if the user may see it, else 404 (so that nobody learns
    that a private video or a draft exists)."""
    video = get_object_or_404(
        Video.objects.select_related("owner"), short_id=short_id, owner__is_active=True
    )
    if not video_is_visible_to(video=video, user=user):
        raise Http404
    return video


def video_visible_id(*, short_id: str, user) -> int | None:
    """The primary key of the video if the user may see it, else None (for sockets)."""
    try:
        return video_get_visible(short_id=short_id, user=user).pk
    except Http404:
        return None


# --- lists -------------------------------------------------------------------------------------
def videos_of_owner(*, user):
    return (
        Video.objects.filter(owner=user)
        .select_related("owner")
        .order_by("-created_at")
        .only(
            "short_id", "title", "status", "visibility", "published_at", "created_at",
            "poster", "duration", "owner__username",
        )
    )  # fmt: skip


def videos_public():
    """Every video anyone may find: ready, published, public."""
    return Video.objects.filter(
        status=Video.Status.READY,
        published_at__isnull=False,
        visibility=Video.Visibility.PUBLIC,
    )


# --- "Uploaded: today / this week / ..." (the feeds' and the search's date filter) -----------
# Rolling windows back from now; "" (any time) is no filter. Unknown values mean no filter.
DATE_FILTERS = {
    "today": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=31),
    "year": timedelta(days=366),
}
DATE_CHOICES = [
    ("", _("Any time")),
    ("today", _("Today")),
    ("week", _("This week")),
    ("month", _("This month")),
    ("year", _("This year")),
]


def published_since(date_filter: str | None, *, now: datetime | None = None) -> datetime | None:
    """The earliest publication time a date filter ("today", "week", ...) lets through."""
    span = DATE_FILTERS.get(date_filter or "")
    return (now or timezone.now()) - span if span else None
