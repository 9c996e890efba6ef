"""Reads of videos, and the one visibility rule: what a given viewer may see.

The rule, used by every path that shows videos (feeds, For You, search, hashtags, profiles,
/v/<id>, the API, comments, notifications, sockets):

- discovery (`videos_public`, `videos_for_viewer`): ready, published, public, not removed,
  limited or held by a moderator, from an active, unsuspended, unlimited creator, and
  (`videos_for_viewer`) not from someone the viewer blocked, muted or was blocked by;
- by link (`video_get_watchable`, `video_is_visible_to`): ready, published, not private, not
  removed or held, creator active and not suspended, no block either way (a mute still opens
  links; a limited video does too). A creator always sees their own videos, except removed ones.
"""

from datetime import datetime, timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import hidden_user_ids, users_in_good_standing_q
from videos.models import Video

# Moderation states in which a video opens by link (for anyone but its creator).
REACHABLE_STATES = (Video.ModerationState.VISIBLE, Video.ModerationState.LIMITED)


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
    """Ready, published, not private, not taken down, and its creator in good standing:
    anyone with the link may watch it (blocks aside: see `video_is_visible_to`)."""
    owner = video.owner
    return (
        video.status == Video.Status.READY
        and video.published_at is not None
        and video.visibility != Video.Visibility.PRIVATE
        and video.moderation_state in REACHABLE_STATES
        and owner.is_active
        and not owner.is_suspended
    )


def video_is_visible_to(*, video: Video, viewer) -> bool:
    """Whether `viewer` may see this (loaded) video by its link: the rule for one video."""
    if viewer is not None and viewer.is_authenticated and video.owner_id == viewer.pk:
        return video.moderation_state != Video.ModerationState.REMOVED
    if not video_is_public_watchable(video):
        return False
    return video.owner_id not in hidden_user_ids(viewer=viewer, include_muted=False)


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
    if video_is_visible_to(video=video, viewer=user) and video.status == Video.Status.READY:
        return video
    raise Http404


def videos_public(*, now=None):
    """Every video anyone may find: ready, published, public, not limited, removed or held,
    from a creator in good standing and not limited."""
    return Video.objects.filter(
        users_in_good_standing_q("owner__", now=now or timezone.now()),
        status=Video.Status.READY,
        published_at__isnull=False,
        visibility=Video.Visibility.PUBLIC,
        moderation_state=Video.ModerationState.VISIBLE,
        owner__limited_at__isnull=True,
    )


def videos_for_viewer(*, viewer, include_muted: bool = True):
    """The videos `viewer` may find in feeds, search and listings: `videos_public()` without
    the people they blocked, who blocked them, or (`include_muted`) whom they muted. Costs
    at most one small indexed query per request (the hidden ids), none for visitors."""
    hidden = hidden_user_ids(viewer=viewer, include_muted=include_muted)
    queryset = videos_public()
    if hidden:
        queryset = queryset.exclude(owner_id__in=hidden)
    return queryset


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
