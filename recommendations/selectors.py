"""Reads of the recommender: the For You page and the viewer's feedback.

A page is built in four steps, with the same number of queries whatever its size:

1. **Signals** of the viewer (two queries): their watch events and likes/comments of the last
   RECENT_DAYS, every "Not interested", "Show fewer" creator, follow and picked topic.
2. **Candidates**: the model's top videos for the viewer's embedding, folded in from their
   events since the model was trained (so a like, a skip or a "Not interested" changes the
   next page, not only tomorrow's model); videos of followed creators and picked topics;
   trending videos; the newest videos (exploration: every new video gets impressions).
   Without a usable model (off, never trained, file missing or corrupt) the same pipeline
   runs on trending and fresh videos alone.
3. **Filters**, in the database: public, ready and published (``videos_public``), not the
   viewer's own, not already served in this scroll, not watched in the last RECENT_DAYS,
   not marked "Not interested". "Show fewer" creators are demoted, not removed.
4. **Re-ranking**: one exploration slot in every few, at most MAX_PER_CREATOR videos of one
   creator in any DIVERSITY_WINDOW consecutive ones (also across pages), and the next
   video preferably shares no hashtag with the two before it.
"""

from __future__ import annotations

import logging
import math
import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import CharField, Count, F, Value
from django.utils import timezone

from recommendations.dataset import Signals, apply_watch_row, interaction_weight, watch_aggregates
from recommendations.engine.events import Event
from recommendations.models import NotInterested, ShowFewer, TopicInterest, WatchEvent
from recommendations.registry import current_model, latest_version, registry
from videos.models import Hashtag, Video
from videos.selectors import (
    video_by_short_id,
    video_is_watchable_or_managed_by,
    videos_for_viewer,
    videos_public,
)

logger = logging.getLogger(__name__)

RECENT_DAYS = 7  # a video watched this recently is not recommended again
MAX_PER_CREATOR = 2
DIVERSITY_WINDOW = 10
HASHTAG_LOOKAHEAD = 5
# Score (in standard deviations) a video loses per hashtag-sharing neighbour among the two
# videos before it.
VARIETY_PENALTY = 0.25
EXPLORE_EVERY_WITH_MODEL = 4  # one exploration slot in four
EXPLORE_EVERY_WITHOUT_MODEL = 3  # the fallback blend: two trending, one fresh
FOLLOW_BOOST = 0.75  # in standard deviations of the model's scores
TOPIC_BOOST = 1.0
SHOW_FEWER_PENALTY = 2.0
NO_VIDEO = -1  # keeps `pk__in` from being empty, which Django would answer without a query


@dataclass
class ViewerSignals:
    """What a viewer did, as the feed needs it."""

    per_video: dict[int, Signals] = field(default_factory=dict)
    hidden: list[int] = field(default_factory=list)  # "Not interested", oldest first
    fewer_creators: set[int] = field(default_factory=set)
    followees: set[int] = field(default_factory=set)
    topics: set[int] = field(default_factory=set)

    @property
    def is_new(self) -> bool:
        return not (self.per_video or self.hidden or self.followees or self.topics)

    def user_features(self) -> list[str]:
        return [f"follow:{pk}" for pk in sorted(self.followees)] + [
            f"topic:{pk}" for pk in sorted(self.topics)
        ]

    def online_events(self, since: float) -> list[Event]:
        """The viewer's feedback since the model was trained, oldest first. Older "Not
        interested" marks only hide (the model already learned from them)."""
        events = []
        for video_id, s in sorted(
            self.per_video.items(), key=lambda item: item[1].last_at or timezone.now()
        ):
            fresh = s.last_at is not None and s.last_at.timestamp() > since
            if s.not_interested:
                weight = interaction_weight(s) if fresh else 0.0
                events.append(Event(str(video_id), weight, hide=True))
            elif fresh:
                events.append(Event(str(video_id), interaction_weight(s)))
        return events


def viewer_signals(user) -> ViewerSignals:
    """Two queries for a signed-in viewer, none for an anonymous one."""
    from social.models import Comment, Follow, Like

    signals = ViewerSignals()
    if not user.is_authenticated:
        return signals
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    watched = watch_aggregates(
        WatchEvent.objects.filter(user=user, created_at__gte=since).values("video_id")
    )
    for row in watched:
        signals.per_video.setdefault(row["video_id"], Signals())
        apply_watch_row(signals.per_video[row["video_id"]], row)

    def rows(queryset, kind: str, ref: str):
        # One shape for every table, so that one UNION query reads them all.
        return (
            queryset.annotate(
                k=Value(kind, output_field=CharField()), ref=F(ref), at=F("created_at")
            )
            .values_list("k", "ref", "at")
            .order_by()
        )

    union = rows(Like.objects.filter(user=user, created_at__gte=since), "like", "video_id").union(
        rows(Comment.objects.filter(author=user, created_at__gte=since), "comment", "video_id"),
        rows(NotInterested.objects.filter(user=user), "hide", "video_id"),
        rows(ShowFewer.objects.filter(user=user), "fewer", "creator_id"),
        rows(Follow.objects.filter(follower=user), "follow", "followee_id"),
        rows(TopicInterest.objects.filter(user=user), "topic", "hashtag_id"),
        all=True,
    )
    hidden = []
    for kind, ref, at in union:
        if kind in ("like", "comment", "hide"):
            s = signals.per_video.setdefault(ref, Signals())
            s.seen_at(at)
            if kind == "like":
                s.likes += 1
            elif kind == "comment":
                s.comments += 1
            else:
                s.not_interested = True
                hidden.append((at, ref))
        elif kind == "fewer":
            signals.fewer_creators.add(ref)
        elif kind == "follow":
            signals.followees.add(ref)
        else:
            signals.topics.add(ref)
    signals.hidden = [ref for _, ref in sorted(hidden)]
    return signals


