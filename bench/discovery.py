"""Discovery pages under load: For You, Following, Trending and search at 100k videos.

Seeds PostgreSQL with 10,000 users, 100,000 videos, 1,000,000 likes and 1,000,000 watch events
(plays and completions), plus follows, hashtags, trending scores (the real
`feeds.services.trending_recompute`) and search vectors (the real
`search.services.video_search_vector_update`). Rows are written by INSERT ... SELECT over
generate_series, in one transaction; a marker table records what was seeded, so a later run
with the same row counts reuses the database (`--reseed` forces a new one).

Then it serves the site as in production (uvicorn, `microvid.asgi:application`, 2 worker
processes for 2 cores, DJANGO_ENV=production, DEBUG off, Redis cache and sessions, behind a
"proxy" that says X-Forwarded-Proto: https) and drives it with 50 concurrent clients, one
endpoint at a time (warm-up, then a fixed duration): each client sends its next request as soon
as the last one is answered (a closed loop, no think time).

  for_you, following, trending   a logged-in user (a session made directly in the database and
                                 cache) loads the page, then scrolls: the next pages through the
                                 `next` cursor, as htmx's infinite scroll asks for them
                                 (HX-Request). Trending: every other client is anonymous.
  search                         /search?q=... with words from the seeded titles, descriptions
                                 and hashtags (some prefixes, some two-word, some sorted by
                                 newest or limited to a month); every other client anonymous.
  trivial                        /healthz: the same server and middleware; it runs SELECT 1,
                                 a cache write and read, and a broker (Redis) connection check.

The load generator is a small keep-alive HTTP/1.1 client on asyncio (uvloop), not httpx, so
that it takes as little as possible of the CPU it shares with the server and the database.

Run: make bench-discovery (or .venv/bin/python bench/discovery.py [--reseed] [--duration S])
Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_discovery)
and Redis (REDIS_URL, default redis://127.0.0.1:6379/8; that database is flushed).
Last line: RESULT search_p95_ms=<n> feed_p95_ms=<n> feed_rps=<n> trivial_rps=<n>
           feed_vs_trivial=<ratio>
"""

import argparse
import asyncio
import html
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.production_site import free_port, prepare, production_env  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_discovery"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
WORKDIR = ROOT / "var" / "bench-discovery"

USERS = 10_000
VIDEOS = 100_000
LIKES = 1_000_000
WATCH_EVENTS = 1_000_000
# Bump when the shape of the seeded data changes: the marker then no longer matches.
SEED_VERSION = 1
TARGETS = {"search_p95_ms": 50, "feed_p95_ms": 100, "feed_vs_trivial": 0.5}
FEEDS = ("for_you", "following", "trending")
SCROLL_PAGES = 5  # a first page and four more through the cursor, then another user
SESSIONS = 200

