"""EXPLAIN (ANALYZE, BUFFERS) of every query the feeds and search run, on bench-discovery's
seeded database (run `make bench-discovery` once first; it seeds 100k videos).

The queries are the real ones: the selectors run for a seeded user who follows creators (For
You's first and second page, Following, Trending, Latest) and for a few searches, the SQL they
send is captured, and each SELECT is explained. Prints each query's plan with its own timing,
the slowest first, and a last line with the slowest query of each feed.

Run: make bench-explain (or .venv/bin/python bench/explain.py [--all])
Last line: RESULT slowest_ms=N for_you_ms=N following_ms=N trending_ms=N search_ms=N
"""

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.production_site import load_average, production_env  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_discovery"
EXECUTION_RE = re.compile(r"Execution Time: ([0-9.]+) ms")
SEARCHES = ("cats", "rain", "golden moment", "danc", "kitchen")


def capture(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]


def explain(sql: str) -> tuple[float, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return float(EXECUTION_RE.search(plan).group(1)), plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="print every plan, not the top 12")
    args = parser.parse_args()
    env = production_env(
        DATABASE_URL=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        REDIS_URL=None,  # a cache of this process's own: nothing is read from a warm cache
        SEARCH_CACHE_SECONDS="0",
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from accounts.models import User
    from feeds import selectors as feeds
    from search import selectors as search

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_discovery_seed') IS NOT NULL")
        if not cursor.fetchone()[0]:
            sys.exit("no seeded database: run make bench-discovery first")
    user = User.objects.filter(following_set__isnull=False).distinct().order_by("pk")[10:11].get()

    def for_you_two_pages():
        first = feeds.feed_for_you(user=user)
        feeds.feed_for_you(user=user, cursor=first.next_cursor)

    def following_two_pages():
        first = feeds.feed_following(user=user)
        feeds.feed_following(user=user, cursor=first.next_cursor)

    def trending_two_pages():
        first = feeds.feed_trending()
        feeds.feed_trending(cursor=first.next_cursor)

    def searches():
        for query in SEARCHES:
            search.search_videos(query=query)

    workloads = {
        "for_you": for_you_two_pages,
        "following": following_two_pages,
        "trending": trending_two_pages,
        "search": searches,
    }
    slowest: dict[str, float] = {}
    plans = []
    for name, function in workloads.items():
        function()  # warm the buffer cache and the model, as a running site has them
        for sql in capture(function):
            milliseconds, plan = explain(sql)
            plans.append((milliseconds, name, sql, plan))
            slowest[name] = max(slowest.get(name, 0.0), milliseconds)
        print(f"{name}: slowest query {slowest[name]:.1f} ms  ({load_average()})", flush=True)
    plans.sort(reverse=True)
    for milliseconds, name, sql, plan in plans if args.all else plans[:12]:
        print(f"\n=== {name}: {milliseconds:.1f} ms\n{sql}\n{plan}")
    print(f"\n({load_average()})")
    print(
        f"RESULT slowest_ms={plans[0][0]:.1f} "
        + " ".join(f"{name}_ms={slowest[name]:.1f}" for name in workloads),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
