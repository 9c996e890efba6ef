"""Discovery pages under load: For You, Following, Trending and search at 100k videos.

The data (bench/discovery_seed.py): 10,000 users, 100,000 videos, 1,000,000 likes, 1,000,000
watch events, follows, hashtags, blocks and mutes, trending scores and search vectors, seeded
once into PostgreSQL and reused while the marker matches (`--reseed` forces a new one).

The site is served as in production (bench/production_site.py: uvicorn with 2 worker processes
for 2 cores, DJANGO_ENV=production, DEBUG off, Redis cache and sessions, behind a "proxy" that
says X-Forwarded-Proto: https) and driven by bench/http_load.py's client in two phases:

1. **Capacity** (closed loop): 50 clients, one endpoint at a time (warm-up, then a fixed
   duration), each sending its next request as soon as the last is answered. Gives feed_rps
   (the mean of the three feeds), search_rps, trivial_rps and feed_vs_trivial. Its latencies
   are mostly queueing and are printed for information only.
2. **Latency at a fixed load** (open loop): requests arrive as a Poisson process at half the
   trivial_rps measured in phase 1 of the same run (so the load means the same on a faster
   or a slower machine), for each of For You, Following, Trending and search; p50/p95/p99,
   errors and late requests (those that could not be sent on time: counted, and their wait
   is part of their latency, never skipped). feed_p95_ms and search_p95_ms come from here.

  for_you, following, trending   a logged-in user (a session made directly in the database and
                                 cache) loads the page, then scrolls: the next pages through the
                                 `next` cursor, as htmx's infinite scroll asks for them
                                 (HX-Request). Trending: every other request is anonymous.
  search                         /search?q=... with words from the seeded titles, descriptions
                                 and hashtags (some prefixes, some two-word, some sorted by
                                 newest or limited to a month); every other request anonymous.
  trivial                        /healthz: the same server and middleware; it runs SELECT 1,
                                 a cache write and read, and a broker (Redis) connection check.

Run: make bench-discovery (or .venv/bin/python bench/discovery.py [--reseed] [--duration S])
Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_discovery)
and Redis (REDIS_URL, default redis://127.0.0.1:6379/8; that database is flushed).
Last line: RESULT feed_p95_ms=N search_p95_ms=N offered_rps=N feed_rps=N search_rps=N
           trivial_rps=N feed_vs_trivial=N errors=N
"""

