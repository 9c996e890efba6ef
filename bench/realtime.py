"""Live fan-out: how long after a like or a comment every viewer of the video has it.

Serves the site as production does (uvicorn with the project's ASGI app, `--workers 2` as in
docs/operations.md, DEBUG off) with the Redis channel layer, connects 1,000 WebSocket clients
to one video's live group (anonymous viewers of a public video, negotiating per-message
deflate as browsers do), then likes and comments over the JSON API (JWT) 100 times each, one
action at a time. For every action and every client it measures the time from the action's
HTTP response reaching the actor to the client receiving the update. The clients live in
their own processes so that receiving does not stall the actor.

A like is recognised by the count it announces (each like comes from another account, so the
count only grows), a comment by its element id. A client that has not received an update by
the end (a grace period after the last action), or that lost its socket, counts as dropped.

Run: make bench-realtime (or .venv/bin/python bench/realtime.py [--clients N] [--actions N])
Needs a Redis server: --redis-url, default redis://127.0.0.1:6379/13 (that database is
flushed first: the bench's own). Uses DATABASE_URL (PostgreSQL) when set, else a temporary
SQLite file.
Last line: RESULT ws_clients=<n> fanout_p50_ms=<n> fanout_p99_ms=<n> dropped=<n>
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.production_site import free_port, prepare, production_env, wait_until_serving  # noqa: E402

LIKE_COUNT_RE = re.compile(r">(\d+) likes?<")


def raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def prepare_site(workdir: Path, redis_url: str, actors: int) -> tuple[dict, dict]:
    """Environment for a production-mode site, and the bench's data: the video's short id and
    a JWT access token per acting account."""
    env = production_env(
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=f"bench-{secrets.token_hex(4)}",
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    prepare(env, workdir / "static")
    python = sys.executable
    # The fan-out does not depend on the media, so the video row is made ready directly.
    script = f"""
import json, os, secrets, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microvid.settings")
django.setup()
import redis
from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken
from accounts.models import User
from videos.models import Video
redis.Redis.from_url(settings.REDIS_URL).flushdb()  # the bench's own database
run = secrets.token_hex(3)
creator = User.objects.create(username=f"bench_creator_{{run}}")
video = Video.objects.create(owner=creator, title="Fan-out", status=Video.Status.READY,
                             published_at=timezone.now(), width=720, height=1280, duration=5.0)
actors = User.objects.bulk_create(
    User(username=f"bench_{{run}}_{{i:04d}}", email=f"b{{i}}@example.com") for i in range({actors})
)
actors = User.objects.filter(username__startswith=f"bench_{{run}}_").order_by("username")
print(json.dumps({{"short_id": video.short_id,
                  "tokens": [str(AccessToken.for_user(user)) for user in actors]}}))
"""
    out = subprocess.run([python, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return env, json.loads(out.stdout.strip().splitlines()[-1])


PROFILED_SERVER = """
import contextlib, cProfile, os, signal, sys
import uvicorn
profiler = cProfile.Profile()
def stop(*_):
    profiler.disable()
    profiler.dump_stats(sys.argv[1])
    os._exit(0)
signal.signal(signal.SIGTERM, stop)
config = uvicorn.Config("microvid.asgi:application", host="127.0.0.1", port=int(sys.argv[2]),
                        log_level="warning", access_log=False, backlog=4096)
