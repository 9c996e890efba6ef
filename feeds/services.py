"""Writes of the discovery app: the stored trending score."""

import math
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from recommendations.models import WatchEvent
from videos.models import Video
from videos.selectors import videos_public

TRENDING_WINDOW = timedelta(days=30)
COMPLETION_WINDOW = timedelta(days=7)
GRAVITY = 1.5  # how fast age pulls a video down (Hacker News uses 1.8)
WEIGHTS = {"view": 1.0, "like": 3.0, "comment": 4.0}
BATCH = 2000


def trending_score(
    *, views: int, likes: int, comments: int, completion_rate: float, age_hours: float
) -> float:
    """A time-decayed engagement score.

    Engagement counts views, likes and comments (a comment is worth more than a like, a like
    more than a view), and is scaled up to twice by how often people who start the video
    watch it to the end. Age divides it by (hours + 2)^1.5, so a burst of attention today beats
    a larger one last week. Videos nobody has engaged with score 0 and are left to the "fresh"
    stream of the For You feed.
    """
    engagement = WEIGHTS["view"] * views + WEIGHTS["like"] * likes + WEIGHTS["comment"] * comments
    if engagement <= 0:
        return 0.0
    quality = 1.0 + max(0.0, min(1.0, completion_rate))
    return engagement * quality / math.pow(max(0.0, age_hours) + 2.0, GRAVITY)


def trending_recompute(*, now: datetime | None = None) -> int:
    """Recompute the trending score of every public video of the last 30 days; older and
    non-public videos drop to 0. Returns how many videos were scored."""
    now = now or timezone.now()
    window_start = now - TRENDING_WINDOW
    completions = {
        row["video_id"]: row
        for row in WatchEvent.objects.filter(created_at__gte=now - COMPLETION_WINDOW)
        .values("video_id")
        .annotate(
            plays=Count("pk", filter=Q(kind=WatchEvent.Kind.PLAY)),
            completes=Count("pk", filter=Q(kind=WatchEvent.Kind.COMPLETE)),
        )
    }
    candidates = (
        videos_public()
        .filter(published_at__gte=window_start)
        .only("pk", "view_count", "like_count", "comment_count", "published_at", "trending_score")
        .order_by("pk")
    )
    scored = 0
    batch = []
    for video in candidates.iterator(chunk_size=BATCH):
        stats = completions.get(video.pk, {})
        plays = stats.get("plays", 0)
        rate = stats.get("completes", 0) / plays if plays else 0.0
        video.trending_score = trending_score(
            views=video.view_count,
            likes=video.like_count,
            comments=video.comment_count,
            completion_rate=rate,
            age_hours=(now - video.published_at).total_seconds() / 3600,
        )
        batch.append(video)
        scored += 1
        if len(batch) >= BATCH:
            Video.objects.bulk_update(batch, ["trending_score"])
            batch = []
    if batch:
        Video.objects.bulk_update(batch, ["trending_score"])
    # Whatever left the window or stopped being public no longer trends.
    Video.objects.filter(trending_score__gt=0).exclude(
        pk__in=videos_public().filter(published_at__gte=window_start).values("pk")
    ).update(trending_score=0)
    return scored