TOPICS = [
    "cats", "dogs", "cooking", "travel", "music", "dance", "skate", "coffee", "rain", "sunset",
    "city", "ocean", "garden", "books", "art", "football", "running", "snow", "baking", "hiking",
    "surf", "yoga", "gaming", "street", "fashion", "makeup", "science", "history", "comedy",
    "birds", "horses", "bikes", "cars", "trains", "tea", "vegan", "pasta", "sushi", "tacos",
    "jazz", "guitar", "piano", "drums", "chess", "climbing", "camping", "fishing", "diy",
    "pottery", "knitting", "painting", "photography", "sunrise", "night", "storm", "beach",
    "mountains", "forest", "desert", "lake",
]  # fmt: skip
WORDS = [
    "quiet", "tiny", "golden", "rainy", "sleepy", "bright", "slow", "wild", "secret", "morning",
    "lazy", "happy", "stormy", "perfect", "little", "first", "last", "best", "weird", "cozy",
    "sunny", "frozen", "electric", "purple", "orange", "green", "blue", "silver", "ancient",
    "modern", "loop", "moment", "kitchen", "wave", "jump", "walk", "beat", "cup", "window",
    "trick", "ride", "puddle", "market", "spin", "dinner", "breakfast", "lunch", "recipe",
    "tutorial", "challenge", "timelapse", "reaction", "review", "unboxing", "routine", "vlog",
    "practice", "lesson", "attempt", "fail", "win", "dance", "song", "cover", "remix", "sketch",
    "drawing", "painting", "garden", "balcony", "rooftop", "bridge", "harbour", "station",
    "festival", "parade", "concert", "party", "wedding", "birthday", "holiday", "weekend",
    "monday", "friday", "summer", "winter", "autumn", "spring", "snowfall", "heatwave", "fog",
    "thunder", "river", "island", "valley", "canyon", "volcano", "glacier", "meadow", "village",
    "kitten", "puppy", "parrot", "goat", "otter", "panda", "fox", "owl", "hamster", "turtle",
    "bread", "noodles", "dumplings", "pancakes", "coffee", "espresso", "smoothie", "salad",
    "curry", "pizza", "burger", "cake", "cookies", "chocolate", "icecream", "lemonade",
    "skateboard", "bicycle", "scooter", "train", "tram", "ferry", "plane", "rocket", "robot",
    "camera", "drone", "guitar", "violin", "trumpet", "piano", "vinyl", "radio", "lamp",
    "candle", "mirror", "shadow", "reflection", "sunlight", "moonlight", "stars", "clouds",
    "rainbow", "lightning", "waterfall", "fountain", "street", "alley", "corner", "crossing",
    "neighbour", "grandma", "friends", "family", "stranger", "teacher", "chef", "barista",
    "runner", "climber", "surfer", "dancer", "singer", "drummer", "painter", "builder",
    "magic", "illusion", "science", "experiment", "origami", "pottery", "knitting", "lego",
    "puzzle", "chess", "cards", "dominoes", "marathon", "sprint", "goal", "save", "dunk",
    "kickflip", "backflip", "cartwheel", "handstand", "stretch", "breathing", "meditation",
]  # fmt: skip
FIRST_NAMES = [
    "ana", "ben", "chloe", "dev", "elif", "femi", "gia", "hugo", "ines", "jon", "kai", "lena",
    "mo", "nia", "omar", "pia", "quinn", "rui", "sana", "tom", "uma", "vic", "wen", "yara",
    "zoe", "amir", "bea", "carlos", "dana", "eli", "fatima", "gus", "hana", "ivan", "jade",
]  # fmt: skip


def say(message: str) -> None:
    print(message, flush=True)


# --- the database ----------------------------------------------------------------------------
def ensure_postgres(url: str) -> None:
    """Create the database if it is missing; exit non-zero if no PostgreSQL answers."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"bench-discovery needs PostgreSQL; DATABASE_URL is {parts.scheme}://...")
    import psycopg

    name = parts.path.lstrip("/")
    try:
        psycopg.connect(url, connect_timeout=5).close()
        return
    except psycopg.OperationalError as exc:
        if f'database "{name}" does not exist' not in str(exc):
            sys.exit(f"bench-discovery needs PostgreSQL, and none answers at {url}: {exc}")
    server = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        sys.exit(f"could not create the database {name!r} at {server}: {exc}")
    say(f"created the database {name}")


def seed_spec() -> dict:
    return {
        "version": SEED_VERSION,
        "users": USERS,
        "videos": VIDEOS,
        "likes": LIKES,
        "watch_events": WATCH_EVENTS,
    }


def current_counts(cursor) -> dict:
    counts = {}
    for key, table in (
        ("users", "accounts_user"),
        ("videos", "videos_video"),
        ("likes", "social_like"),
        ("watch_events", "recommendations_watchevent"),
    ):
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        counts[key] = cursor.fetchone()[0]
    return counts


def seeded_already() -> bool:
    """Whether the marker says this database holds exactly the data this script seeds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_discovery_seed') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT spec FROM bench_discovery_seed ORDER BY seeded_at DESC LIMIT 1")
        row = cursor.fetchone()
        if row is None:
            return False
        spec = row[0] if isinstance(row[0], dict) else json.loads(row[0])
        counts = current_counts(cursor)
    wanted = seed_spec()
    return spec == wanted and all(counts[key] == wanted[key] for key in counts)