server = uvicorn.Server(config)
server.capture_signals = contextlib.nullcontext
profiler.enable()
server.run()
"""


def serve(env: dict, port: int, workers: int, deflate: bool, profile: str = "") -> subprocess.Popen:
    command = [
        sys.executable, "-m", "uvicorn", "microvid.asgi:application", "--host", "127.0.0.1",
        "--port", str(port), "--log-level", "warning", "--no-access-log", "--no-proxy-headers",
        "--backlog", "4096", "--workers", str(workers),
    ]  # fmt: skip
    if profile:
        # One server process under cProfile (slower: for the shares only); stats on SIGTERM.
        command = [sys.executable, "-c", PROFILED_SERVER, profile, str(port)]
    if not deflate:
        command.append("--ws-per-message-deflate=false")
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    return wait_until_serving(server, port)


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the processes of a process group (Linux)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp, then utime and stime at 12 and 13
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --- the viewers -------------------------------------------------------------------------------
def message_keys(text: str) -> list:
    """What a socket message announces: ("like", count) and ("comment", id) keys."""
    data = json.loads(text)
    items = data.get("items", []) if data.get("type") == "fragments" else [data]
    keys = []
    for item in items:
        target = item.get("target", "")
        if target.startswith("like-count-"):
            match = LIKE_COUNT_RE.search(item.get("html", ""))
            if match:
                keys.append(("like", int(match.group(1))))
        elif item.get("id", "").startswith("comment-") and item.get("op") != "remove":
            keys.append(("comment", int(item["id"].split("-", 1)[1])))
    return keys


def viewers(url, origin, count, deflate, ready, stop, results):
    """One process's share of the clients. Reports, per key, the receive times."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    from websockets.asyncio.client import connect

    raise_open_files_limit(count + 256)

    async def client(index, received, connected, lost):
        for attempt in range(5):
            try:
                socket_ = await connect(
                    url, origin=origin, compression="deflate" if deflate else None,
                    ping_interval=None, open_timeout=60, max_queue=None,
                )  # fmt: skip
                break
            except Exception:
                await asyncio.sleep(0.5 * (attempt + 1))
        else:
            lost.append(index)
            connected.release()
            return
        connected.release()
        with contextlib.suppress(Exception):  # closed: counted as lost below unless stopping
            async for message in socket_:
                received.append((time.monotonic(), message))
        if not stop.is_set():
            lost.append(index)

    async def main():
        gate = asyncio.Semaphore(50)  # connect in waves, as a crowd arrives
        connected = asyncio.Semaphore(0)
        inboxes = [[] for _ in range(count)]
        lost = []

        async def start(index):
            async with gate:
                task = asyncio.ensure_future(client(index, inboxes[index], connected, lost))
                await connected.acquire()
                return task

        tasks = await asyncio.gather(*(start(i) for i in range(count)))
        ready.put(count - len(lost))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        times: dict = {}
        for inbox in inboxes:
            for stamp, message in inbox:
                for key in message_keys(message):
                    times.setdefault(key, []).append(stamp)
        results.put({"times": times, "lost": len(lost), "clients": count})

    asyncio.run(main())


