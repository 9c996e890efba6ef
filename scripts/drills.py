"""`make drills`: fault drills against real processes, PostgreSQL and Redis.

Last line: `RESULT worker_kill_lost=N worker_kill_duplicated=N redis_outage_errors_after=N
db_restart_errors_after=N restore_identical=1`; exit status 0 only if no upload was lost or
processed twice, nothing failed after a recovery, and the restore was identical.

1. A worker's pool process is killed (SIGKILL) in the middle of a transcode, with three
   uploads queued; then the whole worker is killed mid-transcode and another one started.
   Every upload must become ready exactly once, within 60 s of a worker being there.
2. Redis is stopped for 30 s under a site serving pages, likes, a comment and a live socket:
   pages keep serving (the page errors during the outage are counted and logged), no like is
   lost, the comment posted during the outage is stored, and after Redis is back nothing fails
   and live updates resume.
3. Backup, wipe (drop the database, delete the media), restore, compare rows and files.
4. PostgreSQL is restarted under the site: requests meanwhile get a clean 503, none fails
   after, the site is not restarted, no row is half written.

It uses the machine's PostgreSQL (its own database, `microvid_drills`) and Redis (its own
database number, 12) for drills 1 and 3, and for the outage and restart drills a private
redis-server and a private PostgreSQL cluster (initdb in a temporary folder) on free loopback
ports: it starts and stops only processes it started itself, by their id.
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.production_site import free_port  # noqa: E402

PY = sys.executable
PG_URL = os.environ.get("DRILLS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/microvid_drills")
REDIS_URL = os.environ.get("DRILLS_REDIS_URL", "redis://127.0.0.1:6379/12")
WORK = Path(tempfile.mkdtemp(prefix="microvid-drills-"))
MEDIA = WORK / "media"
READY_WITHIN_S = 60.0
OUTAGE_S = 30.0

STARTED: list[subprocess.Popen] = []  # every process this script started, to stop at the end


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def site_env(**overrides: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "microvid.settings",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": PG_URL,
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(MEDIA),
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "ACCOUNT_EMAIL_VERIFICATION": "none",
    }
    for name in ("CELERY_BROKER_URL", "AWS_STORAGE_BUCKET_NAME", "DJANGO_ENV"):
        env.pop(name, None)
    env.update(overrides)
    return env


def start(name: str, command: list[str], env: dict) -> subprocess.Popen:
    logfile = (WORK / f"{name}.log").open("ab")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its children
    )  # fmt: skip
    process.name = name
    STARTED.append(process)
    return process


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 15.0) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    if process in STARTED:
        STARTED.remove(process)


def start_worker(name: str, env: dict) -> subprocess.Popen:
    worker = start(
        name,
        [PY, "-m", "celery", "-A", "microvid", "worker", "--queues", "transcode,celery",
         "--concurrency", "1", "--loglevel", "INFO", "--hostname", f"{name}@%h",
         "--without-mingle", "--without-gossip"],
        env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    path = WORK / f"{name}.log"
    while time.monotonic() < deadline:
        if b"ready." in path.read_bytes():
            return worker
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"worker {name} did not start; see {path}")


def start_web(name: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    web = start(
        name,
        [PY, "-m", "uvicorn", "microvid.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--no-proxy-headers", "--log-level", "warning"],
        env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    import httpx

    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz/live", timeout=1).status_code == 200:
                return web, base
        time.sleep(0.2)
    raise RuntimeError(f"web {name} did not start; see {WORK / name}.log")


def django_setup() -> None:
    for name, value in site_env().items():
        os.environ[name] = value
    import django

    django.setup()


def make_clip() -> Path:
    """A small 3-second vertical clip with sound: quick to transcode even on a busy machine,
    long enough for a kill to land in the middle."""
    from videos.ffmpeg_binary import ffmpeg_binary

    path = WORK / "clip.mp4"
    subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=270x480:rate=30",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "3", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path


def upload(owner, clip: Path, title: str):
    from django.core.files import File

    from videos.services import video_create_from_upload

    with clip.open("rb") as handle:
        return video_create_from_upload(owner=owner, uploaded_file=File(handle), title=title)


class ReadyWatcher:
    """Polls the videos' rows: when each first became ready, and whether it became ready
    again later (a second completed processing: a duplicate)."""

    def __init__(self, ids):
        self.ids = list(ids)
        self.ready_at: dict[int, float] = {}
        self.processed: dict[int, set] = {pk: set() for pk in self.ids}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        from django.db import connection

        from videos.models import Video

        while not self.stop.is_set():
            for pk, status, processed_at in Video.objects.filter(pk__in=self.ids).values_list(
                "pk", "status", "processed_at"
            ):
                if status == Video.Status.READY:
                    self.ready_at.setdefault(pk, time.monotonic())
                    self.processed[pk].add(processed_at)
            time.sleep(0.2)
        connection.close()

    def duplicates(self) -> int:
        return sum(1 for values in self.processed.values() if len(values) > 1)

    def close(self):
        self.stop.set()
        self.thread.join()


def output_sets(video) -> int:
    folder = MEDIA / "videos" / f"{video.short_id}-{video.storage_token}"
    return len([p for p in folder.iterdir() if p.is_dir()]) if folder.exists() else 0


def wait_transcoding(worker: subprocess.Popen, timeout=90.0):
    """Until FFmpeg runs under the worker (the kill lands mid-transcode); its pool process."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in psutil.Process(worker.pid).children(recursive=False):
            with contextlib.suppress(psutil.Error):
                if any("ffmpeg" in p.name() for p in child.children(recursive=True)):
                    return child
        time.sleep(0.05)
    raise RuntimeError("no transcode started")