import argparse
import asyncio
import html
import os
import random
import re
import sys
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import discovery_seed as data  # noqa: E402
from bench.http_load import (  # noqa: E402
    Measurement,
    closed_loop,
    fetch_once,
    open_loop,
    percentile,
)
from bench.production_site import (  # noqa: E402
    free_port,
    load_average,
    prepare,
    production_env,
    serve_uvicorn,
    single_address_limits,
    stop,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_discovery"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
WORKDIR = ROOT / "var" / "bench-discovery"

TARGETS = {"search_p95_ms": 50, "feed_p95_ms": 100, "feed_vs_trivial": 0.5}
FEEDS = ("for_you", "following", "trending")
ENDPOINTS = (*FEEDS, "search", "trivial")
SCROLL_PAGES = 5  # a first page and four more through the cursor, then another user
START = {"for_you": "/", "following": "/following", "trending": "/trending"}
NEXT_RE = re.compile(rb'class="feed-more[^"]*" href="([^"]+)"')


def say(message: str) -> None:
    print(message, flush=True)


def next_url(body: bytes) -> str | None:
    match = NEXT_RE.search(body)
    return html.unescape(match.group(1).decode()) if match else None


class Workload:
    """What the next request of an endpoint is. A feed request either continues a scroll (the
    `next` link of a page already answered, with HX-Request, as infinite scroll asks for it)
    or starts one on the first page with the next session. In the closed loop each client
    continues its own scroll; in the open loop (`shared`) an arrival continues any waiting
    scroll, oldest first, so about four requests in five are deeper pages either way."""

    def __init__(self, name: str, sessions: list[str], searches: list[str], shared: bool):
        self.name = name
        self.sessions = sessions
        self.searches = searches
        self.shared = shared
        self.turn = 0
        self.rng = random.Random(name)
        self.waiting: deque = deque()  # shared scrolls: (cookie headers, path, depth)
        self.own: dict[int, tuple] = {}  # closed loop: client -> (headers, path, depth)
        self.inflight: dict[int, tuple] = {}  # client -> (headers, depth)

    def _headers(self) -> dict:
        self.turn += 1
        if self.name in ("trending", "search") and self.turn % 2:
            return {}  # every other one anonymous
        session = self.sessions[self.turn % len(self.sessions)]
        return {"Cookie": f"sessionid={session}"}

    async def next_request(self, client: int) -> tuple[str, str, dict]:
        if self.name == "trivial":
            return "trivial", "/healthz", {}
        if self.name == "search":
            return "search", self.rng.choice(self.searches), self._headers()
        scroll = None
        if self.shared and self.waiting:
            scroll = self.waiting.popleft()
        elif not self.shared:
            scroll = self.own.pop(client, None)
        if scroll is None:
            headers, path, depth = self._headers(), START[self.name], 0
        else:
            headers, path, depth = scroll
        self.inflight[client] = (headers, depth)
        if depth:
            return f"{self.name}_deep", path, {**headers, "HX-Request": "true"}
        return self.name, path, headers

    def answered(self, client: int, label: str, status: int, body: bytes | None) -> None:
        headers, depth = self.inflight.pop(client, ({}, SCROLL_PAGES))
        if status != 200 or depth + 1 >= SCROLL_PAGES or label in ("search", "trivial"):
            return
        path = next_url(body or b"")
        if path is None:
            return
        if self.shared:
            self.waiting.append((headers, path, depth + 1))
        else:
            self.own[client] = (headers, path, depth + 1)


def preflight(port: int, sessions: list[str], searches: list[str]) -> None:
    """The pages measured are the real ones: logged in, full of cards, with a next page."""

    async def check():
        cookie = {"Cookie": f"sessionid={sessions[0]}"}
        for path in START.values():
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


def ms(seconds: float) -> float:
    return seconds * 1000


def report(phase: str, name: str, result: Measurement) -> None:
    everything = result.latencies
    late = f"  {result.late} late" if result.offered_rps is not None else ""
    say(
        f"{phase} {name:10s} p50 {ms(percentile(everything, 0.5)):7.1f}  "
        f"p95 {ms(percentile(everything, 0.95)):7.1f}  p99 {ms(percentile(everything, 0.99)):7.1f}"
        f" ms  {result.rps:6.1f} req/s  {len(everything):5d} requests  "
        f"{result.error_count} errors {result.errors or ''}{late}  ({load_average()})"
    )
    if len(result.samples) > 1:
        for label, values in sorted(result.samples.items()):
            say(
                f"    {label:14s} p50 {ms(percentile(values, 0.5)):7.1f}  "
                f"p95 {ms(percentile(values, 0.95)):7.1f}  "
                f"p99 {ms(percentile(values, 0.99)):7.1f} ms  {len(values):5d} requests"
            )


def summarize(capacity: dict[str, Measurement], latency: dict[str, Measurement]) -> int:
    everything = [*capacity.values(), *latency.values()]
    total = sum(len(m.latencies) for m in everything)
    errors = sum(m.error_count for m in everything)
    feed_rps = sum(capacity[name].rps for name in FEEDS) / len(FEEDS)
    trivial_rps = capacity["trivial"].rps
    feed_samples = [s for name in FEEDS for s in latency[name].latencies]
    numbers = {
        "feed_p95_ms": ms(percentile(feed_samples, 0.95)),
        "search_p95_ms": ms(percentile(latency["search"].latencies, 0.95)),
        "offered_rps": latency["search"].offered_rps,
        "feed_rps": feed_rps,
        "search_rps": capacity["search"].rps,
        "trivial_rps": trivial_rps,
        "feed_vs_trivial": feed_rps / trivial_rps,
    }
    misses = [
        f"{key} {numbers[key]:.2f} (target {'<' if key.endswith('_ms') else '>='} {target})"
        for key, target in TARGETS.items()
        if (numbers[key] >= target if key.endswith("_ms") else numbers[key] < target)
    ]
    if errors:
        misses.append(f"errors {errors} of {total} requests (target 0)")
    say("targets missed: " + "; ".join(misses) if misses else "all targets met")
    say(f"({load_average()})")
    print(
        f"RESULT feed_p95_ms={numbers['feed_p95_ms']:.0f}"
        f" search_p95_ms={numbers['search_p95_ms']:.0f}"
        f" offered_rps={numbers['offered_rps']:.0f}"
        f" feed_rps={numbers['feed_rps']:.0f}"
        f" search_rps={numbers['search_rps']:.0f}"
        f" trivial_rps={numbers['trivial_rps']:.0f}"
        f" feed_vs_trivial={numbers['feed_vs_trivial']:.2f}"
        f" errors={errors}",
        flush=True,
    )
    # More than 1% failed: the numbers do not measure working pages.
    return 1 if total == 0 or errors / total > 0.01 else 0


def set_up_data(args, redis_url: str) -> tuple[list[str], list[str]]:
    """Seed (or reuse) the database, flush this benchmark's Redis database, make sessions."""
    import django

    django.setup()
    import redis
    from django.db import connection

    try:
        redis.Redis.from_url(redis_url).flushdb()
    except redis.RedisError as exc:
        sys.exit(f"bench-discovery needs Redis at {redis_url}: {exc}")
    if args.reseed or not data.seeded_already():
        data.refuse_foreign_database()
        say(f"seeding {connection.settings_dict['NAME']} (PostgreSQL) ...")
        data.seed()
    else:
        say(f"reusing the seeded database {connection.settings_dict['NAME']} (--reseed to redo)")
    relations = data.seed_relations()
    say(
        "blocks and mutes: "
        + ", ".join(
            f"{table} {'(no such table yet: not seeded)' if n is None else f'{n:,} rows'}"
            for table, n in relations.items()
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_session")
    sessions = data.make_sessions(data.SESSIONS)
    searches = data.search_terms()
    connection.close()
    return sessions, searches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reseed", action="store_true", help="seed even if the marker matches")
    parser.add_argument("--clients", type=int, default=50, help="closed-loop clients")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds per endpoint")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--only", default="", help="comma-separated endpoints (a partial run: no RESULT line)"
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    data.ensure_postgres(database_url)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    env = production_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(WORKDIR / "media"),
        **single_address_limits("search", "suggest"),
    )
    os.environ.update(env)
    prepare(env, WORKDIR / "static")
    os.environ.update(env)
    sessions, searches = set_up_data(args, redis_url)

    endpoints = [n for n in ENDPOINTS if not args.only or n in args.only.split(",")]
    port = free_port()
    server = serve_uvicorn(env, port, args.workers)
    capacity: dict[str, Measurement] = {}
    latency: dict[str, Measurement] = {}
    try:
        preflight(port, sessions, searches)
        say(
            f"capacity: {args.clients} closed-loop clients, {args.warmup:.0f} s warm-up and "
            f"{args.duration:.0f} s per endpoint; uvicorn with {args.workers} workers"
        )
        for name in endpoints:
            workload = Workload(name, sessions, searches, shared=False)
            capacity[name] = asyncio.run(
                closed_loop(workload, port, args.clients, args.warmup, args.duration)
            )
            report("capacity", name, capacity[name])
        if "trivial" in capacity:
            rate = capacity["trivial"].rps / 2
            say(f"latency: open loop, Poisson arrivals at {rate:.1f} req/s (half trivial_rps)")
            for name in endpoints:
                if name == "trivial":
                    continue
                workload = Workload(name, sessions, searches, shared=True)
                latency[name] = asyncio.run(
                    open_loop(workload, port, rate, args.warmup, args.duration)
                )
                report("latency ", name, latency[name])
    finally:
        stop(server)
    if set(endpoints) != set(ENDPOINTS):
        return 0  # a partial run (--only) has no RESULT line
    return summarize(capacity, latency)


if __name__ == "__main__":
    sys.exit(main())
