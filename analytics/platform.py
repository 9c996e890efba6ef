"""The platform's measures for staff (the admin's "Platform analytics" page): sessions,
uploads, active viewers, monthly retention cohorts, and search analytics. All from real rows;
watch-based measures reach back as far as raw events are kept (ANALYTICS_RAW_RETENTION_DAYS)."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncMonth
from django.utils import timezone

from analytics.models import SearchClick, SearchLog
from recommendations.models import WatchEvent
from videos.models import Video

SESSION_GAP_SECONDS = 30 * 60


def _epoch(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"extract(epoch from {column})"
    return f"(julianday({column}) * 86400.0)"


def average_session_seconds(*, since: datetime) -> float | None:
    """A session is one viewer's run of watch events with no gap over 30 minutes; its length
    runs from its first event to its last. The mean over sessions since `since`."""
    epoch = _epoch("created_at")
    sql = f"""
        SELECT AVG(last_at - first_at) FROM (
            SELECT viewer_id, session, MIN(at) AS first_at, MAX(at) AS last_at FROM (
                SELECT viewer_id, at, SUM(gap) OVER (PARTITION BY viewer_id ORDER BY at
                    ROWS UNBOUNDED PRECEDING) AS session
                FROM (
                    SELECT viewer_id, {epoch} AS at,
                        CASE WHEN {epoch} - LAG({epoch}) OVER (PARTITION BY viewer_id
                            ORDER BY created_at) <= {SESSION_GAP_SECONDS} THEN 0 ELSE 1 END AS gap
                    FROM {WatchEvent._meta.db_table} WHERE created_at >= %s
                ) marked
            ) numbered GROUP BY viewer_id, session
        ) sessions
    """  # nosec B608 - table and column names are constants of this module; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(since)])
        value = cursor.fetchone()[0]
    return None if value is None else round(float(value), 1)


def uploads_per_month(*, months: int = 12, now=None) -> list[dict]:
    now = now or timezone.now()
    since = (now - timedelta(days=31 * months)).replace(day=1, hour=0, minute=0, second=0)
    return list(
        Video.objects.filter(published_at__gte=since)
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(uploads=Count("pk"))
        .order_by("month")
    )


def active_viewers(*, now=None) -> dict:
    """DAU: distinct viewers (viewer ids) a day, averaged over the last 30 whole days; MAU:
    distinct viewers over those 30 days; and their ratio."""
    now = now or timezone.now()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=30)
    events = WatchEvent.objects.filter(created_at__gte=since, created_at__lt=today)
    mau = events.values("viewer_id").distinct().count()
    per_day = (
        events.annotate(day=TruncDay("created_at"))
        .values("day")
        .annotate(viewers=Count("viewer_id", distinct=True))
    )
    counts = [row["viewers"] for row in per_day]
    dau = round(sum(counts) / 30, 1)
    return {"dau": dau, "mau": mau, "ratio": round(dau / mau, 3) if mau else None}


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _add_months(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 + months, 12)
    return moment.replace(year=moment.year + year, month=month + 1)


def retention_cohorts(*, months: int = 6, now=None) -> list[dict]:
    """Users by the month they joined; for each later month, the share of them who watched
    anything (signed in) in it. Month 0 is the joining month."""
    now = now or timezone.now()
    this_month = _month_start(now)
    users = get_user_model().objects
    cohorts = []
    for back in range(months - 1, -1, -1):
        start = _add_months(this_month, -back)
        end = _add_months(start, 1)
        members = users.filter(date_joined__gte=start, date_joined__lt=end)
        size = members.count()
        shares = []
        for offset in range(back + 1):
            month = _add_months(start, offset)
            active = (
                WatchEvent.objects.filter(
                    user__in=members, created_at__gte=month, created_at__lt=_add_months(month, 1)
                )
                .values("user_id")
                .distinct()
                .count()
            )
            shares.append(round(active / size, 3) if size else None)
        cohorts.append({"month": start, "size": size, "shares": shares})
    return cohorts


def search_top_queries(*, since: datetime, limit: int = 20, no_results: bool = False):
    rows = SearchLog.objects.filter(created_at__gte=since)
    if no_results:
        rows = rows.filter(results=0)
    return list(
        rows.values("query").annotate(searches=Count("pk")).order_by("-searches", "query")[:limit]
    )


def search_click_through(*, since: datetime, ranks: int = 10) -> list[dict]:
    """For ranks 1..`ranks`: clicks on the result at that rank per search that had a result
    there (searches with fewer results cannot be clicked at that rank)."""
    clicks = dict(
        SearchClick.objects.filter(created_at__gte=since, rank__lte=ranks)
        .values_list("rank")
        .annotate(n=Count("pk"))
    )
    searches = SearchLog.objects.filter(created_at__gte=since)
    counts = searches.aggregate(
        **{f"r{rank}": Count("pk", filter=Q(results__gte=rank)) for rank in range(1, ranks + 1)}
    )
    return [
        {
            "rank": rank,
            "clicks": clicks.get(rank, 0),
            "searches": counts[f"r{rank}"],
            "rate": round(clicks.get(rank, 0) / counts[f"r{rank}"], 3)
            if counts[f"r{rank}"]
            else None,
        }
        for rank in range(1, ranks + 1)
    ]