def drill_worker_kill(owner, clip) -> tuple[int, int]:
    from videos.models import Video

    env = site_env()
    lost = duplicated = 0
    worker = start_worker("worker-a", env)
    log("drill 1a: three uploads, the worker's pool process killed mid-transcode")
    videos = [upload(owner, clip, f"Drill pool kill {i}") for i in range(3)]
    watcher = ReadyWatcher(v.pk for v in videos)
    child = wait_transcoding(worker)
    os.kill(child.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    log(f"  killed the pool process {child.pid} while FFmpeg ran")
    deadline = killed_at + READY_WITHIN_S + 30  # the first within 60 s, then two more
    while time.monotonic() < deadline and len(watcher.ready_at) < len(videos):
        time.sleep(0.2)
    first = watcher.ready_at.get(videos[0].pk)
    log(f"  the killed upload was ready {first - killed_at:.1f} s after the kill" if first
        else "  the killed upload never became ready")  # fmt: skip
    if first is None or first - killed_at > READY_WITHIN_S:
        lost += 1
    lost += sum(1 for v in videos[1:] if v.pk not in watcher.ready_at)

    log("drill 1b: the whole worker killed mid-transcode, a new worker started")
    video = upload(owner, clip, "Drill worker kill")
    watcher_b = ReadyWatcher([video.pk])
    wait_transcoding(worker)
    stop(worker, signal.SIGKILL)
    log("  killed the worker (SIGKILL to its process group)")
    worker = start_worker("worker-b", env)
    started_at = time.monotonic()
    while time.monotonic() < started_at + READY_WITHIN_S and video.pk not in watcher_b.ready_at:
        time.sleep(0.2)
    ready = watcher_b.ready_at.get(video.pk)
    log(f"  ready {ready - started_at:.1f} s after the new worker was up" if ready
        else "  never became ready")  # fmt: skip
    if ready is None:
        lost += 1
    time.sleep(3)  # a duplicate would finish within a transcode's time
    watcher.close()
    watcher_b.close()
    duplicated = watcher.duplicates() + watcher_b.duplicates()
    for v in [*videos, video]:
        v = Video.objects.get(pk=v.pk)
        if output_sets(v) > 1:
            duplicated += 1
            log(f"  video {v.pk} has {output_sets(v)} output sets")
    stop(worker)
    return lost, duplicated


class Browser:
    """A signed-in viewer over HTTP (httpx), with the CSRF token of the page it read."""

    def __init__(self, base: str, user):
        import httpx
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        self.client = httpx.Client(base_url=base, timeout=10, follow_redirects=False)
        self.session_key = ""
        if user is not None:
            session = SessionStore()  # in the database, which the drill's sites share
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            self.session_key = session.session_key
            self.client.cookies.set("sessionid", self.session_key)

    def get(self, path: str) -> int:
        try:
            return self.client.get(path).status_code
        except Exception:
            return 0

    def like(self, short_id: str) -> int:
        return self._post_from_page(short_id, f"/v/{short_id}/like", {})

    def comment(self, short_id: str, body: str) -> int:
        return self._post_from_page(short_id, f"/v/{short_id}/comments", {"body": body})

    def _post_from_page(self, short_id: str, action: str, data: dict) -> int:
        """Read the video's page (for its CSRF token), then post its form as a browser would."""
        try:
            page = self.client.get(f"/v/{short_id}")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            if page.status_code != 200 or not token:
                return page.status_code or 0
            return self.client.post(
                action, data={"csrfmiddlewaretoken": token.group(1), **data}
            ).status_code
        except Exception:
            return 0


def ok(status: int) -> bool:
    return 200 <= status < 400


class Load:
    """Pages requested in a loop from a thread: counts of failures per phase."""

    PAGES = ["/", "/latest", "/trending", "/healthz/live"]

    def __init__(self, browser: Browser, short_id: str):
        self.browser, self.short_id = browser, short_id
        self.phase = "before"
        self.results: dict[str, list[int]] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        i = 0
        while not self.stop.is_set():
            path = self.PAGES[i % len(self.PAGES)] if i % 5 else f"/v/{self.short_id}"
            phase = self.phase  # a request counts in the phase it was sent in
            status = self.browser.get(path)
            self.results.setdefault(phase, []).append(status)
            i += 1
            time.sleep(0.1)

    def failures(self, phase: str, allowed=()) -> int:
        return sum(1 for s in self.results.get(phase, []) if not ok(s) and s not in allowed)

    def count(self, phase: str) -> int:
        return len(self.results.get(phase, []))

    def summary(self, phase: str) -> str:
        statuses = self.results.get(phase, [])
        counts = {s: statuses.count(s) for s in sorted(set(statuses))}
        return f"{len(statuses)} requests {counts}"

    def close(self):
        self.stop.set()
        self.thread.join()


def start_redis(port: int) -> subprocess.Popen:
    redis = start(
        f"redis-{port}",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(WORK)],
        os.environ.copy(),
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode
            == 0
        ):
            return redis
        time.sleep(0.1)
    raise RuntimeError("the private redis-server did not start")