def refuse_foreign_database() -> None:
    """Seeding empties the tables: never do it to a database this script did not seed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_discovery_seed') IS NOT NULL")
        ours = cursor.fetchone()[0]
        cursor.execute("SELECT EXISTS (SELECT 1 FROM accounts_user)")
        empty = not cursor.fetchone()[0]
    if not ours and not empty:
        sys.exit(
            f"{connection.settings_dict['NAME']!r} has users but was not seeded by this "
            "benchmark; seeding would empty it. Use an empty database (the default is "
            "bench_discovery)."
        )


SEED_SQL = [
    # The same data every time.
    "SELECT setseed(0.4242)",
    # Every row is valid by construction: skip the per-row foreign-key triggers (superuser).
    "SET LOCAL session_replication_role = replica",
    """TRUNCATE accounts_user, videos_hashtag, django_session RESTART IDENTITY CASCADE""",
    # Users: names from a list, each unique by number.
    """
    INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
        is_staff, is_active, date_joined, display_name, bio, avatar)
    SELECT %(password)s, false, name || '_' || i, '', '', name || '_' || i || '@bench.invalid',
        false, true, now() - random() * interval '700 days',
        initcap(name) || ' ' || initcap(word), 'Five seconds of ' || topic || ', every day.', ''
    FROM (
        SELECT i,
            (%(names)s::text[])[1 + floor(random() * cardinality(%(names)s::text[]))::int] AS name,
            (%(words)s::text[])[1 + floor(random() * cardinality(%(words)s::text[]))::int] AS word,
            (%(topics)s::text[])[1 + floor(random() * cardinality(%(topics)s::text[]))::int]
                AS topic
        FROM generate_series(1, %(users)s) AS i
    ) AS g
    """,
    """INSERT INTO videos_hashtag (name) SELECT unnest(%(topics)s::text[])""",
    # Videos: a few creators make most of them (the owner's rank is skewed); titles and
    # descriptions are words from the list; 94% public, 97% ready, most published; published
    # over the last 120 days, more of them recently.
    """
    CREATE TEMP TABLE bench_users ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY random()) AS rank, id FROM accounts_user
    """,
    """
    INSERT INTO videos_video (short_id, storage_token, owner_id, title, description, visibility,
        comments_enabled, status, failure_reason, upload_token, source, duration, width, height,
        has_audio, output_prefix, hls_master, mp4, poster, poster_inline, output_bytes,
        captions, captions_language, view_count, like_count, comment_count, trending_score,
        processing_attempts, processed_at, published_at, created_at, updated_at)
    SELECT left(md5(i::text), 4) || lpad(i::text, 6, '0'), md5('token' || i), u.id,
        initcap(w1) || ' ' || w2 || ' ' || w3,
        (SELECT string_agg((%(words)s::text[])[1 + floor(random()
                * cardinality(%(words)s::text[]))::int], ' ')
         FROM generate_series(1, 6 + g.i %% 14)),
        CASE WHEN vis < 0.94 THEN 'public' WHEN vis < 0.97 THEN 'unlisted' ELSE 'private' END,
        true,
        CASE WHEN st < 0.97 THEN 'ready' WHEN st < 0.98 THEN 'processing' ELSE 'failed' END,
        '', '', '', 5.0, 360, 640, true, 'videos/bench', 'videos/bench/master.m3u8',
        'videos/bench/video.mp4', 'videos/bench/poster.jpg', '', 400000, '', '', 0, 0, 0, 0,
        1, created, CASE WHEN st < 0.97 AND pub < 0.98 THEN created + interval '5 minutes' END,
        created, created
    FROM (
        SELECT i, random() AS vis, random() AS st, random() AS pub,
            1 + floor(%(users)s * power(random(), 2.5))::int AS owner_rank,
            now() - interval '120 days' * power(random(), 2) - interval '10 minutes' AS created,
            (%(words)s::text[])[1 + floor(random() * cardinality(%(words)s::text[]))::int] AS w1,
            (%(words)s::text[])[1 + floor(random() * cardinality(%(words)s::text[]))::int] AS w2,
            (%(words)s::text[])[1 + floor(random() * cardinality(%(words)s::text[]))::int] AS w3
        FROM generate_series(1, %(videos)s) AS i
    ) AS g JOIN bench_users AS u ON u.rank = g.owner_rank
    """,
    # One to three hashtags a video (popular topics more often), also written into the
    # description as people do.
    """
    INSERT INTO videos_video_hashtags (video_id, hashtag_id)
    SELECT DISTINCT t.video_id, h.id
    FROM (
        SELECT v.id AS video_id,
            1 + floor(cardinality(%(topics)s::text[]) * power(random(), 1.7))::int AS tag_rank
        FROM videos_video AS v CROSS JOIN LATERAL generate_series(1, 1 + v.id %% 3) AS n
    ) AS t
    JOIN videos_hashtag AS h ON h.id = t.tag_rank
    """,
    """
    UPDATE videos_video AS v SET description = v.description || ' ' || t.tags
    FROM (
        SELECT vh.video_id, string_agg('#' || h.name, ' ' ORDER BY h.name) AS tags
        FROM videos_video_hashtags AS vh JOIN videos_hashtag AS h ON h.id = vh.hashtag_id
        GROUP BY vh.video_id
    ) AS t
    WHERE t.video_id = v.id
    """,
    # Popularity: a random order of the public videos; likes and views go to the top ranks
    # far more often (the share of a rank falls off as a power law).
    """
    CREATE TEMP TABLE bench_popular ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY random()) AS rank, id, published_at FROM videos_video
    WHERE status = 'ready' AND visibility = 'public' AND published_at IS NOT NULL
    """,
    "CREATE UNIQUE INDEX ON bench_popular (rank)",
    "ANALYZE bench_popular",
    # Likes: unique (user, video) pairs; active users like more.
    """
    INSERT INTO social_like (user_id, video_id, created_at)
    SELECT user_id, video_id, published_at + random() * (now() - published_at)
    FROM (
        SELECT DISTINCT u.id AS user_id, p.id AS video_id, p.published_at
        FROM (
            SELECT 1 + floor(%(users)s * power(random(), 1.6))::int AS user_rank,
                1 + floor((SELECT count(*) FROM bench_popular) * power(random(), 2.2))::int
                    AS video_rank
            FROM generate_series(1, %(likes)s * 13 / 10)
        ) AS c
        JOIN bench_users AS u ON u.rank = c.user_rank
        JOIN bench_popular AS p ON p.rank = c.video_rank
    ) AS pairs
    ORDER BY random()
    LIMIT %(likes)s
    """,
    # Watch events: plays and completions (about one in three plays is watched to the end),
    # a fifth of them by anonymous viewers, at any time since the video was published.
    """
    INSERT INTO recommendations_watchevent (video_id, user_id, viewer_id, kind, watch_ms,
        position_ms, created_at)
    SELECT p.id, CASE WHEN anon < 0.2 THEN NULL ELSE u.id END,
        CASE WHEN anon < 0.2 THEN gen_random_uuid() ELSE md5('viewer' || u.id)::uuid END,
        CASE WHEN k < 0.35 THEN 'complete' ELSE 'play' END,
        CASE WHEN k < 0.35 THEN 5000 ELSE 300 + floor(random() * 4500)::int END,
        CASE WHEN k < 0.35 THEN 5000 ELSE 0 END,
        p.published_at + random() * (now() - p.published_at)
    FROM (
        SELECT random() AS anon, random() AS k,
            1 + floor(%(users)s * power(random(), 1.6))::int AS user_rank,
            1 + floor((SELECT count(*) FROM bench_popular) * power(random(), 2.2))::int
                AS video_rank
        FROM generate_series(1, %(watch_events)s)
    ) AS c
    JOIN bench_users AS u ON u.rank = c.user_rank
    JOIN bench_popular AS p ON p.rank = c.video_rank
    """,
    # The denormalised counters the services keep: likes, and plays as views.
    """
    UPDATE videos_video AS v SET like_count = c.n
    FROM (SELECT video_id, count(*) AS n FROM social_like GROUP BY video_id) AS c
    WHERE c.video_id = v.id
    """,
    """
    UPDATE videos_video AS v SET view_count = c.n
    FROM (
        SELECT video_id, count(*) AS n FROM recommendations_watchevent WHERE kind = 'play'
        GROUP BY video_id
    ) AS c
    WHERE c.video_id = v.id
    """,
    # Follows: everyone follows 3 to 80 creators, the prolific ones more often.
    """
    CREATE TEMP TABLE bench_creators ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY count(*) DESC, owner_id) AS rank, owner_id AS id
    FROM videos_video GROUP BY owner_id
    """,
    "CREATE UNIQUE INDEX ON bench_creators (rank)",
    """
    INSERT INTO social_follow (follower_id, followee_id, created_at)
    SELECT DISTINCT ON (f.follower, c.id) f.follower, c.id, now() - random() * interval '300 days'
    FROM (
        SELECT u.id AS follower,
            1 + floor((SELECT count(*) FROM bench_creators) * power(random(), 2))::int AS rank
        FROM accounts_user AS u
        CROSS JOIN LATERAL generate_series(1, 3 + (u.id * 7919) %% 78) AS n
    ) AS f
    JOIN bench_creators AS c ON c.rank = f.rank
    WHERE c.id <> f.follower
    ON CONFLICT DO NOTHING
    """,
]


def seed() -> None:
    """Fill the database (see the module docstring); then the real trending recompute and
    search-vector update, and the marker."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from feeds.services import trending_recompute
    from search.services import video_search_vector_update

    params = {
        "password": make_password("microvid-bench"),
        "names": FIRST_NAMES,
        "words": WORDS,
        "topics": TOPICS,
        "users": USERS,
        "videos": VIDEOS,
        "likes": LIKES,
        "watch_events": WATCH_EVENTS,
    }
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_discovery_seed")
        for statement in SEED_SQL:
            step = time.perf_counter()
            cursor.execute(statement, params if "%" in statement else None)
            label = " ".join(statement.split())[:70]
            say(f"  {time.perf_counter() - step:6.1f} s  {label}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    step = time.perf_counter()
    scored = trending_recompute()
    say(f"  {time.perf_counter() - step:6.1f} s  feeds.services.trending_recompute: {scored}")

    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM videos_video ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(ids), 10_000):
        video_search_vector_update(video_ids=ids[start : start + 10_000])
    say(
        f"  {time.perf_counter() - step:6.1f} s  search.services.video_search_vector_update: "
        f"{len(ids)} videos"
    )

    with connection.cursor() as cursor:
        connection.set_autocommit(True)
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "CREATE TABLE bench_discovery_seed (spec jsonb NOT NULL, counts jsonb NOT NULL,"
            " seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        counts = current_counts(cursor)
        cursor.execute(
            "INSERT INTO bench_discovery_seed (spec, counts) VALUES (%s, %s)",
            [json.dumps(seed_spec()), json.dumps(counts)],
        )
        cursor.execute("SELECT count(*) FROM social_follow")
        follows = cursor.fetchone()[0]
    wanted = seed_spec()
    if any(counts[key] != wanted[key] for key in counts):
        sys.exit(f"seeding produced {counts}, not {wanted}")
    say(
        f"seeded {counts['users']:,} users, {counts['videos']:,} videos, {counts['likes']:,} "
        f"likes, {counts['watch_events']:,} watch events, {follows:,} follows in "
        f"{time.perf_counter() - started:.0f} s"
    )


