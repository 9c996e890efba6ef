"""Writes of the recommender: the players' watch events, explicit feedback ("Not
interested", "Show fewer from this creator", picked topics) and trained model versions."""

import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.ratelimit import RateLimited, limit
from core.signals import plays_recorded
from recommendations.models import (
    NotInterested,
    RecModelVersion,
    ShowFewer,
    TopicInterest,
    WatchEvent,
)
from videos.models import Video
from videos.selectors import video_is_watchable_or_managed_by

MAX_EVENTS_PER_BATCH = 50
MAX_MS = 10 * 60 * 1000  # no single report covers more than ten minutes
VIEW_WINDOW_SECONDS = 3600

logger = logging.getLogger(__name__)


class InvalidEvents(ValueError):
    """The batch is malformed; nothing of it is stored."""


@dataclass(frozen=True)
class _PlayerEvent:
    short_id: str
    kind: str
    watch_ms: int
    position_ms: int
    source: str = ""


def _parse_player_events(raw_batch: str) -> list[_PlayerEvent]:
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
        source = item.get("source", "")
        if source not in WatchEvent.Source.values:
            raise InvalidEvents("unknown traffic source")
        events.append(_PlayerEvent(short_id, kind, watch_ms, position_ms, source))
    return events


def watch_events_record(
    *, user, viewer_id, raw_batch: str, viewer_key: str = "", address="", alias_key: str = ""
):
    """Validate and store a batch of player events; returns how many were stored.

    A malformed batch raises `InvalidEvents` and stores nothing. Events for videos that
    this viewer may not watch (or that were deleted meanwhile) are dropped silently: a player
    can outlive its video.

    A "play" counts a view once per viewer per video per hour (`VIEW_WINDOW_SECONDS`):
    `viewer_key` says who the viewer is (the signed-in user, the server-issued cookie, else the
    client's address; default: the user, else `viewer_id`). A view counted under the address
    for a browser that was just given its cookie is also recorded under `alias_key` (the
    cookie), so that its next batch is not a second view. Whatever ids a script makes up,
    one `address` adds at most `RATELIMITS["view"]` views to a video (20 an hour).
    """
    try:
        viewer = viewer_id if isinstance(viewer_id, uuid.UUID) else uuid.UUID(viewer_id)
    except (TypeError, ValueError, AttributeError):
        raise InvalidEvents("bad viewer id") from None
    events = _parse_player_events(raw_batch)
    videos = {
        video.short_id: video
        for video in Video.objects.filter(short_id__in={e.short_id for e in events})
    }
    signed_in = user if user.is_authenticated else None
    rows = []
    plays = set()
    for event in events:
        video = videos.get(event.short_id)
        if video is None or not video_is_watchable_or_managed_by(video=video, user=user):
            continue
        rows.append(
            WatchEvent(
                video=video,
                user=signed_in,
                viewer_id=viewer,
                kind=event.kind,
                watch_ms=event.watch_ms,
                position_ms=event.position_ms,
                source=event.source,
            )
        )
        if event.kind == WatchEvent.Kind.PLAY and video.owner_id != getattr(signed_in, "pk", None):
            plays.add(video.pk)
    if signed_in:
        viewer_key = f"u{signed_in.pk}"
    viewer_key = viewer_key or f"a{viewer.hex}"
    with transaction.atomic():
        WatchEvent.objects.bulk_create(rows)
        for video_pk in plays:
            # cache.add is atomic: only the first play within the hour counts.
            if cache.add(f"view:{video_pk}:{viewer_key}", 1, VIEW_WINDOW_SECONDS) and (
                not address or _address_may_add_view(video_pk, address)
            ):
                if alias_key and not signed_in:
                    cache.add(f"view:{video_pk}:{alias_key}", 1, VIEW_WINDOW_SECONDS)
                Video.objects.filter(pk=video_pk).update(view_count=F("view_count") + 1)
        if plays:
            played = frozenset(plays)
            transaction.on_commit(lambda: plays_recorded.send(sender=WatchEvent, video_ids=played))
    return len(rows)