def live_update_arrives(
    base: str, browser: Browser, short_id: str, liker: Browser, attempts: int = 8
) -> bool:
    """A socket on the video page receives the like count after a like (live updates work)."""
    import asyncio

    import websockets

    async def check():
        url = base.replace("http://", "ws://") + f"/ws/videos/{short_id}/"
        headers = {"Cookie": f"sessionid={browser.session_key}", "Origin": base}
        async with websockets.connect(url, additional_headers=headers, open_timeout=5) as ws:
            await asyncio.sleep(0.5)
            await asyncio.to_thread(liker.like, short_id)
            message = await asyncio.wait_for(ws.recv(), timeout=8)
            return "like-count" in message

    # As the page's script does: reconnect with a pause while the server refuses the socket
    # (the channel layer reconnecting to Redis).
    for attempt in range(attempts):
        try:
            return asyncio.run(check())
        except Exception as error:
            log(f"  live update attempt {attempt + 1} failed: {error!r}"[:160])
            time.sleep(2)
    return False


def new_viewers(count: int, prefix: str):
    from accounts.models import User

    return [
        User.objects.create_user(username=f"{prefix}{i}", email=f"{prefix}{i}@drill.example")
        for i in range(count)
    ]


def drill_redis_outage(video) -> int:
    from social.models import Comment, Like

    port = free_port()
    redis = start_redis(port)
    env = site_env(REDIS_URL=f"redis://127.0.0.1:{port}/0")
    web, base = start_web("web-redis", env)
    viewers = [Browser(base, user) for user in new_viewers(9, "outage")]
    load = Load(viewers[0], video.short_id)
    log("drill 2: Redis stopped for 30 s under load")
    live_before = live_update_arrives(base, viewers[7], video.short_id, viewers[8])
    log(f"  live update before the outage: {live_before}")
    liked = [viewers[1].like(video.short_id)]
    stop(redis)
    load.phase = "during"
    time.sleep(OUTAGE_S / 3)
    liked.append(viewers[2].like(video.short_id))
    comment_body = f"Posted while Redis was down ({time.time():.0f})"
    commented = viewers[2].comment(video.short_id, comment_body)
    time.sleep(OUTAGE_S / 3)
    liked.append(viewers[3].like(video.short_id))
    time.sleep(OUTAGE_S / 3)
    redis = start_redis(port)
    time.sleep(2)
    load.phase = "after"
    liked.append(viewers[4].like(video.short_id))
    time.sleep(5)
    live = live_update_arrives(base, viewers[5], video.short_id, viewers[6])
    load.close()
    stored = Like.objects.filter(video=video, user__username__startswith="outage").count()
    video.refresh_from_db()
    lost = sum(1 for s in liked if ok(s)) + int(live) + int(live_before) - stored
    comment_stored = Comment.objects.filter(video=video, body=comment_body).exists()
    # The comment posted during the outage must be stored: refused or dropped, it is lost.
    comment_lost = int(not comment_stored)
    # Everything sent while Redis was down: the page load, two likes and the comment.
    page_errors = load.failures("during") + sum(1 for s in [*liked[1:3], commented] if not ok(s))
    errors_after = load.failures("after") + (0 if live else 1) + max(lost, 0) + comment_lost
    log(f"  pages during the outage: {load.summary('during')}; after: {load.summary('after')}")
    log(f"  page errors during the outage: {page_errors} (of {load.count('during')} pages, "
        f"2 likes and 1 comment)")  # fmt: skip
    log(f"  likes answered {liked}, stored {stored}, live update after recovery: {live}")
    log(f"  comment during the outage answered {commented}, stored {comment_stored}")
    stop(web)
    stop(redis)
    return errors_after