# --- the actor ---------------------------------------------------------------------------------
def api(base: str, method: str, path: str, token: str, data: dict | None = None) -> dict:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(  # noqa: S310 (base is http://127.0.0.1:<port>)
        base + path,
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def act(base: str, short_id: str, tokens: list, actions: int, pause: float) -> list:
    """`actions` likes and `actions` comments, alternating, each from another account.
    Returns (key, sent, answered) per action."""
    done = []
    for i in range(actions):
        token = tokens[i % len(tokens)]
        sent = time.monotonic()
        liked = api(base, "POST", f"/api/v1/videos/{short_id}/like", token)
        done.append((("like", liked["like_count"]), sent, time.monotonic()))
        time.sleep(pause)
        sent = time.monotonic()
        comment = api(base, "POST", f"/api/v1/videos/{short_id}/comments", token,
                      {"body": f"Comment number {i + 1} from the bench"})  # fmt: skip
        done.append((("comment", comment["id"]), sent, time.monotonic()))
        time.sleep(pause)
    return done


def percentile(values: list, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--actions", type=int, default=100, help="likes, and as many comments")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between actions")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--layer", choices=["settings", "core"], default="settings",
                        help="core: channels-redis's list-based layer, to compare")  # fmt: skip
    parser.add_argument("--profile", default="", help="run one server process under cProfile, "
                        "writing its stats to this file")  # fmt: skip
    parser.add_argument("--no-deflate", action="store_true",
                        help="clients and server without per-message deflate")  # fmt: skip
    parser.add_argument("--grace", type=float, default=5.0,
                        help="seconds to wait for late updates after the last action")  # fmt: skip
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    )
    args = parser.parse_args()
    deflate = not args.no_deflate
    raise_open_files_limit(args.clients * 2 + 512)

    workdir = Path(tempfile.mkdtemp(prefix="microvid-realtime-"))
    server = None
    try:
        env, data = prepare_site(workdir, args.redis_url, args.actions)
        if args.layer == "core":
            (workdir / "bench_settings.py").write_text(
                "from microvid.settings import *  # noqa: F403\n"
                'CHANNEL_LAYERS["default"]["BACKEND"] = "channels_redis.core.RedisChannelLayer"\n'
            )
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(workdir), env.get("PYTHONPATH")]))
            env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
        port = free_port()
        server = serve(env, port, args.workers, deflate, args.profile)
        base = f"http://127.0.0.1:{port}"
        short_id = data["short_id"]
        url = f"ws://127.0.0.1:{port}/ws/videos/{short_id}/"

        context = multiprocessing.get_context("spawn")
        ready, results, stop = context.Queue(), context.Queue(), context.Event()
        shares = [args.clients // args.client_processes] * args.client_processes
        shares[0] += args.clients - sum(shares)
        processes = [
            context.Process(target=viewers, args=(url, base, share, deflate, ready, stop, results))
            for share in shares
        ]
        started = time.monotonic()
        for process in processes:
            process.start()
        connected = sum(ready.get(timeout=300) for _ in processes)
        print(f"{connected} of {args.clients} clients connected in "
              f"{time.monotonic() - started:.1f} s", flush=True)  # fmt: skip
        time.sleep(1.0)  # let the last group_add land

        cpu_before, wall_before = group_cpu_seconds(server.pid), time.monotonic()
        done = act(base, short_id, data["tokens"], args.actions, args.pause)
        time.sleep(args.grace)
        server_cpu = group_cpu_seconds(server.pid) - cpu_before
        wall = time.monotonic() - wall_before
        stop.set()
        reports = [results.get(timeout=300) for _ in processes]
        for process in processes:
            process.join(timeout=30)

        received: dict = {}
        for report in reports:
            for key, stamps in report["times"].items():
                received.setdefault(key, []).extend(stamps)
        lost = sum(report["lost"] for report in reports)
        after_response, after_request = [], []
        dropped = 0
        for key, sent, answered in done:
            stamps = received.get(key, [])
            dropped += max(0, args.clients - len(stamps))
            after_response += [(stamp - answered) * 1000 for stamp in stamps]
            after_request += [(stamp - sent) * 1000 for stamp in stamps]
        http_ms = [(answered - sent) * 1000 for _, sent, answered in done]
        likes = [k for k in done if k[0][0] == "like"]
        print(f"actions: {len(likes)} likes, {len(done) - len(likes)} comments; "
              f"{len(after_response):,} deliveries; clients lost: {lost}")  # fmt: skip
        print(f"HTTP request to response: p50 {percentile(http_ms, 0.5):.1f} ms, "
              f"p99 {percentile(http_ms, 0.99):.1f} ms")  # fmt: skip
        if after_response:
            print(f"request sent -> client has it: p50 {percentile(after_request, 0.5):.1f} ms, "
                  f"p99 {percentile(after_request, 0.99):.1f} ms, "
                  f"max {max(after_request):.1f} ms")  # fmt: skip
            print(f"response -> client has it: p50 {percentile(after_response, 0.5):.1f} ms, "
                  f"p90 {percentile(after_response, 0.9):.1f} ms, "
                  f"p99 {percentile(after_response, 0.99):.1f} ms, "
                  f"mean {statistics.fmean(after_response):.1f} ms")  # fmt: skip
        per_action = server_cpu / len(done) * 1000
        per_delivery = server_cpu / max(1, len(after_response)) * 1e6
        print(f"server CPU: {server_cpu:.1f} s over {wall:.0f} s, {per_action:.0f} ms per action,"
              f" {per_delivery:.0f} µs per delivery")  # fmt: skip
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"layer={args.layer} workers={args.workers} deflate={deflate} "
              f"client_processes={args.client_processes} load average {load}")  # fmt: skip
        p50 = percentile(after_response, 0.5) if after_response else float("nan")
        p99 = percentile(after_response, 0.99) if after_response else float("nan")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)  # the server's own process group
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"RESULT ws_clients={connected} fanout_p50_ms={p50:.0f} fanout_p99_ms={p99:.0f}"
          f" dropped={dropped}")  # fmt: skip


if __name__ == "__main__":
    main()
