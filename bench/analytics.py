"""Analytics at scale: the roll-up, a creator's dashboard and the full CSV export.

Seeds PostgreSQL (its own database, default bench_analytics, emptied first) by INSERT ...
SELECT over generate_series: 10,000 creators, 100,000 videos (creator 1 has 1,000 of them,
the rest about 10 each), 10,000,000 raw watch events over the last 30 days (2,000,000 plays
of 5 events each: impression, play, watch time, a completion or a swipe-away, and a loop or
more watch time; 700,000 distinct viewers; every traffic source), 100,000 likes, 50,000
follows. Then:

  rollup     the real `analytics.services.stats_rollup` over all 31 days from empty roll-up
             tables (hourly and daily rows per video and per creator); events_per_s = raw
             events in the range / wall-clock seconds.
  dashboard  GET /studio/analytics?days=28 as creator 1 (1,000 videos) through Django's test
             client in this process (the view, its queries and the template; no HTTP
             server): 5 warm-up requests, then 40 timed; p95 in ms.
  export     GET /studio/analytics/rows.csv as creator 1: every daily row of every one of
             their videos, streamed and read to the end; seconds.

Run: make bench-analytics (or .venv/bin/python bench/analytics.py [--events N])
Needs PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_analytics
Last line: RESULT rollup_events_per_s=<n> dashboard_p95_ms=<n> export_s=<n>
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_analytics"
CREATORS = 10_000
VIDEOS = 100_000
BIG_CREATOR_VIDEOS = 1_000
DAYS = 30
EVENTS_PER_PLAY = 5

SEED_SQL = [
    "SET LOCAL session_replication_role = replica",
    "TRUNCATE accounts_user, analytics_rollupstate RESTART IDENTITY CASCADE",
    """
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
        is_staff, is_active, date_joined, display_name, bio, avatar, language)
    SELECT '!', false, 'creator_' || i, '', '', 'creator_' || i || '@bench.invalid',
        false, true, now() - interval '400 days', 'Creator ' || i, '', '', ''
    FROM generate_series(1, %(creators)s) AS i
    """,
    # Creator 1 owns the first 1,000 videos; the others share the rest.
    """
    INSERT INTO videos_video (short_id, storage_token, owner_id, title, description, visibility,
        comments_enabled, status, failure_reason, upload_token, source, duration, width, height,
        has_audio, output_prefix, hls_master, mp4, poster, poster_inline, output_bytes,
        captions, captions_language, view_count, like_count, comment_count, trending_score,
        processing_attempts, processed_at, published_at, created_at, updated_at,
        moderation_state, processing_attempt_id, processing_task_id)
    SELECT 'b' || lpad(i::text, 9, '0'), md5('token' || i),
        CASE WHEN i <= %(big)s THEN 1 ELSE 2 + i %% (%(creators)s - 1) END,
        'Clip ' || i, '', 'public', true, 'ready', '', '', '', 5.0, 360, 640, true,
        'videos/bench', 'videos/bench/master.m3u8', 'videos/bench/video.mp4',
        'videos/bench/poster.jpg', '', 400000, '', '', 0, 0, 0, 0, 1,
        now() - interval '60 days', now() - interval '60 days' + (i %% 50) * interval '1 day',
        now() - interval '60 days', now() - interval '60 days', 'visible', '', ''
    FROM generate_series(1, %(videos)s) AS i
    """,
    # Plays: a video, a viewer (half signed in), a moment, a source; 5 events each.
    """
    INSERT INTO recommendations_watchevent (video_id, user_id, viewer_id, kind, watch_ms,
        position_ms, source, created_at)
    SELECT p.video_id, p.user_id, p.viewer_id, e.kind, e.watch_ms, e.position_ms, p.source,
        p.started + e.n * interval '1 second'
    FROM (
        SELECT 1 + (i * 2654435761) %% %(videos)s AS video_id,
            CASE WHEN i %% 2 = 0 THEN 1 + i %% %(creators)s END AS user_id,
            md5('viewer' || (i %% 700000))::uuid AS viewer_id,
            (ARRAY['for_you', 'following', 'profile', 'search', 'hashtag', 'link', 'watch',
                   'other'])[1 + i %% 8] AS source,
            date_trunc('day', now()) - interval '%(days)s days'
                + ((i * 7919) %% (%(days)s * 86400)) * interval '1 second' AS started,
            i %% 3 = 0 AS completed
        FROM generate_series(1::bigint, %(plays)s) AS i
    ) AS p
    CROSS JOIN LATERAL (VALUES
        (0, 'impression', 0, 0),
        (1, 'play', 0, 0),
        (2, 'watch', CASE WHEN p.completed THEN 5000 ELSE 1800 END,
            CASE WHEN p.completed THEN 5000 ELSE 1800 END),
        (3, CASE WHEN p.completed THEN 'complete' ELSE 'leave' END, 0,
            CASE WHEN p.completed THEN 5000 ELSE 1800 END),
        (4, CASE WHEN p.completed THEN 'loop' ELSE 'watch' END,
            CASE WHEN p.completed THEN 0 ELSE 200 END, 2000)
    ) AS e(n, kind, watch_ms, position_ms)
    """,
    """
    INSERT INTO social_like (user_id, video_id, created_at)
    SELECT 1 + i %% %(creators)s, 1 + (i * 7) %% %(videos)s,
        date_trunc('day', now()) - interval '%(days)s days'
            + (i %% (%(days)s * 86400)) * interval '1 second'
    FROM generate_series(0, %(videos)s - 1) AS i
    """,
    """
    INSERT INTO social_follow (follower_id, followee_id, created_at)
    SELECT 1 + i %% %(creators)s, 1 + ((i %% %(creators)s) + 1 + i / %(creators)s) %% %(creators)s,
        date_trunc('day', now()) - interval '%(days)s days'
            + (i %% (%(days)s * 86400)) * interval '1 second'
    FROM generate_series(0, 49999) AS i
    """,
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microvid.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from analytics import services

    call_command("migrate", verbosity=0)
    plays = args.events // EVENTS_PER_PLAY
    params = {
        "creators": CREATORS, "videos": VIDEOS, "big": BIG_CREATOR_VIDEOS, "days": DAYS,
        "plays": plays,
    }  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in SEED_SQL:
            cursor.execute(statement, params)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE recommendations_watchevent")
        cursor.execute("SELECT count(*) FROM recommendations_watchevent")
        events = cursor.fetchone()[0]
    print(f"seeded {events} events in {time.perf_counter() - started:.1f}s", flush=True)

    now = timezone.now()
    since = now - timezone.timedelta(days=DAYS + 1)
    started = time.perf_counter()
    days = services.stats_rollup(since=since, now=now)
    rollup_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_videostats")
        rows = cursor.fetchone()[0]
    print(f"rolled up {events} events over {days} days into {rows} video rows in {rollup_s:.1f}s")

    client = Client()
    client.force_login(User.objects.get(pk=1))
    timings = []
    for attempt in range(45):
        started = time.perf_counter()
        response = client.get("/studio/analytics?days=28")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        if attempt >= 5:
            timings.append(elapsed * 1000)
    dashboard_p95 = statistics.quantiles(timings, n=20)[-1]
    print(f"dashboard median {statistics.median(timings):.1f} ms, p95 {dashboard_p95:.1f} ms")

    started = time.perf_counter()
    response = client.get("/studio/analytics/rows.csv")
    size = sum(len(chunk) for chunk in response.streaming_content)
    export_s = time.perf_counter() - started
    print(f"export: {size} bytes in {export_s:.2f}s")
    print(f"load: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores")
    print(
        f"RESULT rollup_events_per_s={events / rollup_s:.0f} "
        f"dashboard_p95_ms={dashboard_p95:.1f} export_s={export_s:.2f}"
    )


if __name__ == "__main__":
    main()
