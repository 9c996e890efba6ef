"""The data of bench-discovery: 10,000 users, 100,000 videos, 1,000,000 likes and 1,000,000
watch events (plays and completions), follows, hashtags, blocks and mutes, trending scores (the
real `feeds.services.trending_recompute`) and search vectors (the real
`search.services.video_search_vector_update`), plus the logged-in sessions and the search
queries the load uses.

Rows are written by INSERT ... SELECT over generate_series, in one transaction; a marker table
records what was seeded, so a later run with the same row counts reuses the database.
Blocks and mutes are a step of their own (`seed_relations`), run whenever the tables exist and
hold none, so a database seeded before the moderation models existed gains them on the next run.
"""

import json
import random
import sys
import time
from urllib.parse import quote_plus, urlsplit

USERS = 10_000
VIDEOS = 100_000
LIKES = 1_000_000
WATCH_EVENTS = 1_000_000
# Bump when the shape of the seeded data changes: the marker then no longer matches.
SEED_VERSION = 1
SESSIONS = 200
# A share of the users block or mute a few (mostly popular) creators: the feeds must filter them.
BLOCKING_SHARE = 0.2
MUTING_SHARE = 0.2

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
        is_staff, is_active, date_joined, display_name, bio, avatar, language)
    SELECT %(password)s, false, name || '_' || i, '', '', name || '_' || i || '@bench.invalid',
        false, true, now() - random() * interval '700 days',
        initcap(name) || ' ' || initcap(word), 'Five seconds of ' || topic || ', every day.', '',
        ''
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
        processing_attempts, processed_at, published_at, created_at, updated_at,
        moderation_state, processing_attempt_id, processing_task_id)
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
        created, created, 'visible', '', ''
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
        position_ms, source, created_at)
    SELECT p.id, CASE WHEN anon < 0.2 THEN NULL ELSE u.id END,
        CASE WHEN anon < 0.2 THEN gen_random_uuid() ELSE md5('viewer' || u.id)::uuid END,
        CASE WHEN k < 0.35 THEN 'complete' ELSE 'play' END,
        CASE WHEN k < 0.35 THEN 5000 ELSE 300 + floor(random() * 4500)::int END,
        CASE WHEN k < 0.35 THEN 5000 ELSE 0 END, '',
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


def _relations_sql(table: str, left: str, right: str, salt: int, share: str) -> str:
    # A user picks random videos (low ids more often) and blocks or mutes their creators: the
    # prolific creators, who own most videos, are picked most.
    return f"""
    INSERT INTO {table} ({left}, {right}, created_at)
    SELECT DISTINCT ON (f.user_id, v.owner_id) f.user_id, v.owner_id,
        now() - random() * interval '100 days'
    FROM (
        SELECT u.id AS user_id, 1 + floor(%(videos)s * power(random(), 2))::int AS video_id
        FROM accounts_user AS u
        CROSS JOIN LATERAL generate_series(1, 1 + (u.id * {salt}) %% 5) AS n
        WHERE (u.id * 2654435761 + {salt}) %% 1000 < %({share})s
    ) AS f
    JOIN videos_video AS v ON v.id = f.video_id
    WHERE v.owner_id <> f.user_id
    ON CONFLICT DO NOTHING
    """  # noqa: S608 - fixed names


RELATIONS_SQL = {
    "accounts_block": _relations_sql("accounts_block", "blocker_id", "blocked_id", 31, "blocking"),
    "accounts_mute": _relations_sql("accounts_mute", "muter_id", "muted_id", 17, "muting"),
}


def seed_relations() -> dict[str, int | None]:
    """Blocks and mutes: BLOCKING_SHARE of the users block one to five creators, MUTING_SHARE
    mute one to five (prolific creators more often). A table that does not
    exist yet (the moderation models not merged) is reported as None and skipped; one that
    already holds rows is kept."""
    from django.db import connection, transaction

    params = {
        "videos": VIDEOS,
        "blocking": int(BLOCKING_SHARE * 1000),
        "muting": int(MUTING_SHARE * 1000),
    }
    counts: dict[str, int | None] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2121)")
        for table, statement in RELATIONS_SQL.items():
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:
                counts[table] = None
                continue
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            counts[table] = cursor.fetchone()[0]
            if counts[table] == 0:
                cursor.execute(statement, params)
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
                cursor.execute(f"ANALYZE {table}")
    return counts


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