def drill_backup_restore() -> tuple[int, str]:
    from django.db import connections

    from core.backup import database_fingerprint, media_manifest

    log("drill 3: backup, wipe, restore, compare")
    backups = WORK / "backups"
    env = site_env()
    subprocess.run([PY, "manage.py", "backup", str(backups)], cwd=ROOT, env=env, check=True)
    fingerprint, files = database_fingerprint(), media_manifest()
    connections.close_all()
    _pg(["dropdb", "--force", PG_DBNAME], PG_URL)
    shutil.rmtree(MEDIA)
    MEDIA.mkdir()
    restore = subprocess.run(
        [PY, "manage.py", "restore", "--latest", str(backups), "--yes"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    log("  " + (restore.stdout.strip().replace("\n", "\n  ") or restore.stderr.strip()[-500:]))
    identical = (
        restore.returncode == 0
        and database_fingerprint() == fingerprint
        and media_manifest() == files
    )
    log(f"  {len(fingerprint)} tables, {len(files)} media files: identical={identical}")
    return int(identical), str(backups)


PG_DBNAME = PG_URL.rsplit("/", 1)[1]


def _pg(command: list[str], url: str, **kwargs):
    from urllib.parse import urlparse

    parsed = urlparse(url)
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432),
            "-U", parsed.username or "postgres"]  # fmt: skip
    return subprocess.run([command[0], *args, *command[1:]], capture_output=True, text=True,
                          check=kwargs.pop("check", True), **kwargs)  # fmt: skip