@dataclass(frozen=True)
class ForYouPage:
    videos: list[Video]
    has_more: bool
    source: str  # "model" or "fallback"
    cold_start: bool = False


def for_you_page(*, user, served: list[int], recent_creators: list[int], size: int) -> ForYouPage:
    """The next ``size`` videos of a viewer's For You feed (see the module docstring).

    ``served`` are the ids this scroll already showed (never shown again), and
    ``recent_creators`` the creators of its last few videos (for the per-creator cap
    across page boundaries). Nine queries for a signed-in viewer, six for an anonymous one,
    whatever ``size``.
    """
    signals = viewer_signals(user)
    loaded = current_model(latest_version())
    own = user.pk if user.is_authenticated else None
    pool = size * 3
    banned = set(served) | set(signals.hidden)
    banned |= {pk for pk, s in signals.per_video.items() if s.last_at is not None}

    # The one visibility rule, for this viewer: nothing from people they blocked, muted or
    # were blocked by (one small indexed query for the whole page).
    base = videos_for_viewer(user=user)
    if own is not None:
        base = base.exclude(owner_id=own)

    excluded = sorted(banned)

    def ids(queryset) -> list[int]:
        return list(queryset.exclude(pk__in=excluded).values_list("pk", flat=True)[: 2 * size])

    trending = ids(base.filter(trending_score__gt=0).order_by("-trending_score", "-pk"))
    fresh = ids(base.order_by("-published_at", "-pk"))
    personal: list[int] = []
    if own is not None:
        # Followed creators' and picked topics' newest videos: one query each, from the ids
        # the signals already hold, so that each uses its own index (a followed creator's
        # videos come from video_owner_public_recent, an index-only scan per creator) and an
        # empty one costs nothing. One query with an OR of two subqueries scanned every
        # public video, newest first, until it had enough: 1.8 s at 100k videos for someone
        # following three quiet creators (docs/benchmarks.md).
        streams = []
        if signals.followees:
            streams.append(base.filter(owner_id__in=sorted(signals.followees)))
        if signals.topics:
            tagged = Video.hashtags.through.objects.filter(hashtag_id__in=sorted(signals.topics))
            streams.append(base.filter(pk__in=tagged.values("video_id")))
        newest = []
        for queryset in streams:
            newest += (
                queryset.exclude(pk__in=excluded)
                .order_by("-published_at", "-pk")
                .values_list("published_at", "pk")[: 2 * size]
            )
        personal = list(dict.fromkeys(pk for _, pk in sorted(newest, reverse=True)))[: 2 * size]

    scores: dict[int, float] = {}
    model_known: set[int] = set()
    if loaded is not None:
        try:
            scores, model_known = _model_scores(
                loaded, user, signals, banned, personal + trending + fresh, pool
            )
        except Exception:  # a bad model must never take the home page down
            logger.exception("recommender model %s failed to rank; falling back", loaded.version)
            loaded, scores, model_known = None, {}, set()

    # The candidates' creators and hashtags, for the boosts and the diversity rules; this
    # query also drops whatever stopped being public since the model was trained.
    candidates = set(scores) | set(trending) | set(fresh) | set(personal)
    owners = dict(
        base.filter(pk__in=candidates or {NO_VIDEO}).order_by().values_list("pk", "owner_id")
    )
    tags: dict[int, set[int]] = {pk: set() for pk in owners}
    for video_id, hashtag_id in Video.hashtags.through.objects.filter(
        video_id__in=list(owners) or [NO_VIDEO]
    ).values_list("video_id", "hashtag_id"):
        tags[video_id].add(hashtag_id)

    # Exploit: what we think the viewer wants, best first. Explore: what we know little
    # about (new videos; without a model, everything not trending).
    adjusted: dict[int, float] = {}
    if loaded is not None:
        spread = statistics.pstdev([float(s) for s in scores.values()]) if len(scores) > 1 else 1.0
        floor = min(scores.values()) if scores else 0.0
        for pk in personal + trending:
            if pk not in model_known:
                scores.setdefault(pk, floor)  # new since training: the boosts below decide
        adjusted = {pk: score / (spread or 1.0) for pk, score in scores.items()}
    else:
        for rank, pk in enumerate(trending):
            adjusted[pk] = -2.0 * rank / len(trending)
        for pk in personal:
            adjusted.setdefault(pk, -1.0)
    for pk in list(adjusted):
        owner = owners.get(pk)
        if owner is None:
            del adjusted[pk]
            continue
        if owner in signals.followees:
            adjusted[pk] += FOLLOW_BOOST
        if tags[pk] & signals.topics:
            adjusted[pk] += TOPIC_BOOST
        if owner in signals.fewer_creators:
            adjusted[pk] -= SHOW_FEWER_PENALTY
    exploit = sorted(adjusted, key=lambda pk: (-adjusted[pk], -pk))
    explore = [pk for pk in fresh if pk in owners and pk not in adjusted]
    # New videos the model has not seen first (they get their exploration impressions),
    # "Show fewer" creators last; sort is stable, so newest first otherwise.
    explore.sort(key=lambda pk: (owners[pk] in signals.fewer_creators, pk in model_known))

    every = EXPLORE_EVERY_WITH_MODEL if loaded is not None else EXPLORE_EVERY_WITHOUT_MODEL
    picked = _rerank(exploit, explore, adjusted, owners, tags, recent_creators, size, every)
    by_pk = {
        video.pk: video
        for video in base.filter(pk__in=picked or [NO_VIDEO])
        .select_related("owner")
        .defer("search_vector", "description")
    }
    videos = [by_pk[pk] for pk in picked if pk in by_pk]
    remaining = len(exploit) + len(explore) - len(picked)
    has_more = remaining > 0 or (loaded is not None and len(videos) == size)
    return ForYouPage(
        videos,
        has_more=bool(videos) and has_more,
        source="model" if loaded is not None else "fallback",
        cold_start=bool(user.is_authenticated and signals.is_new),
    )


