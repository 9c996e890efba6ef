"""Reads of the recommender's training data from the app's tables.

Signals become one weighted interaction per (viewer, video): watch events (plays, watch
time, completions, loops, shares, skips), likes, comments and "Not interested". Side
features: creator, hashtags and title words for videos; followed creators and picked
topics for users. The same weighting serves training (the nightly job) and the online
fold-in (a viewer's events since the model was trained), so the two never disagree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Q, Sum

from recommendations.models import NotInterested, TopicInterest, WatchEvent
from videos.models import Video
from videos.selectors import videos_public

#: Weight of each signal in a (viewer, video) interaction; see ``interaction_weight``.
WEIGHTS = {
    "play": 0.25,
    "watch": 0.5,  # scaled by how much of the clip was watched
    "complete": 1.0,
    "loop": 0.5,  # per loop, at most MAX_LOOPS
    "share": 1.5,
    "like": 1.0,
    "comment": 1.0,
    "skip": -0.3,
    "not_interested": -1.5,
}
MAX_LOOPS = 3
CLIP_MS = 5000
WORD_RE = re.compile(r"[^\W\d_]{3,}")
STOP_WORDS = frozenset(
    ["the", "and", "for", "with", "this", "that", "from", "you", "your", "are", "was", "our"]
)
MAX_TITLE_WORDS = 5


@dataclass
class Signals:
    """What one viewer did with one video."""

    plays: int = 0
    watch_ms: int = 0
    completes: int = 0
    loops: int = 0
    shares: int = 0
    skips: int = 0
    likes: int = 0
    comments: int = 0
    not_interested: bool = False
    last_at: datetime | None = None

    def seen_at(self, moment: datetime | None) -> None:
        if moment is not None and (self.last_at is None or moment > self.last_at):
            self.last_at = moment


def interaction_weight(s: Signals) -> float:
    """One number for everything a viewer did with a video: > 0 liked it, < 0 did not.

    A skip only counts when nothing positive happened after it (people skip and come back);
    "Not interested" always wins.
    """
    if s.not_interested:
        return WEIGHTS["not_interested"]
    positive = (
        WEIGHTS["play"] * min(s.plays, 1)
        + WEIGHTS["watch"] * min(1.0, s.watch_ms / CLIP_MS)
        + WEIGHTS["complete"] * min(s.completes, 1)
        + WEIGHTS["loop"] * min(s.loops, MAX_LOOPS)
        + WEIGHTS["share"] * min(s.shares, 1)
        + WEIGHTS["like"] * min(s.likes, 1)
        + WEIGHTS["comment"] * min(s.comments, 1)
    )
    engaged = s.completes or s.loops or s.shares or s.likes or s.comments
    if s.skips and not engaged:
        return WEIGHTS["skip"]
    return positive


def watch_aggregates(queryset):
    """Watch events grouped per (viewer, video), one row each with the signal counts."""
    kind = WatchEvent.Kind
    return queryset.annotate(
        plays=Count("pk", filter=Q(kind=kind.PLAY)),
        completes=Count("pk", filter=Q(kind=kind.COMPLETE)),
        loops=Count("pk", filter=Q(kind=kind.LOOP)),
        shares=Count("pk", filter=Q(kind=kind.SHARE)),
        skips=Count("pk", filter=Q(kind=kind.SKIP)),
        total_ms=Sum("watch_ms", filter=Q(kind=kind.WATCH)),
        last_at=Max("created_at"),
    ).order_by()


def apply_watch_row(s: Signals, row: dict) -> None:
    s.plays += row["plays"]
    s.completes += row["completes"]
    s.loops += row["loops"]
    s.shares += row["shares"]
    s.skips += row["skips"]
    s.watch_ms += row["total_ms"] or 0
    s.seen_at(row["last_at"])


def title_words(title: str) -> list[str]:
    words = []
    for word in WORD_RE.findall(title.lower()):
        if word not in STOP_WORDS and word not in words:
            words.append(word)
    return words[:MAX_TITLE_WORDS]


def user_key(user_id: int) -> str:
    return f"u{user_id}"


@dataclass
class TrainingData:
    records: list[tuple[str, str, float, float]] = field(default_factory=list)
    item_features: dict[str, list[str]] = field(default_factory=dict)
    user_features: dict[str, list[str]] = field(default_factory=dict)
    trained_until: datetime | None = None


def training_data(*, since: datetime, until: datetime) -> TrainingData:
    """Every public video with its features, and every viewer's weighted interactions with
    them between ``since`` and ``until``. Anonymous viewers count (by their random browser
    id) when they engaged with at least two videos: they teach which videos go together."""
    from social.models import Comment, Follow, Like

    data = TrainingData(trained_until=until)
    catalog = videos_public().values_list("pk", "owner_id", "title")
    for pk, owner_id, title in catalog.iterator(chunk_size=5000):
        features = [f"creator:{owner_id}"]
        features += [f"word:{word}" for word in title_words(title)]
        data.item_features[str(pk)] = features
    tags = Video.hashtags.through.objects.filter(video__in=videos_public()).values_list(
        "video_id", "hashtag__name"
    )
    for video_id, name in tags.iterator(chunk_size=5000):
        data.item_features[str(video_id)].append(f"tag:{name}")

    signals: dict[tuple[str, int], Signals] = defaultdict(Signals)
    window = Q(created_at__gte=since, created_at__lt=until)
    events = watch_aggregates(
        WatchEvent.objects.filter(window).values("user_id", "viewer_id", "video_id")
    )
    for row in events.iterator(chunk_size=5000):
        who = user_key(row["user_id"]) if row["user_id"] else f"a{row['viewer_id'].hex}"
        apply_watch_row(signals[who, row["video_id"]], row)
    for user_id, video_id, at in Like.objects.filter(window).values_list(
        "user_id", "video_id", "created_at"
    ):
        s = signals[user_key(user_id), video_id]
        s.likes += 1
        s.seen_at(at)
    for user_id, video_id, at in Comment.objects.filter(window).values_list(
        "author_id", "video_id", "created_at"
    ):
        s = signals[user_key(user_id), video_id]
        s.comments += 1
        s.seen_at(at)
    for user_id, video_id, at in NotInterested.objects.filter(created_at__lt=until).values_list(
        "user_id", "video_id", "created_at"
    ):
        s = signals[user_key(user_id), video_id]
        s.not_interested = True
        s.seen_at(at)

    engaged: dict[str, int] = defaultdict(int)
    for (who, video_id), s in signals.items():
        if str(video_id) in data.item_features and interaction_weight(s) > 0:
            engaged[who] += 1
    for (who, video_id), s in signals.items():
        item = str(video_id)
        if item not in data.item_features:
            continue  # deleted, private or unpublished since
        if who.startswith("a") and engaged[who] < 2:
            continue
        stamp = s.last_at.timestamp() if s.last_at else None
        data.records.append((who, item, stamp, interaction_weight(s)))

    for user_id, followee_id in Follow.objects.values_list("follower_id", "followee_id"):
        data.user_features.setdefault(user_key(user_id), []).append(f"follow:{followee_id}")
    for user_id, hashtag_id in TopicInterest.objects.values_list("user_id", "hashtag_id"):
        data.user_features.setdefault(user_key(user_id), []).append(f"topic:{hashtag_id}")
    return data