def private_postgres():
    """initdb + pg_ctl in a temporary folder, on a free port (as the postgres user when this
    runs as root, which PostgreSQL refuses)."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins:
        return None
    bindir = bins[-1].parent
    data = WORK / "pg"
    data.mkdir()
    prefix = []
    if os.geteuid() == 0:
        shutil.chown(WORK, "postgres")
        shutil.chown(data, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)  # fmt: skip

    def ctl(*args):
        return subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data / "log"),
             "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "-w", *args],
            check=True, capture_output=True, text=True,
        )  # fmt: skip

    ctl("start")
    return port, ctl


def drill_db_restart(backups: str, video_short_id: str) -> int:
    cluster = private_postgres()
    if cluster is None:
        log("drill 4: skipped (no initdb under /usr/lib/postgresql/*/bin)")
        return 0
    port, ctl = cluster
    url = f"postgres://postgres@127.0.0.1:{port}/microvid"
    try:
        log(f"drill 4: PostgreSQL restarted under load (private cluster on port {port})")
        # A request waits up to 2 s for a pooled connection, then gets the 503 page.
        env = site_env(DATABASE_URL=url, DATABASE_POOL_MAX_SIZE="4", DATABASE_POOL_TIMEOUT="2")
        subprocess.run([PY, "manage.py", "restore", "--latest", backups, "--yes"], cwd=ROOT,
                       env=env, check=True, capture_output=True)  # fmt: skip
        web, base = start_web("web-pg", env)
        load = Load(Browser(base, None), video_short_id)  # anonymous: pages read the database
        time.sleep(3)
        load.phase = "during"
        ctl("stop", "-m", "fast")
        time.sleep(6)
        ctl("start")
        load.phase = "after"
        time.sleep(1)
        load.phase = "settled"
        time.sleep(10)
        load.close()
        unclean = load.failures("during", allowed=(503,)) + load.failures("after", allowed=(503,))
        errors_after = load.failures("settled")
        during = load.results.get("during", []) + load.results.get("after", [])
        log(f"  during the restart: {load.summary('during')}, just after: "
            f"{load.summary('after')}; settled: {load.summary('settled')}")  # fmt: skip
        log(f"  {during.count(503)} clean 503s, {unclean} other failures")
        counts = _pg(["psql", "-d", "microvid", "-tAc",
                      "SELECT count(*) FROM videos_video v WHERE v.like_count <> "
                      "(SELECT count(*) FROM social_like l WHERE l.video_id = v.id)"],
                     url)  # fmt: skip
        half_written = int(counts.stdout.strip() or 0)
        log(f"  videos whose like count disagrees with their likes: {half_written}")
        stop(web)
        return errors_after + unclean + half_written
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            ctl("stop", "-m", "fast")


def main() -> int:
    started = time.monotonic()
    log(f"working folder {WORK}; database {PG_URL}; redis {REDIS_URL}")
    MEDIA.mkdir(parents=True)
    _pg(["dropdb", "--if-exists", "--force", PG_DBNAME], PG_URL)
    _pg(["createdb", PG_DBNAME], PG_URL)
    redis_db = REDIS_URL.rsplit("/", 1)[1]
    subprocess.run(["redis-cli", "-u", REDIS_URL.rsplit("/", 1)[0], "-n", redis_db, "FLUSHDB"],
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run([PY, "scripts/compile_locales.py"], cwd=ROOT, check=True)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=site_env(),
                   check=True)  # fmt: skip
    django_setup()
    from django.utils import timezone

    from accounts.models import User
    from videos.models import Video

    owner = User.objects.create_user(username="drill-creator", email="creator@drill.example")
    clip = make_clip()
    only = os.environ.get("DRILLS_ONLY", "")  # e.g. "redis": one drill, while working on it
    results = dict.fromkeys(
        ["worker_kill_lost", "worker_kill_duplicated", "redis_outage_errors_after",
         "db_restart_errors_after"], 0) | {"restore_identical": 1}  # fmt: skip
    try:
        if only in ("", "workers"):
            lost, duplicated = drill_worker_kill(owner, clip)
            results.update(worker_kill_lost=lost, worker_kill_duplicated=duplicated)
        # A published, ready video for the pages of the next drills (whatever drill 1 gave).
        video = Video.objects.filter(status=Video.Status.READY).first() or Video.objects.create(
            owner=owner, title="Drill page", status=Video.Status.READY, width=270, height=480,
            duration=3.0, hls_master="videos/x/v1/master.m3u8", mp4="videos/x/v1/fallback.mp4",
            poster="videos/x/v1/poster.jpg",
        )  # fmt: skip
        Video.objects.filter(pk=video.pk).update(published_at=timezone.now())
        if only in ("", "redis"):
            results["redis_outage_errors_after"] = drill_redis_outage(video)
        if only in ("", "restore", "postgres"):
            identical, backups = drill_backup_restore()
            results["restore_identical"] = identical
        if only in ("", "postgres"):
            results["db_restart_errors_after"] = drill_db_restart(backups, video.short_id)
    finally:
        for process in list(reversed(STARTED)):
            stop(process)
        from django.db import connections

        connections.close_all()
        with contextlib.suppress(subprocess.CalledProcessError):
            _pg(["dropdb", "--if-exists", "--force", PG_DBNAME], PG_URL)
        if os.environ.get("DRILLS_KEEP") != "1":
            shutil.rmtree(WORK, ignore_errors=True)
    log(f"drills took {time.monotonic() - started:.0f} s")
    passed = (
        results["worker_kill_lost"] == 0
        and results["worker_kill_duplicated"] == 0
        and results["redis_outage_errors_after"] == 0
        and results["db_restart_errors_after"] == 0
        and results["restore_identical"] == 1
    )
    print("RESULT " + " ".join(f"{k}={results[k]}" for k in (
        "worker_kill_lost", "worker_kill_duplicated", "redis_outage_errors_after",
        "db_restart_errors_after", "restore_identical")))  # fmt: skip
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
