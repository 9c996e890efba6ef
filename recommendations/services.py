"""Writes of recommendation signals: the players' watch events."""

import json
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from recommendations.models import WatchEvent
from videos.models import Video
from videos.selectors import video_can_manage, video_is_public_watchable

MAX_EVENTS_PER_BATCH = 50
MAX_MS = 10 * 60 * 1000  # no single report covers more than ten minutes
VIEW_WINDOW_SECONDS = 3600


class InvalidEvents(ValueError):
    """The batch is malformed; nothing of it is stored."""


@dataclass(frozen=True)
class _Event:
    short_id: str
    kind: str
    watch_ms: int
    position_ms: int


def _parse(raw_batch: str) -> list[_Event]:
    try:
        items = json.loads(raw_batch)
    except (TypeError, ValueError):
        raise InvalidEvents("batch is not JSON") from None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_EVENTS_PER_BATCH:
        raise InvalidEvents(f"batch must be a list of 1 to {MAX_EVENTS_PER_BATCH} events")
    events = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidEvents("event is not an object")
        short_id, kind = item.get("video"), item.get("kind")
        watch_ms, position_ms = item.get("watch_ms", 0), item.get("position_ms", 0)
        if not isinstance(short_id, str) or not 1 <= len(short_id) <= 10 or not short_id.isalnum():
            raise InvalidEvents("bad video id")
        if kind not in WatchEvent.Kind.values:
            raise InvalidEvents("unknown event kind")
        for value in (watch_ms, position_ms):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MS:
                raise InvalidEvents("times must be whole milliseconds")
        events.append(_Event(short_id, kind, watch_ms, position_ms))
    return events


def watch_events_record(*, user, viewer_id: str, raw_batch: str) -> int:
    """Validate and store a batch of player events; returns how many were stored.

    A malformed batch raises `InvalidEvents` and stores nothing. Events for videos that
    this viewer may not watch (or that were deleted meanwhile) are dropped silently: a player
    can outlive its video. A "play" counts a view once per viewer per video per hour.
    """
    try:
        viewer = uuid.UUID(viewer_id)
    except (TypeError, ValueError, AttributeError):
        raise InvalidEvents("bad viewer id") from None
    events = _parse(raw_batch)
    videos = {
        video.short_id: video
        for video in Video.objects.filter(short_id__in={e.short_id for e in events})
    }
    signed_in = user if user.is_authenticated else None
    rows = []
    plays = set()
    for event in events:
        video = videos.get(event.short_id)
        if video is None or not (video_is_public_watchable(video) or video_can_manage(video, user)):
            continue
        rows.append(
            WatchEvent(
                video=video,
                user=signed_in,
                viewer_id=viewer,
                kind=event.kind,
                watch_ms=event.watch_ms,
                position_ms=event.position_ms,
            )
        )
        if event.kind == WatchEvent.Kind.PLAY and video.owner_id != getattr(signed_in, "pk", None):
            plays.add(video.pk)
    viewer_key = f"u{signed_in.pk}" if signed_in else f"a{viewer.hex}"
    with transaction.atomic():
        WatchEvent.objects.bulk_create(rows)
        for video_pk in plays:
            # cache.add is atomic: only the first play within the hour counts.
            if cache.add(f"view:{video_pk}:{viewer_key}", 1, VIEW_WINDOW_SECONDS):
                Video.objects.filter(pk=video_pk).update(view_count=F("view_count") + 1)
    return len(rows)


def events_rate_limited(*, key: str, limit: int, window_seconds: int = 60) -> bool:
    """Count a request against `limit` per window; True once the limit is passed."""
    cache_key = f"events-rate:{key}"
    if cache.add(cache_key, 1, window_seconds):
        return False
    try:
        return cache.incr(cache_key) > limit
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, window_seconds)
        return False
