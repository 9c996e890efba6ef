"""Reads of analytics: a creator's totals and series, the per-video table, one video's
measures (docs/analytics.md defines each). Everything reads the daily roll-up rows."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import F, Q, Sum
from django.db.models.functions import TruncHour
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from analytics.models import RETENTION_POINTS, SOURCES, CreatorStats, Granularity, VideoStats
from recommendations.models import WatchEvent
from videos.models import Video
from videos.selectors import video_by_short_id

PERIODS = (7, 28, 90)
SUMMED = [
    "plays", "engaged_plays", "completions", "loops", "leaves", "watch_ms", "unique_viewers",
    "likes", "comments", "shares", "follows_gained",
    *(f"src_{source}" for source in SOURCES),
    *(f"ret_{10 * k}" for k in range(1, RETENTION_POINTS + 1)),
]  # fmt: skip
# The per-video table's columns, in order; any of them sorts the table.
VIDEO_COLUMNS = [
    "plays", "engaged_plays", "completion_rate", "loops_per_play", "avg_watch_seconds",
    "unique_viewers", "likes", "comments", "shares", "follows_gained",
]  # fmt: skip

TABLE_SUMS = [
    "plays", "engaged_plays", "completions", "watch_ms", "unique_viewers", "likes",
    "comments", "shares", "follows_gained",
]  # fmt: skip
TABLE_PAGE_SIZE = 50

STATS_PERMISSION = "analytics.view_any_stats"


def stats_may_read(*, user, owner) -> bool:
    """The creator, and moderators given the permission, may read a creator's analytics."""
    if not user.is_authenticated:
        return False
    return user.pk == owner.pk or user.has_perm(STATS_PERMISSION)


def video_get_for_stats(*, short_id: str, user) -> Video:
    """The video whose analytics `user` may read, or 404 (never saying it exists)."""
    video = video_by_short_id(short_id)
    if video is None or not stats_may_read(user=user, owner=video.owner):
        raise Http404
    return video


def video_id_for_live_stats(*, short_id: str, user) -> int | None:
    """The id of the video whose live counters `user` may follow (the stats_may_read rule),
    else None: for the analytics socket, which cannot answer 404."""
    try:
        return video_get_for_stats(short_id=short_id, user=user).pk
    except Http404:
        return None


def video_plays_today(*, video, now: datetime | None = None) -> int:
    """Plays of the video since midnight UTC, straight from the raw events and counted as the
    roll-up counts them (a viewer-hour with a `play`, the owner's own excluded), so the live
    counter agrees with the day's row once it is rolled up."""
    today = window(days=1, now=now).start
    plays = WatchEvent.objects.filter(video=video, kind="play", created_at__gte=today).filter(
        Q(user__isnull=True) | ~Q(user_id=video.owner_id)
    )
    return (
        plays.annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .values("viewer_id", "hour")
        .distinct()
        .count()
    )


