"""A user-level load test: 1,000 simulated people on the production-like site.

The site: uvicorn (2 worker processes), a Celery worker, PostgreSQL (bench-discovery's seeded
100k videos, bench/discovery_seed.py), Redis (cache, sessions, broker, channel layer) and
WebSockets; every seeded video's media point at one real transcoded clip (an MP4 fallback, an
HLS ladder and a poster made by the real `videos.transcode.transcode`), served through the
site's media path. Locust (bench/locustfile.py) drives it headless: each person opens For
You, watches each card for about 5 s (MP4 first bytes, or the HLS master, a playlist and two
segments), swipes on, likes one in ten, comments one in fifty, searches one in twenty; two in
a hundred hold a WebSocket; three upload a clip (transcoded by the worker during the run).

Reported: p95 of page requests (HTML pages and form posts), p95 of media requests' time to
the first byte (the first 256 KB of the MP4, or the playlist and segment requests), the share
of failed requests, and CPU seconds per 1,000 requests of the web and worker processes and of
this database's PostgreSQL backends, with the load average (the machine is shared).

Run: make bench-load (or .venv/bin/python bench/load.py [--users N] [--run-time S])
Needs PostgreSQL (DATABASE_URL, default .../bench_discovery) and Redis (REDIS_URL, default
redis://127.0.0.1:6379/9; that database is flushed).
Last line: RESULT users=N page_p95_ms=N media_first_byte_p95_ms=N error_rate=N
           cpu_s_per_1k_requests=N
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import discovery_seed as data  # noqa: E402
from bench.http_load import percentile  # noqa: E402
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
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
WORKDIR = ROOT / "var" / "bench-load"
CLIP = ROOT.parent / "shared" / "media-edge" / "ok_vertical_1080x1920_5s.mp4"
UPLOAD_CLIP = ROOT.parent / "shared" / "media-edge" / "ok_square_no_audio_2s.mp4"
TARGETS = {"page_p95_ms": 2000, "error_rate": 0}


def say(message: str) -> None:
    print(message, flush=True)


def make_media(media_root: Path) -> None:
    """The files every seeded video points at (videos/bench/...), from one real clip."""
    target = media_root / "videos" / "bench"
    if (target / "video.mp4").exists():
        return
    from videos.probe import probe_upload
    from videos.transcode import transcode

    with tempfile.TemporaryDirectory() as work:
        result = transcode(CLIP, Path(work) / "out", probe=probe_upload(CLIP))
        shutil.copytree(result.out_dir, target, dirs_exist_ok=True)
        shutil.copy(result.master_playlist, target / "master.m3u8")
        shutil.copy(result.mp4_path, target / "video.mp4")
        shutil.copy(result.poster_path, target / "poster.jpg")


def process_cpu(pids: list[int]) -> float:
    """CPU seconds of these processes and their children (those alive now)."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            parent = psutil.Process(pid)
            for process in [parent, *parent.children(recursive=True)]:
                times = process.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def postgres_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--spawn-rate", type=float, default=50.0)
    parser.add_argument("--run-time", type=int, default=120, help="seconds, ramp-up included")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    data.ensure_postgres(database_url)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    env = production_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(WORKDIR / "media"),
        SERVE_MEDIA="true",
        DATABASE_POOL_MAX_SIZE="8",
        **single_address_limits("search", "suggest", "events", "upload"),
    )
    os.environ.update(env)
    # The same static files as bench-discovery's (same code): collectstatic then has little
    # to redo.
    prepare(env, ROOT / "var" / "bench-discovery" / "static")
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.db import connection

    redis.Redis.from_url(redis_url).flushdb()
    if not data.seeded_already():
        data.refuse_foreign_database()
        say("seeding (as bench-discovery does) ...")
        data.seed()
    data.seed_relations()
    make_media(WORKDIR / "media")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_session")
    sessions = data.make_sessions(min(args.users, 1000))
    sessions_file = WORKDIR / "sessions.json"
    sessions_file.write_text(json.dumps(sessions))
    summary_file = WORKDIR / "summary.json"
    summary_file.unlink(missing_ok=True)

    port = free_port()
    server = serve_uvicorn(env, port, args.workers)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "microvid", "worker", "--concurrency", "1",
         "--loglevel", "warning", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    processes = [server.pid, worker.pid]
    try:
        load_before = load_average()
        cpu_before = process_cpu(processes) + process_cpu(postgres_backends())
        started = time.perf_counter()
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
             "--run-time", f"{args.run_time}s", "--host", f"http://127.0.0.1:{port}",
             "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
            cwd=ROOT,
            env={**env, "LOAD_SESSIONS_FILE": str(sessions_file),
                 "LOAD_SUMMARY_FILE": str(summary_file), "LOAD_UPLOAD_CLIP": str(UPLOAD_CLIP)},
            capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        cpu_after = process_cpu(processes) + process_cpu(postgres_backends())
        load_after = load_average()
    finally:
        stop(worker)
        stop(server)
    say(locust.stdout[-4000:])
    if not summary_file.exists():
        say(locust.stderr[-4000:])
        sys.exit("locust wrote no summary")
    records = json.loads(summary_file.read_text())
    by_name: dict[str, list] = {}
    for name, milliseconds, failed in records:
        by_name.setdefault(name, []).append((milliseconds, failed))
    for name, rows in sorted(by_name.items()):
        times = [ms for ms, _ in rows]
        failures = sum(failed for _, failed in rows)
        say(
            f"{name:20s} {len(rows):7d} requests  p50 {percentile(times, 0.5):8.0f}  "
            f"p95 {percentile(times, 0.95):8.0f} ms  {failures} failed"
        )
    pages = [ms for n, rows in by_name.items() if n.startswith(("page:", "post:"))
             for ms, _ in rows]  # fmt: skip
    media = [ms for n, rows in by_name.items() if n.startswith("media:") for ms, _ in rows]
    total = len(records)
    failed = sum(f for _, _, f in records)
    numbers = {
        "page_p95_ms": percentile(pages, 0.95),
        "media_first_byte_p95_ms": percentile(media, 0.95),
        "error_rate": failed / total if total else 1.0,
        "cpu_s_per_1k_requests": (cpu_after - cpu_before) / total * 1000 if total else 0.0,
    }
    say(f"{total} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s); load before: "
        f"{load_before}; after: {load_after}")  # fmt: skip
    misses = [f"page_p95_ms {numbers['page_p95_ms']:.0f} (target < 2000)"] if (
        numbers["page_p95_ms"] >= TARGETS["page_p95_ms"]
    ) else []  # fmt: skip
    if failed:
        misses.append(f"error_rate {numbers['error_rate']:.4f} (target 0)")
    say("targets missed: " + "; ".join(misses) if misses else "all targets met")
    print(
        f"RESULT users={args.users} page_p95_ms={numbers['page_p95_ms']:.0f}"
        f" media_first_byte_p95_ms={numbers['media_first_byte_p95_ms']:.0f}"
        f" error_rate={numbers['error_rate']:.4f}"
        f" cpu_s_per_1k_requests={numbers['cpu_s_per_1k_requests']:.1f}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
