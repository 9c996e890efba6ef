"""The roll-up in SQL: raw watch events (and likes, comments, follows, uploads) into
`VideoStats` and `CreatorStats` rows, one statement per step, so the database does the
counting (docs/analytics.md, "Roll-ups"; `make bench-analytics` measures it).

The same statements run on PostgreSQL and SQLite; only the truncation of a timestamp to its
hour or day differs. Each day is recomputed whole from its raw rows into a staging table, then
upserted by (video, granularity, period start) and rows the day no longer has are deleted: a
re-run of a day gives the same rows.
"""

from datetime import datetime

from django.conf import settings
from django.db import connection

from analytics.models import RETENTION_POINTS, SOURCES, CreatorStats, VideoStats
from recommendations.models import WatchEvent
from social.models import Comment, Follow, Like
from videos.models import Video

MEASURES = (
    ["plays", "engaged_plays", "completions", "loops", "leaves", "watch_ms", "unique_viewers"]
    + ["likes", "comments", "shares", "follows_gained"]
    + [f"src_{source}" for source in SOURCES]
    + [f"ret_{10 * k}" for k in range(1, RETENTION_POINTS + 1)]
)


def _trunc(unit: str, column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('{unit}', {column})"
    pattern = "%Y-%m-%d %H:00:00" if unit == "hour" else "%Y-%m-%d 00:00:00"
    return f"strftime('{pattern}', {column})"


def _branch(key: str, values: dict[str, str], source: str) -> str:
    """One SELECT of the staging UNION: every measure, 0 where this branch has none."""
    columns = ", ".join(f"{values.get(m, '0')} AS {m}" for m in MEASURES)
    return f"SELECT {key}, {columns} {source}"


def _viewer_plays(cursor, start, end) -> None:
    """One row per (video, viewer, hour): what that viewer did with that video in that hour.
    A play is such a row with at least one start; see docs/analytics.md."""
    cursor.execute("DROP TABLE IF EXISTS analytics_vp")
    cursor.execute(
        f"""
        CREATE TEMP TABLE analytics_vp AS
        SELECT e.video_id AS video_id, e.viewer_id AS viewer_id,
               {_trunc("hour", "e.created_at")} AS hour,
               MAX(e.user_id) AS user_id,
               SUM(CASE WHEN e.kind = 'play' THEN 1 ELSE 0 END) AS starts,
               MAX(CASE WHEN e.kind = 'play' THEN e.source ELSE '' END) AS source,
               SUM(CASE WHEN e.kind = 'watch' THEN e.watch_ms ELSE 0 END) AS watch_ms,
               SUM(CASE WHEN e.kind = 'complete' THEN 1 ELSE 0 END) AS completes,
               SUM(CASE WHEN e.kind = 'loop' THEN 1 ELSE 0 END) AS loops,
               SUM(CASE WHEN e.kind = 'leave' THEN 1 ELSE 0 END) AS leaves,
               SUM(CASE WHEN e.kind = 'share' THEN 1 ELSE 0 END) AS shares,
               MAX(e.position_ms) AS reach_ms
        FROM {WatchEvent._meta.db_table} e
        WHERE e.created_at >= %s AND e.created_at < %s AND e.kind <> 'impression'
        GROUP BY e.video_id, e.viewer_id, {_trunc("hour", "e.created_at")}
        """,  # nosec B608 - identifiers from this module and the models; values are parameters
        [start, end],
    )
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE analytics_vp")


def _play_measures() -> dict[str, str]:
    """Measures of the viewer-play rows `vp` joined to their video `v`."""
    played = "vp.starts > 0"
    engaged_ms = int(settings.ANALYTICS_ENGAGED_SECONDS * 1000)
    values = {
        "plays": f"SUM(CASE WHEN {played} THEN 1 ELSE 0 END)",
        "engaged_plays": (
            f"SUM(CASE WHEN {played} AND (vp.watch_ms >= {engaged_ms} OR vp.completes > 0)"
            " THEN 1 ELSE 0 END)"
        ),
        "completions": f"SUM(CASE WHEN {played} AND vp.completes > 0 THEN 1 ELSE 0 END)",
        "loops": "SUM(vp.loops)",
        "leaves": f"SUM(CASE WHEN {played} AND vp.leaves > 0 THEN 1 ELSE 0 END)",
        "watch_ms": "SUM(vp.watch_ms)",
        # One share per viewer per video per hour, however often they pressed Copy.
        "shares": "SUM(CASE WHEN vp.shares > 0 THEN 1 ELSE 0 END)",
    }
    for source in SOURCES:
        values[f"src_{source}"] = (
            f"SUM(CASE WHEN {played} AND vp.source = '{source}' THEN 1 ELSE 0 END)"
        )
    for k in range(1, RETENTION_POINTS + 1):
        # Reached k tenths of the clip: completed it, or got at least that far into it.
        values[f"ret_{10 * k}"] = (
            f"SUM(CASE WHEN {played} AND (vp.completes > 0 OR vp.loops > 0 OR"
            f" (v.duration > 0 AND vp.reach_ms >= v.duration * {100 * k})) THEN 1 ELSE 0 END)"
        )
    return values


NOT_OWNER = "(vp.user_id IS NULL OR vp.user_id <> v.owner_id)"


def _stage_videos(cursor, granularity: str, start, end) -> None:
    period = "vp.hour" if granularity == "hour" else _trunc("day", "vp.hour")
    video_table = Video._meta.db_table
    plays = _play_measures()
    if granularity == "hour":
        # analytics_vp has one row per viewer per hour: counting rows counts viewers.
        plays["unique_viewers"] = "COUNT(*)"
    branches = [
        _branch(
            f"vp.video_id AS video_id, v.owner_id AS creator_id, {period} AS period_start",
            plays,
            f"FROM analytics_vp vp JOIN {video_table} v ON v.id = vp.video_id"
            f" WHERE {NOT_OWNER} GROUP BY vp.video_id, v.owner_id, {period}",
        ),
        _branch(
            "x.video_id, v.owner_id, " + _trunc(granularity, "x.created_at"),
            {"likes": "COUNT(*)"},
            f"FROM {Like._meta.db_table} x JOIN {video_table} v ON v.id = x.video_id"
            " WHERE x.created_at >= %s AND x.created_at < %s AND x.user_id <> v.owner_id"
            f" GROUP BY x.video_id, v.owner_id, {_trunc(granularity, 'x.created_at')}",
        ),
        _branch(
            "x.video_id, v.owner_id, " + _trunc(granularity, "x.created_at"),
            {"comments": "COUNT(*)"},
            f"FROM {Comment._meta.db_table} x JOIN {video_table} v ON v.id = x.video_id"
            " WHERE x.created_at >= %s AND x.created_at < %s AND x.author_id <> v.owner_id"
            f" GROUP BY x.video_id, v.owner_id, {_trunc(granularity, 'x.created_at')}",
        ),
        # Distinct viewers of a day: de-duplicated first, then counted (cheaper than
        # COUNT(DISTINCT), which sorts).
        *(
            []
            if granularity == "hour"
            else [
                _branch(
                    "d.video_id, d.owner_id, d.day",
                    {"unique_viewers": "COUNT(*)"},
                    f"FROM (SELECT DISTINCT vp.video_id, v.owner_id, {period} AS day,"  # nosec B608 - identifiers come from this module and the models, values are parameters
                    f" vp.viewer_id FROM analytics_vp vp JOIN {video_table} v"
                    f" ON v.id = vp.video_id WHERE {NOT_OWNER}) d"
                    " GROUP BY d.video_id, d.owner_id, d.day",
                )
            ]
        ),
        # A follow is credited to each of the creator's videos the follower played in the
        # same period (hour or day) as the follow.
        _branch(
            f"vp.video_id, v.owner_id, {period}",
            {"follows_gained": "COUNT(DISTINCT f.id)"},
            f"FROM analytics_vp vp JOIN {video_table} v ON v.id = vp.video_id"
            f" JOIN {Follow._meta.db_table} f ON f.follower_id = vp.user_id"
            " AND f.followee_id = v.owner_id"
            f" AND {_trunc(granularity, 'f.created_at')} = {period}"
            f" WHERE vp.starts > 0 AND f.created_at >= %s AND f.created_at < %s"
            f" GROUP BY vp.video_id, v.owner_id, {period}",
        ),
    ]
    sums = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
    cursor.execute("DROP TABLE IF EXISTS analytics_stage_v")
    cursor.execute(
        f"CREATE TEMP TABLE analytics_stage_v AS SELECT video_id, creator_id, period_start,"  # nosec B608 - identifiers come from this module and the models, values are parameters
        f" {sums} FROM ({' UNION ALL '.join(branches)}) u"
        " GROUP BY video_id, creator_id, period_start",
        [start, end] * 3,
    )


def _stage_creators(cursor, granularity: str, start, end) -> None:
    period = "vp.hour" if granularity == "hour" else _trunc("day", "vp.hour")
    video_table = Video._meta.db_table
    summed = {m: f"SUM({m})" for m in MEASURES if m not in ("unique_viewers", "follows_gained")}
    branches = [
        _branch(
            "creator_id, period_start, 0 AS uploads",
            summed,
            "FROM analytics_stage_v GROUP BY creator_id, period_start",
        ),
        _branch(
            "d.owner_id, d.period, 0",
            {"unique_viewers": "COUNT(*)"},
            f"FROM (SELECT DISTINCT v.owner_id, {period} AS period, vp.viewer_id"  # nosec B608 - identifiers come from this module and the models, values are parameters
            f" FROM analytics_vp vp JOIN {video_table} v ON v.id = vp.video_id"
            f" WHERE {NOT_OWNER}) d GROUP BY d.owner_id, d.period",
        ),
        _branch(
            f"f.followee_id, {_trunc(granularity, 'f.created_at')}, 0",
            {"follows_gained": "COUNT(*)"},
            f"FROM {Follow._meta.db_table} f WHERE f.created_at >= %s AND f.created_at < %s"
            f" GROUP BY f.followee_id, {_trunc(granularity, 'f.created_at')}",
        ),
        _branch(
            f"v.owner_id, {_trunc(granularity, 'v.published_at')}, COUNT(*)",
            {},
            f"FROM {video_table} v WHERE v.published_at >= %s AND v.published_at < %s"
            f" GROUP BY v.owner_id, {_trunc(granularity, 'v.published_at')}",
        ),
    ]
    sums = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
    cursor.execute("DROP TABLE IF EXISTS analytics_stage_c")
    cursor.execute(
        f"CREATE TEMP TABLE analytics_stage_c AS SELECT creator_id, period_start,"  # nosec B608 - identifiers come from this module and the models, values are parameters
        f" SUM(uploads) AS uploads, {sums} FROM ({' UNION ALL '.join(branches)}) u"
        " GROUP BY creator_id, period_start",
        [start, end] * 2,
    )


def _upsert(cursor, *, table: str, stage: str, keys: list[str], extra: list[str], gran, start, end):
    """Staged rows into `table`: insert or update by key, then delete the rows of the range
    that the staging no longer has (a like taken back, a video deleted)."""
    columns = keys + extra + MEASURES
    names = ", ".join(["granularity", "period_start", *columns])
    values = ", ".join(["%s", "s.period_start", *(f"s.{c}" for c in columns)])
    updates = ", ".join(f"{c} = excluded.{c}" for c in extra + MEASURES)
    conflict = ", ".join([keys[0], "granularity", "period_start"])
    # "WHERE 1 = 1" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT {values} FROM {stage} s WHERE 1 = 1"  # nosec B608 - identifiers come from this module and the models, values are parameters
        f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
        [gran],
    )
    cursor.execute(
        f"DELETE FROM {table} WHERE granularity = %s AND period_start >= %s"  # nosec B608 - identifiers come from this module and the models, values are parameters
        f" AND period_start < %s AND NOT EXISTS (SELECT 1 FROM {stage} s"
        f" WHERE s.{keys[0]} = {table}.{keys[0]} AND s.period_start = {table}.period_start)",
        [gran, start, end],
    )


def rollup_range(start: datetime, end: datetime) -> None:
    """Recompute every hourly and daily row of [start, end); `start` and `end` are whole
    days (UTC). The caller owns the transaction."""
    adapt = connection.ops.adapt_datetimefield_value
    start, end = adapt(start), adapt(end)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The day's groups fit in memory: hash aggregates, no spilling to disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        _viewer_plays(cursor, start, end)
        for granularity in ("hour", "day"):
            _stage_videos(cursor, granularity, start, end)
            _stage_creators(cursor, granularity, start, end)
            _upsert(
                cursor, table=VideoStats._meta.db_table, stage="analytics_stage_v",
                keys=["video_id"], extra=["creator_id"], gran=granularity, start=start, end=end,
            )  # fmt: skip
            _upsert(
                cursor, table=CreatorStats._meta.db_table, stage="analytics_stage_c",
                keys=["creator_id"], extra=["uploads"], gran=granularity, start=start, end=end,
            )  # fmt: skip
        for table in ("analytics_vp", "analytics_stage_v", "analytics_stage_c"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