def days_param(value, default: int = 28) -> int:
    """The ?days= of a page or API call: one of 1..365, else the default."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return default
    return days if 1 <= days <= 365 else default


@dataclass(frozen=True)
class Window:
    start: datetime  # inclusive, midnight UTC
    end: datetime  # exclusive

    @property
    def days(self) -> list[date]:
        count = (self.end - self.start).days
        return [(self.start + timedelta(days=i)).date() for i in range(count)]


def window(*, days: int, now: datetime | None = None, back: int = 0) -> Window:
    """The last `days` whole UTC days up to and including today; `back=1` is the period
    before it."""
    now = now or timezone.now()
    tomorrow = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    end = tomorrow - timedelta(days=days * back)
    return Window(start=end - timedelta(days=days), end=end)


def derived(sums: dict, *, duration: float | None = None) -> dict:
    """The measures of docs/analytics.md from summed roll-up columns."""
    plays = sums.get("plays") or 0
    watch_ms = sums.get("watch_ms") or 0

    def ratio(part, whole):
        return round(part / whole, 4) if whole else 0.0

    result = {name: sums.get(name) or 0 for name in SUMMED}
    result.update(
        completion_rate=ratio(result["completions"], plays),
        engaged_rate=ratio(result["engaged_plays"], plays),
        swipe_away_rate=ratio(result["leaves"], plays),
        avg_watch_seconds=round(watch_ms / 1000 / plays, 2) if plays else 0.0,
        watch_seconds=round(watch_ms / 1000, 1),
        loops_per_play=(
            round(watch_ms / 1000 / (duration * plays), 2) if plays and duration else None
        ),
        traffic_sources={source: result[f"src_{source}"] for source in SOURCES},
        retention=[
            {"point": 10 * k, "share": ratio(result[f"ret_{10 * k}"], plays)}
            for k in range(1, RETENTION_POINTS + 1)
        ],
    )
    return result


def _sums(queryset) -> dict:
    return queryset.aggregate(**{name: Sum(name) for name in SUMMED})


def creator_totals(*, creator, days: int, now: datetime | None = None) -> dict:
    """The creator's measures over the last `days` days, with the period before and the
    change between them (None where the period before had nothing)."""
    rows = CreatorStats.objects.filter(creator=creator, granularity=Granularity.DAY)
    current, previous = window(days=days, now=now), window(days=days, now=now, back=1)
    now_sums = _sums(rows.filter(period_start__gte=current.start, period_start__lt=current.end))
    before = _sums(rows.filter(period_start__gte=previous.start, period_start__lt=previous.end))
    totals = derived(now_sums)
    earlier = derived(before)
    totals["change"] = {
        name: (round((totals[name] - earlier[name]) / earlier[name], 4) if earlier[name] else None)
        for name in (
            "plays", "engaged_plays", "watch_seconds", "unique_viewers", "likes",
            "comments", "shares", "follows_gained", "completion_rate", "avg_watch_seconds",
        )
    }  # fmt: skip
    totals["previous"] = earlier
    return totals


SERIES = ["plays", "engaged_plays", "watch_ms", "unique_viewers", "likes", "comments",
          "shares", "follows_gained"]  # fmt: skip


def _series(rows, win: Window) -> list[dict]:
    by_day = {
        row["period_start"].date(): row
        for row in rows.filter(period_start__gte=win.start, period_start__lt=win.end).values(
            "period_start", *SERIES
        )
    }
    series = []
    for day in win.days:
        row = by_day.get(day, {})
        point = {name: row.get(name, 0) for name in SERIES}
        point["day"] = day
        point["watch_seconds"] = round(point.pop("watch_ms") / 1000, 1)
        series.append(point)
    return series


# The columns of a series point after `day`, for tables and CSV.
SERIES_COLUMNS = ["plays", "engaged_plays", "watch_seconds", "unique_viewers", "likes",
                  "comments", "shares", "follows_gained"]  # fmt: skip


def creator_loops_per_play(*, creator, days: int, now: datetime | None = None) -> float | None:
    """Loops per play over all of the creator's videos: watch seconds / the durations summed
    over plays (each play counts its own video's duration); None without plays."""
    win = window(days=days, now=now)
    rows = VideoStats.objects.filter(
        creator=creator, granularity=Granularity.DAY, period_start__gte=win.start,
        period_start__lt=win.end, video__duration__gt=0,
    )  # fmt: skip
    sums = rows.aggregate(
        watch_ms=Sum("watch_ms"), play_seconds=Sum(F("plays") * F("video__duration"))
    )
    if not sums["play_seconds"]:
        return None
    return round(sums["watch_ms"] / 1000 / sums["play_seconds"], 2)


def creator_get_for_stats(*, username: str | None, user):
    """The creator whose totals `user` may read: `user` themselves without a username, else
    the named creator if `user` may read theirs (a moderator with the permission); else 404."""
    if not username:
        return user
    creator = User.objects.filter(username__iexact=username).first()
    if creator is None or not stats_may_read(user=user, owner=creator):
        raise Http404
    return creator


def creator_series(*, creator, days: int, now: datetime | None = None) -> list[dict]:
    """One point per day of the window (zeros on days without rows)."""
    rows = CreatorStats.objects.filter(creator=creator, granularity=Granularity.DAY)
    return _series(rows, window(days=days, now=now))


def video_series(*, video, days: int, now: datetime | None = None) -> list[dict]:
    rows = VideoStats.objects.filter(video=video, granularity=Granularity.DAY)
    return _series(rows, window(days=days, now=now))


def video_totals(*, video, days: int, now: datetime | None = None) -> dict:
    win = window(days=days, now=now)
    rows = VideoStats.objects.filter(
        video=video, granularity=Granularity.DAY, period_start__gte=win.start,
        period_start__lt=win.end,
    )  # fmt: skip
    return derived(_sums(rows), duration=video.duration)


def _table_row(sums: dict, video: dict) -> dict:
    """The per-video table's measures only (the same formulas as `derived`)."""
    plays = sums.get("plays") or 0
    watch_s = (sums.get("watch_ms") or 0) / 1000
    duration = video["duration"]
    return {
        "short_id": video["short_id"],
        "title": video["title"],
        "published_at": video["published_at"],
        "plays": plays,
        "engaged_plays": sums.get("engaged_plays") or 0,
        "completion_rate": round((sums.get("completions") or 0) / plays, 4) if plays else 0.0,
        "loops_per_play": round(watch_s / (duration * plays), 2) if plays and duration else None,
        "avg_watch_seconds": round(watch_s / plays, 2) if plays else 0.0,
        "unique_viewers": sums.get("unique_viewers") or 0,
        "likes": sums.get("likes") or 0,
        "comments": sums.get("comments") or 0,
        "shares": sums.get("shares") or 0,
        "follows_gained": sums.get("follows_gained") or 0,
    }


def creator_video_table(
    *, creator, days: int, sort: str = "plays", descending: bool = True, now=None
) -> list[dict]:
    """Every video of the creator with its measures over the window, sorted by `sort`
    (one of VIDEO_COLUMNS or "title"); videos without plays have zeros."""
    win = window(days=days, now=now)
    sums = {
        row["video_id"]: row
        for row in VideoStats.objects.filter(
            creator=creator,
            granularity=Granularity.DAY,
            period_start__gte=win.start,
            period_start__lt=win.end,
        )
        .values("video_id")
        .annotate(**{name: Sum(name) for name in TABLE_SUMS})
        .order_by()
    }
    table = []
    empty = {}
    for video in Video.objects.filter(owner=creator).values(
        "id", "short_id", "title", "duration", "published_at"
    ):
        table.append(_table_row(sums.get(video["id"], empty), video))
    if sort not in VIDEO_COLUMNS and sort != "title":
        sort = "plays"

    def key(row):
        value = row[sort]
        return (value is not None, value if value is not None else 0)

    if sort == "title":
        table.sort(key=lambda row: row["title"].lower(), reverse=descending)
    else:
        table.sort(key=key, reverse=descending)
    return table


def creator_daily_rows(*, creator, days: int | None = None, now=None):
    """Every daily row of every video of the creator (for the full CSV export), oldest
    first, as a lazy iterator of tuples."""
    rows = VideoStats.objects.filter(creator=creator, granularity=Granularity.DAY)
    if days is not None:
        win = window(days=days, now=now)
        rows = rows.filter(period_start__gte=win.start, period_start__lt=win.end)
    return (
        rows.order_by("period_start", "video_id")
        .values_list("period_start", "video__short_id", *SUMMED)
        .iterator(chunk_size=5000)
    )
