"""Reads of videos."""

from datetime import datetime, timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from videos.models import Video


def video_get_for_owner(*, short_id: str, user) -> Video:
    """A video its creator (or staff) may manage; 404 for anyone else, so that others cannot
    even learn that a draft exists."""
    video = get_object_or_404(Video.objects.select_related("owner"), short_id=short_id)
    if not (user.is_authenticated and (video.owner_id == user.pk or user.is_staff)):
        raise Http404
    return video


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


def video_can_manage(video: Video, user) -> bool:
    return bool(user.is_authenticated and (video.owner_id == user.pk or user.is_staff))


def video_is_public_watchable(video: Video) -> bool:
    """Ready, published and not private: anyone with the link may watch it."""
    return (
        video.status == Video.Status.READY
        and video.published_at is not None
        and video.visibility != Video.Visibility.PRIVATE
    )


def video_get_watchable(*, short_id: str, user) -> Video:
    """The video at /v/<short_id> if this user may watch it, else 404: drafts, private,
    processing, failed and deleted videos are "not found" to everyone but their creator."""
    video = (
        Video.objects.select_related("owner")
        .prefetch_related("mentions", "renditions")
        .filter(short_id=short_id)
        .first()
    )
    if video is None:
        raise Http404
    if video_is_public_watchable(video):
        return video
    if video_can_manage(video, user) and video.status == Video.Status.READY:
        return video
    raise Http404


def videos_public():
    """Every video anyone may find: ready, published, public."""
    return Video.objects.filter(
        status=Video.Status.READY,
        published_at__isnull=False,
        visibility=Video.Visibility.PUBLIC,
    )


def videos_with_hashtag(*, name: str, limit: int = 48):
    return (
        videos_public()
        .filter(hashtags__name=name.lower())
        .select_related("owner")
        .order_by("-published_at", "-pk")[:limit]
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