def make_sessions(count: int) -> list[str]:
    """Session keys of `count` seeded users who follow someone, made as a log-in would make
    them (in the database and the cache), without the rate-limited log-in form."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from accounts.models import User

    users = list(
        User.objects.filter(is_active=True, following_set__isnull=False)
        .distinct()
        .order_by("?")[:count]
    )
    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        keys.append(session.session_key)
    return keys


def search_terms() -> list[str]:
    """Queries people would type: words of the corpus, prefixes, pairs, hashtags, creators."""
    rng = random.Random(7)
    queries = []
    for _ in range(400):
        kind = rng.random()
        if kind < 0.4:
            queries.append(rng.choice(WORDS))
        elif kind < 0.6:
            word = rng.choice([w for w in WORDS if len(w) > 5])
            queries.append(word[: rng.randint(3, len(word) - 1)])  # typed so far
        elif kind < 0.8:
            queries.append(f"{rng.choice(WORDS)} {rng.choice(WORDS)}")
        elif kind < 0.95:
            queries.append(f"#{rng.choice(TOPICS)}")
        else:
            queries.append(f"{rng.choice(TOPICS)} {rng.choice(WORDS)}")
    paths = []
    for query in queries:
        path = f"/search?q={quote_plus(query)}"
        extra = rng.random()
        if extra < 0.1:
            path += "&sort=newest"
        elif extra < 0.15:
            path += "&date=month"
        elif extra < 0.2:
            path += "&page=2"
        paths.append(path)
    return paths


# --- the server ------------------------------------------------------------------------------
def site_env(database_url: str, redis_url: str) -> dict:
    # The load comes from one address standing for many users: per-client limits are raised
    # far above it (still counted, so their cost is measured).
    limits = {f"RATELIMIT_{action}": "100000000/m/user_or_ip" for action in ("SEARCH", "SUGGEST")}
    return production_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(WORKDIR / "media"),
        **limits,
    )


def serve(env: dict, port: int, workers: int) -> subprocess.Popen:
    # As docs/operations.md starts it in production: one process per core, behind a proxy.
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "microvid.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--proxy-headers",
         "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("the server stopped while starting")
        try:
            status, _ = asyncio.run(fetch_once(port, "/healthz"))
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    sys.exit("the server did not start within 60 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- the load --------------------------------------------------------------------------------
class Connection:
    """One keep-alive HTTP/1.1 connection: GET, read the whole response, again."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "X-Forwarded-Proto: https"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            body = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            body = b"".join(chunks)
        else:
            body = await self.reader.read()
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def fetch_once(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    connection = Connection(port)
    try:
        return await asyncio.wait_for(connection.get(path, headers or {}), 30)
    finally:
        connection.close()


NEXT_RE = re.compile(rb'class="feed-more[^"]*" href="([^"]+)"')


def next_url(body: bytes) -> str | None:
    match = NEXT_RE.search(body)
    return html.unescape(match.group(1).decode()) if match else None


class Workload:
    """What each client asks for next; `label` tells first pages from deeper ones."""

    def __init__(self, name: str, sessions: list[str], searches: list[str]):
        self.name = name
        self.sessions = sessions
        self.searches = searches
        self.turn = 0

    def session_for(self, client: int) -> str | None:
        anonymous_allowed = self.name in ("trending", "search")
        if anonymous_allowed and client % 2:
            return None
        self.turn += 1
        return self.sessions[self.turn % len(self.sessions)]

    async def run_client(self, client: int, port: int, record, until: float) -> None:
        connection = Connection(port)
        rng = random.Random(client)
        start = {"for_you": "/", "following": "/following", "trending": "/trending"}
        try:
            while time.perf_counter() < until:
                session = self.session_for(client)
                headers = {"Cookie": f"sessionid={session}"} if session else {}
                if self.name == "search":
                    path = rng.choice(self.searches)
                    await self._one(connection, path, headers, "search", record)
                elif self.name == "trivial":
                    await self._one(connection, "/healthz", {}, "trivial", record)
                else:
                    # A first page, then the next ones as infinite scroll fetches them.
                    path, label = start[self.name], self.name
                    for depth in range(SCROLL_PAGES):
                        if path is None or time.perf_counter() >= until:
                            break
                        if depth:
                            headers = {**headers, "HX-Request": "true"}
                        body = await self._one(connection, path, headers, label, record)
                        path, label = next_url(body or b""), f"{self.name}_deep"
        finally:
            connection.close()

    async def _one(self, connection, path, headers, label, record) -> bytes | None:
        started = time.perf_counter()
        try:
            status, body = await asyncio.wait_for(connection.get(path, headers), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            connection.close()
            status, body = 0, None
        record(label, status, time.perf_counter() - started, started)
        return body if status == 200 else None


async def drive(name: str, port: int, clients: int, warmup: float, duration: float,
                sessions: list[str], searches: list[str]) -> dict:  # fmt: skip
    """Warm up, then measure `duration` seconds of `clients` concurrent clients."""
    workload = Workload(name, sessions, searches)
    begin = time.perf_counter() + warmup
    end = begin + duration
    samples: dict[str, list[float]] = {}
    errors: dict[str, dict[int, int]] = {}

    def record(label, status, seconds, started):
        if not begin <= started < end:
            return  # warm-up, or a request begun after the end: not counted
        samples.setdefault(label, []).append(seconds)
        if status != 200:
            per_status = errors.setdefault(label, {})
            per_status[status] = per_status.get(status, 0) + 1

    await asyncio.gather(
        *(workload.run_client(client, port, record, end) for client in range(clients))
    )
    return {"samples": samples, "errors": errors, "duration": duration}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def preflight(port: int, sessions: list[str], searches: list[str]) -> None:
    """The pages measured are the real ones: logged in, full of cards, with a next page."""

    async def check():
        cookie = {"Cookie": f"sessionid={sessions[0]}"}
        for path in ("/", "/following", "/trending"):
            status, body = await fetch_once(port, path, cookie)
            if status != 200 or b"video-card" not in body or next_url(body) is None:
                sys.exit(f"preflight: {path} answered {status} without cards or a next page")
            if b"account/logout" not in body and b"/accounts/logout" not in body:
                sys.exit(f"preflight: {path} does not show a logged-in user")
            deeper = next_url(body)
            status, body = await fetch_once(port, deeper, {**cookie, "HX-Request": "true"})
            if status != 200 or b"video-card" not in body:
                sys.exit(f"preflight: the next page of {path} answered {status} without cards")
        found = 0
        for path in searches[:20]:
            status, body = await fetch_once(port, path)
            if status != 200:
                sys.exit(f"preflight: {path} answered {status}")
            found += b"video-card" in body
        if found < 10:
            sys.exit(f"preflight: only {found} of 20 searches found anything")

    asyncio.run(check())


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load: " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reseed", action="store_true", help="seed even if the marker matches")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds per endpoint")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--only", default="", help="comma-separated endpoints (for_you,following,...)"
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    ensure_postgres(database_url)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    env = site_env(database_url, redis_url)
    os.environ.update(env)
    prepare(env, WORKDIR / "static")
    os.environ.update(env)

    import django

    django.setup()
    import redis
    from django.db import connection

    try:
        redis.Redis.from_url(redis_url).flushdb()
    except redis.RedisError as exc:
        sys.exit(f"bench-discovery needs Redis at {redis_url}: {exc}")

    if args.reseed or not seeded_already():
        refuse_foreign_database()
        say(f"seeding {connection.settings_dict['NAME']} (PostgreSQL) ...")
        seed()
    else:
        say(f"reusing the seeded database {connection.settings_dict['NAME']} (--reseed to redo)")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_session")
    sessions = make_sessions(SESSIONS)
    searches = search_terms()
    connection.close()

    port = free_port()
    server = serve(env, port, args.workers)
    endpoints = ["for_you", "following", "trending", "search", "trivial"]
    if args.only:
        endpoints = [name for name in endpoints if name in args.only.split(",")]
    results = {}
    load_before = uptime()
    try:
        preflight(port, sessions, searches)
        say(
            f"{args.clients} concurrent clients, {args.warmup:.0f} s warm-up and "
            f"{args.duration:.0f} s per endpoint; uvicorn with {args.workers} workers"
        )
        for name in endpoints:
            results[name] = asyncio.run(
                drive(name, port, args.clients, args.warmup, args.duration, sessions, searches)
            )
            report_endpoint(name, results[name])
    finally:
        stop(server)
    say(f"load before: {load_before}")
    say(f"load after:  {uptime()}")
    return summarize(results, endpoints)


def report_endpoint(name: str, result: dict) -> None:
    samples, duration = result["samples"], result["duration"]
    everything = [s for values in samples.values() for s in values]
    errors = sum(sum(by_status.values()) for by_status in result["errors"].values())
    say(
        f"{name:14s} p50 {percentile(everything, 0.5) * 1000:7.1f} ms  "
        f"p95 {percentile(everything, 0.95) * 1000:7.1f} ms  "
        f"{len(everything) / duration:7.1f} req/s  {len(everything):6d} requests  "
        f"{errors} errors {result['errors'] or ''}"
    )
    if len(samples) > 1:
        for label, values in sorted(samples.items()):
            say(
                f"  {label:12s} p50 {percentile(values, 0.5) * 1000:7.1f} ms  "
                f"p95 {percentile(values, 0.95) * 1000:7.1f} ms  "
                f"{len(values) / duration:7.1f} req/s"
            )


def summarize(results: dict, endpoints: list[str]) -> int:
    total = sum(len(v) for r in results.values() for v in r["samples"].values())
    errors = sum(sum(e.values()) for r in results.values() for e in r["errors"].values())
    if total == 0 or errors / total > 0.01:
        print(
            f"ERROR: {errors} of {total} requests were not 200 (more than 1%): the numbers "
            "above do not measure working pages",
            file=sys.stderr,
        )
        return 1
    if set(endpoints) != {"for_you", "following", "trending", "search", "trivial"}:
        return 0  # a partial run (--only) has no RESULT line
    feed_samples = [s for name in FEEDS for v in results[name]["samples"].values() for s in v]
    feed_rps = sum(
        sum(len(v) for v in results[name]["samples"].values()) / results[name]["duration"]
        for name in FEEDS
    ) / len(FEEDS)
    search = results["search"]["samples"]["search"]
    trivial = results["trivial"]
    trivial_rps = len(trivial["samples"]["trivial"]) / trivial["duration"]
    numbers = {
        "search_p95_ms": percentile(search, 0.95) * 1000,
        "feed_p95_ms": percentile(feed_samples, 0.95) * 1000,
        "feed_rps": feed_rps,
        "trivial_rps": trivial_rps,
        "feed_vs_trivial": feed_rps / trivial_rps,
    }
    misses = [
        f"{key} {numbers[key]:.2f} (target {'<' if key.endswith('_ms') else '>='} {target})"
        for key, target in TARGETS.items()
        if (numbers[key] >= target if key.endswith("_ms") else numbers[key] < target)
    ]
    say("targets missed: " + "; ".join(misses) if misses else "all targets met")
    print(
        f"RESULT search_p95_ms={numbers['search_p95_ms']:.0f}"
        f" feed_p95_ms={numbers['feed_p95_ms']:.0f}"
        f" feed_rps={numbers['feed_rps']:.0f}"
        f" trivial_rps={numbers['trivial_rps']:.0f}"
        f" feed_vs_trivial={numbers['feed_vs_trivial']:.2f}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