def _address_may_add_view(video_pk: int, address: str) -> bool:
    """At most RATELIMITS["view"] views of one video from one address (a household or an
    office shares one; a script harvesting fresh cookies is held here)."""
    try:
        limit(address, "view", target=f"video:{video_pk}")
    except RateLimited:
        return False
    return True


# --- explicit feedback -----------------------------------------------------------------------
def not_interested_create(*, user, video: Video) -> NotInterested:
    """Hide a video from this user's For You feed for good (idempotent); look-alikes drop
    on their next page, through the online update of their taste."""
    row, _created = NotInterested.objects.get_or_create(user=user, video=video)
    return row


def not_interested_delete(*, user, video: Video) -> bool:
    """Undo a "Not interested"; False when this user had none on that video."""
    deleted, _per_model = NotInterested.objects.filter(user=user, video=video).delete()
    return bool(deleted)


def show_fewer_create(*, user, creator) -> ShowFewer:
    """Demote a creator's videos in this user's For You feed (idempotent)."""
    if creator.pk == user.pk:
        raise InvalidFeedback(_("Your own videos are never in your For You feed."))
    row, _created = ShowFewer.objects.get_or_create(user=user, creator=creator)
    return row


def show_fewer_delete(*, user, creator) -> bool:
    """Undo a "Show fewer from this creator"; False when there was none."""
    deleted, _per_model = ShowFewer.objects.filter(user=user, creator=creator).delete()
    return bool(deleted)


class InvalidFeedback(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def topic_interests_set(*, user, hashtags) -> int:
    """Store the topics a new viewer picked (replacing earlier picks); returns how many."""
    with transaction.atomic():
        TopicInterest.objects.filter(user=user).delete()
        TopicInterest.objects.bulk_create(
            [TopicInterest(user=user, hashtag=hashtag) for hashtag in hashtags]
        )
    return len(hashtags)


# --- training ------------------------------------------------------------------------------------
def rec_model_train(
    *, now: datetime | None = None, epochs: int | None = None
) -> RecModelVersion | None:
    """Train the For You model on the last RECS_TRAIN_DAYS of signals and publish it as a
    new version: the file goes to storage first, then the row that web processes look for,
    so a process never sees a version without its file. Keeps RECS_KEEP_VERSIONS versions.

    Runs in the Celery worker (beat) or ``manage.py train_recs``, never in a web process.
    Returns None, and publishes nothing, while there are no public videos.
    """
    from recommendations.dataset import training_data
    from recommendations.engine.data import InteractionLog
    from recommendations.engine.recommender import HybridRecommender
    from recommendations.registry import model_storage

    now = now or timezone.now()
    data = training_data(since=now - timedelta(days=settings.RECS_TRAIN_DAYS), until=now)
    if not data.item_features:
        logger.info("recommender: no public videos, nothing to train")
        return None
    log = InteractionLog.from_records(data.records, source="database")
    overrides = {
        "epochs": epochs or settings.RECS_TRAIN_EPOCHS,
        "no_components": settings.RECS_MODEL_COMPONENTS,
    }
    model = HybridRecommender(**overrides).fit(
        log, item_features=data.item_features, user_features=data.user_features
    )
    version = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(8)}"
    storage = model_storage()
    # The name is unguessable: the file holds who interacted with what.
    path = storage.save(f"recs/models/{version}.npz", ContentFile(model.to_bytes()))
    row = RecModelVersion.objects.create(
        version=version,
        path=path,
        users=len(model.user_ids),
        items=len(model.item_ids),
        interactions=len(log),
        train_seconds=model.train_seconds,
        trained_until=now,
    )
    logger.info(
        "recommender model %s trained: %d users, %d videos, %d interactions in %.1fs",
        version, row.users, row.items, row.interactions, row.train_seconds,
    )  # fmt: skip
    keep = settings.RECS_KEEP_VERSIONS
    for old in RecModelVersion.objects.order_by("-created_at", "-pk")[keep:]:
        try:
            storage.delete(old.path)
        except OSError:
            logger.warning("could not delete old recommender model file %s", old.path)
        old.delete()
    return row