def _model_scores(loaded, user, signals, banned, extra, pool):
    """Scores of the model's top videos and of the other candidates it knows, for the
    viewer's embedding folded in from their events since training."""
    model = loaded.model
    key = f"u{user.pk}" if user.is_authenticated else "anonymous"
    features = signals.user_features()
    exclude = [str(pk) for pk in banned]
    with registry.lock:  # the online state is per process; one viewer at a time
        model.reset_user(key)
        try:
            events = signals.online_events(loaded.trained_until)
            model.update_user(key, events, user_features=features)
            top = model.recommend(key, pool, exclude=exclude, user_features=features)
            known = [str(pk) for pk in extra if model.item_row(str(pk)) is not None]
            more = model.recommend(
                key, len(known), candidates=known, exclude=exclude, user_features=features
            )
        finally:
            model.reset_user(key)
    scores = {int(item): score for item, score in top + more if math.isfinite(score)}
    return scores, {int(item) for item in known}


def _rerank(exploit, explore, scores, owners, tags, recent_creators, size, every):
    """Interleave exploitation and exploration and apply the diversity rules: the creator
    cap is strict (relaxed only when nothing else is left), hashtag variety is a penalty
    that lets a slightly lower-ranked video with other hashtags go first."""
    window = list(recent_creators)[-(DIVERSITY_WINDOW - 1) :]
    picked: list[int] = []
    taken: set[int] = set()
    queues = {"exploit": exploit, "explore": explore}

    def pick_from(queue, strict=True):
        recent = window[-(DIVERSITY_WINDOW - 1) :]
        candidates = (pk for pk in queue if pk not in taken)
        if strict:
            candidates = (pk for pk in candidates if recent.count(owners[pk]) < MAX_PER_CREATOR)
        allowed = []
        for pk in candidates:
            allowed.append(pk)
            if len(allowed) == HASHTAG_LOOKAHEAD:
                break
        if not allowed:
            return None

        def value(position, pk):
            base = scores.get(pk, -0.1 * position)
            shared = sum(bool(tags[pk] & tags[before]) for before in picked[-2:])
            return base - VARIETY_PENALTY * shared

        return max(enumerate(allowed), key=lambda item: value(*item))[1]

    slot = 0
    while len(picked) < size:
        slot += 1
        first, second = ("explore", "exploit") if slot % every == 0 else ("exploit", "explore")
        pk = pick_from(queues[first]) or pick_from(queues[second])
        if pk is None:
            # Only one or two creators left: fewer rules beat an empty feed.
            pk = pick_from(queues[first], strict=False) or pick_from(queues[second], strict=False)
        if pk is None:
            break
        picked.append(pk)
        taken.add(pk)
        window.append(owners[pk])
    return picked


# --- feedback --------------------------------------------------------------------------------
def topic_choices(*, limit: int = 12) -> list[Hashtag]:
    """The hashtags with the most public videos: what a new viewer can pick from."""
    return list(
        Hashtag.objects.filter(videos__in=videos_public())
        .annotate(n=Count("videos"))
        .order_by("-n", "name")[:limit]
    )


def video_for_feedback(*, short_id: str, user) -> Video | None:
    """The video a viewer gives feedback on, or None when it no longer exists or is not
    theirs to see (deleted, made private, unpublished)."""
    video = video_by_short_id(short_id)
    if video is None or not video_is_watchable_or_managed_by(video=video, user=user):
        return None
    return video
