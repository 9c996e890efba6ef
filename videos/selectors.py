"""Reads of videos, and the one visibility rule: who may see, watch and manage one.

The family, from the widest audience to the narrowest:

- `videos_public()`, `videos_for_viewer(user=)`: what may be *found* (feeds, For You, search,
  hashtags, profiles): ready, published, public, not limited, removed or held by a moderator,
  from an active, unsuspended, unlimited creator; and for a viewer, not from someone they
  blocked, who blocked them, or (feeds and notifications) whom they muted.
- `video_is_watchable_by_anyone(video)`: ready, published and not private (public or
  unlisted), not removed or held (a limited video still opens by link), its creator active and
  not suspended: anyone with its link may watch it, like it and comment on it.
- `video_is_watchable_or_managed_by(video=, user=)`: the videos anyone may watch, and any the
  user may manage, whatever their state (what a player may report events on, and what a
  viewer may give feedback on).
- `video_is_visible_to(video=, user=)`: whether the user may know the video exists (its likes,
  its comments, its socket): the videos above unless a block stands between the two people
  (a mute still opens links); its creator for any of their own except removed ones.
- `video_is_watchable_by(video=, user=)`: whether the user may play it at /v/<short_id>:
  the videos visible to them; its managers once it is processed.
- `video_can_manage(video=, user=)`: its creator, or a user with the `videos.change_video`
  permission (the Moderators group). Staff status alone grants nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db.models import Case, CharField, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import hidden_user_ids, users_in_good_standing_q
from videos.models import Video

# Moderation states in which a video opens by link (for anyone but its creator).
REACHABLE_STATES = (Video.ModerationState.VISIBLE, Video.ModerationState.LIMITED)
MANAGE_PERMISSION = "videos.change_video"


def _is_owner(video: Video, user) -> bool:
    return user is not None and user.is_authenticated and video.owner_id == user.pk


# --- who may do what ---------------------------------------------------------------------------
def video_can_manage(*, video: Video, user) -> bool:
    """The video's creator may edit, publish, process again and delete it, and so may a
    moderator (the `videos.change_video` permission); staff status alone is not enough."""
    if user is None or not user.is_authenticated:
        return False
    return video.owner_id == user.pk or user.has_perm(MANAGE_PERMISSION)


def video_is_watchable_by_anyone(video: Video) -> bool:
    """Ready, published and not private: anyone with the link may watch it (and like it and
    comment on it). Unlisted videos are included; only public ones are listed in feeds
    (`videos_public()`)."""
    owner = video.owner
    return (
        video.status == Video.Status.READY
        and video.published_at is not None
        and video.visibility in (Video.Visibility.PUBLIC, Video.Visibility.UNLISTED)
        and video.moderation_state in REACHABLE_STATES
        and owner.is_active
        and not owner.is_suspended
    )


def video_is_watchable_or_managed_by(*, video: Video, user) -> bool:
    """Anyone may watch it, or this user may manage it (in any state): the videos a player
    reports watch events on and a viewer gives feedback on."""
    return video_is_watchable_by_anyone(video) or video_can_manage(video=video, user=user)


def video_is_watchable_by(*, video: Video, user) -> bool:
    """Whether the user may play the video: the videos visible to them (below); its creator
    (and moderators) also their private and unpublished ones once they are processed."""
    if video_is_visible_to(video=video, user=user) and (
        video_is_watchable_by_anyone(video) or video.status == Video.Status.READY
    ):
        return True
    if _is_owner(video, user):
        return False  # their own removed video: gone for them too (see the standing page)
    return video_can_manage(video=video, user=user) and video.status == Video.Status.READY


def video_is_visible_to(*, video: Video, user) -> bool:
    """Whether the user may see that the video exists, and so its likes and comments: the
    videos anyone may watch, unless either of the two blocked the other; its creator any of
    their own in any state, except one a moderator removed."""
    if _is_owner(video, user):
        return video.moderation_state != Video.ModerationState.REMOVED
    if not video_is_watchable_by_anyone(video):
        return False
    return video.owner_id not in hidden_user_ids(viewer=user, include_muted=False)


# --- fetching one ------------------------------------------------------------------------------
def video_by_short_id(short_id: str) -> Video | None:
    """The video with this short id, with its creator, or None: the one lookup that the
    checks above then rule on."""
    return Video.objects.select_related("owner").filter(short_id=short_id).first()


def video_get_watchable_by_anyone(*, short_id: str) -> Video:
    """The video with this short id if anyone may watch it (embeds, oEmbed), else 404."""
    video = video_by_short_id(short_id)
    if video is None or not video_is_watchable_by_anyone(video):
        raise Http404
    return video


def video_for_manager(*, short_id: str, user) -> Video | None:
    """The video with this short id if the user may manage it, else None."""
    video = video_by_short_id(short_id)
    if video is None or not video_can_manage(video=video, user=user):
        return None
    return video


def video_get_for_owner(*, short_id: str, user) -> Video:
    """A video the user may manage (its creator, or a moderator: `video_can_manage`); 404 for
    anyone else, so that others cannot even learn that a draft exists."""
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

STUDIO_GROUPS = ("unfinished", "draft", "scheduled", "published")


def videos_of_owner(*, user):
    """The creator's videos for the studio, each with its `studio_group` (unfinished, draft,
    scheduled, published), in that order, newest first within a group."""
    ready = Q(status=Video.Status.READY)
    group = Case(
        When(published_at__isnull=False, then=Value("published")),
        When(ready & Q(publish_at__isnull=False), then=Value("scheduled")),
        When(ready, then=Value("draft")),
        default=Value("unfinished"),
        output_field=CharField(),
    )
    rank = Case(
        *(When(studio_group=name, then=Value(n)) for n, name in enumerate(STUDIO_GROUPS)),
        output_field=IntegerField(),
    )
    return (
        Video.objects.filter(owner=user)
        .select_related("owner")
        .annotate(studio_group=group)
        .annotate(studio_rank=rank)
        .order_by("studio_rank", "-created_at")
        .only(
            "short_id", "title", "status", "visibility", "published_at", "publish_at",
            "created_at", "poster", "duration", "owner__username",
        )
    )  # fmt: skip


def videos_public(*, now=None):
    """Every video anyone may find: ready, published, public, not limited, removed or held,
    from a creator in good standing (active, not suspended) and not limited."""
    return Video.objects.filter(
        users_in_good_standing_q("owner__", now=now or timezone.now()),
        status=Video.Status.READY,
        published_at__isnull=False,
        visibility=Video.Visibility.PUBLIC,
        moderation_state=Video.ModerationState.VISIBLE,
        owner__limited_at__isnull=True,
    )


def videos_for_viewer(*, user, include_muted: bool = True):
    """The videos `user` may find in feeds, search and listings: `videos_public()` without
    the people they blocked, who blocked them, or (`include_muted`) whom they muted. Costs
    at most one small indexed query per request (the hidden ids), none for visitors."""
    hidden = hidden_user_ids(viewer=user, include_muted=include_muted)
    queryset = videos_public()
    if hidden:
        queryset = queryset.exclude(owner_id__in=hidden)
    return queryset


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


def video_neighbours(*, video: Video):
    """The creator's public videos just newer and just older than this one (the video page's
    previous and next), or None at either end."""
    if video.published_at is None:
        return None, None
    others = videos_public().filter(owner_id=video.owner_id).exclude(pk=video.pk)
    newer = (
        others.filter(published_at__gte=video.published_at)
        .order_by("published_at", "pk")
        .only("short_id", "title")
        .first()
    )
    older = (
        others.filter(published_at__lte=video.published_at)
        .exclude(pk=newer.pk if newer else None)
        .order_by("-published_at", "-pk")
        .only("short_id", "title")
        .first()
    )
    return newer, older


# --- the trim step ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TrimFrame:
    time: float  # seconds from the clip's beginning
    value: str  # the time as its radio button's value: "3" for 3.0
    url: str  # signed and short-lived: the frames are private, like every draft's files
    width: int
    height: int


def video_trim_frames(*, video: Video) -> list[TrimFrame]:
    """The strip of frames to choose the start of a clip waiting for one (its managers only:
    call it after `video_get_for_owner`)."""
    if video.status not in (Video.Status.NEEDS_TRIM, Video.Status.FAILED):
        return []
    return [
        TrimFrame(
            time=frame["time"],
            value=f"{frame['time']:g}",
            url=default_storage.url(frame["name"]),
            width=frame["width"],
            height=frame["height"],
        )
        for frame in video.trim_frames or []
    ]
