"""Horizontal scaling, proven on one machine: two web instances and two workers, all separate
processes, sharing one PostgreSQL, one Redis and one S3-compatible server (moto's), behave as
one site. A session made on A is signed in on B; a like posted to A reaches a socket open on B;
an upload accepted by A is processed once, by either worker, and served by both.

Runs on the PostgreSQL + Redis run only (DATABASE_URL and REDIS_URL). The site under test gets
a database of its own (DATABASE_URL's name + "_horizontal", created and dropped here), the next
Redis database number after REDIS_URL's (or HORIZONTAL_REDIS_URL; it is emptied first: the
test session's own cache clears REDIS_URL's between tests) and a bucket on a moto server.
Everything listens on 127.0.0.1. docs/deploy.md explains what this proves.
"""

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from bench.production_site import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BUCKET = "microvid-horizontal"
STARTUP_S = 60.0  # four processes start at once on a shared 2-core machine
PROCESSED_S = 60.0  # one 2-second clip, transcoded by a worker
REQUEST_S = 15.0
# As compose.yaml's bucket and docs/deploy.md's CDN: processed files and avatars are public,
# uploaded originals (uploads/) are not.
PUBLIC_READS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": [f"arn:aws:s3:::{BUCKET}/videos/*", f"arn:aws:s3:::{BUCKET}/avatars/*"],
        }
    ],
}


@dataclass
class Site:
    """The processes of one site: web instances A and B, workers 1 and 2."""

    env: dict
    database_url: str
    s3_endpoint: str
    logs: Path
    web: dict = field(default_factory=dict)  # name -> base URL
    workers: list = field(default_factory=list)  # worker names
    processes: list = field(default_factory=list)

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        logfile = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=logfile, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its children
        )  # fmt: skip
        logfile.close()
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log_tails(self, lines: int = 15) -> str:
        return "\n".join(
            f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            for path in sorted(self.logs.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes.clear()


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def _site_redis_url(test_redis_url: str) -> str:
    if os.environ.get("HORIZONTAL_REDIS_URL"):
        return os.environ["HORIZONTAL_REDIS_URL"]
    parsed = urlparse(test_redis_url)
    number = int(parsed.path.strip("/") or 0)
    return urlunparse(parsed._replace(path=f"/{(number + 1) % 16}"))


def _psql_args(url: str) -> list[str]:
    parsed = urlparse(url)
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    return [*args, "-U", parsed.username or "postgres"]


def _pg(command: str, url: str, *args: str) -> None:
    env = {
        **os.environ,
        **({"PGPASSWORD": urlparse(url).password} if urlparse(url).password else {}),
    }
    subprocess.run([command, *_psql_args(url), *args], env=env, check=True, capture_output=True,
                   timeout=60)  # fmt: skip


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120)


CREATE_USERS = """
from datetime import timedelta
import os
from allauth.account.models import EmailAddress
from django.utils import timezone
from accounts.models import User
for name in ("alice", "bob"):
    user = User.objects.create_user(
        username=name, email=f"{name}@horizontal.example", password=os.environ["SITE_PASSWORD"],
        date_joined=timezone.now() - timedelta(days=30),
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
"""


def _wait_for_web(site: Site, name: str, process: subprocess.Popen, base: str) -> None:
    import httpx

    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"web {name} stopped while starting:\n{site.log(name)}"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz/live", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"web {name} did not answer within {STARTUP_S:.0f} s:\n{site.log(name)}")


def _wait_for_worker(site: Site, name: str, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if " ready." in site.log(name):
            return
        assert process.poll() is None, f"worker {name} stopped while starting:\n{site.log(name)}"
        time.sleep(0.2)
    pytest.fail(f"worker {name} was not ready within {STARTUP_S:.0f} s:\n{site.log(name)}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import boto3
    import redis
    from django.conf import settings
    from moto.server import ThreadedMotoServer

    work = tmp_path_factory.mktemp("horizontal")
    logs = work / "logs"
    logs.mkdir()
    test_url = os.environ["DATABASE_URL"]
    site_db = urlparse(test_url).path.strip("/") + "_horizontal"
    database_url = _with_database(test_url, site_db)
    redis_url = _site_redis_url(settings.REDIS_URL)

    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto_port}"
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "CELERY_", "DJANGO_", "PYTEST_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "microvid.settings",
            "DJANGO_DEBUG": "false",
            # One secret for every instance: anything one signs, the others must accept.
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            # Nothing may fall back to a local folder: these exist only to catch it.
            "MEDIA_ROOT": str(work / "media-must-stay-empty"),
            "PRIVATE_MEDIA_ROOT": str(work / "private-media-must-stay-empty"),
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "plain",
            "SITE_PASSWORD": secrets.token_urlsafe(16),
        }
    )
    site = Site(env=env, database_url=database_url, s3_endpoint=endpoint, logs=logs)
    try:
        s3 = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READS))
        redis.Redis.from_url(redis_url).flushdb()
        _pg("dropdb", test_url, "--if-exists", "--force", site_db)
        _pg("createdb", test_url, site_db)
        subprocess.run([PY, "scripts/compile_locales.py"], cwd=ROOT, check=True, timeout=60)
        _manage(env, "migrate", "--noinput", "-v0")
        # The users, while the site's processes start: the real commands (docs/deploy.md),
        # all four at once.
        users = site.start("create-users", [PY, "manage.py", "shell", "-c", CREATE_USERS])
        starting = {}
        for name in ("a", "b"):
            port = free_port()
            site.web[name] = f"http://127.0.0.1:{port}"
            starting[name] = site.start(
                f"web-{name}",
                [PY, "-m", "uvicorn", "microvid.asgi:application", "--host", "127.0.0.1",
                 "--port", str(port), "--log-level", "warning"],
            )  # fmt: skip
        for name in ("worker-1", "worker-2"):
            site.workers.append(name)
            starting[name] = site.start(
                name,
                [PY, "-m", "celery", "-A", "microvid", "worker", "--queues", "transcode,celery",
                 "--concurrency", "1", "--loglevel", "INFO", "--hostname", f"{name}@%h"],
            )  # fmt: skip
        for name, base in site.web.items():
            _wait_for_web(site, f"web-{name}", starting[name], base)
        deadline = time.monotonic() + STARTUP_S
        for name in site.workers:
            _wait_for_worker(site, name, starting[name], deadline)
        assert users.wait(timeout=STARTUP_S) == 0, site.log("create-users")
        yield site
    finally:
        site.stop()
        moto.stop()
        with contextlib.suppress(subprocess.SubprocessError):
            _pg("dropdb", test_url, "--if-exists", "--force", site_db)
        with contextlib.suppress(Exception):
            redis.Redis.from_url(redis_url).flushdb()


class Browser:
    """One person's HTTP client for one instance, sending the cookies it is given."""

    def __init__(self, base: str, cookies: dict | None = None):
        import httpx

        self.base = base
        self.client = httpx.Client(base_url=base, timeout=REQUEST_S, cookies=cookies or {})

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post_form(self, page: str, action: str, data: dict, files: dict | None = None):
        """Read `page` for its CSRF token, then post `data` to `action` as its form does."""
        html = self.get(page).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, f"no CSRF token on {self.base}{page}"
        return self.client.post(
            action,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            files=files,
            headers={"Origin": self.base, "Referer": f"{self.base}{page}"},
        )

    def log_in(self, username: str, password: str) -> str:
        response = self.post_form(
            "/accounts/login/", "/accounts/login/", {"login": username, "password": password}
        )
        assert response.status_code == 302, response.text[-2000:]
        return self.client.cookies["sessionid"]


def _video_row(database_url: str, short_id: str) -> tuple[str, str, str]:
    """The video's status, failure reason and original's name, as the site stored them."""
    import psycopg

    with psycopg.connect(database_url, connect_timeout=5) as connection:
        row = connection.execute(
            "SELECT status, failure_reason, source FROM videos_video WHERE short_id = %s",
            [short_id],
        ).fetchone()
    return row or ("", "", "")


@pytest.fixture(scope="module")
def uploaded(site, tmp_path_factory):
    """A clip uploaded through A by alice, processed by a worker and published through B."""
    from videos import demo_clips

    clip = demo_clips.make_clip(
        tmp_path_factory.mktemp("clip") / "clip.mp4", recipe=demo_clips.RECIPES[0], seconds=2.0
    )
    on_a = Browser(site.web["a"])
    session = on_a.log_in("alice", site.env["SITE_PASSWORD"])
    form = on_a.get("/upload/").text
    upload_token = re.search(r'name="upload_token" value="([^"]+)"', form).group(1)
    with clip.open("rb") as handle:
        response = on_a.post_form(
            "/upload/", "/upload/",
            {"title": "Two instances", "visibility": "public", "comments_enabled": "on",
             "upload_token": upload_token},
            files={"file": ("clip.mp4", handle, "video/mp4")},
        )  # fmt: skip
    assert response.status_code == 302, response.text[-2000:]
    short_id = re.fullmatch(r"/studio/([^/]+)/", response.headers["Location"]).group(1)

    deadline = time.monotonic() + PROCESSED_S
    status, reason, _ = _video_row(site.database_url, short_id)
    while status != "ready" and time.monotonic() < deadline:
        assert status != "failed", f"processing failed: {reason}\n{site.log_tails()}"
        time.sleep(0.3)
        status, reason, _ = _video_row(site.database_url, short_id)
    assert status == "ready", f"not processed in {PROCESSED_S:.0f} s:\n{site.log_tails()}"

    on_b = Browser(site.web["b"], cookies={"sessionid": session})
    published = on_b.post_form(
        f"/studio/{short_id}/", f"/studio/{short_id}/publish", {"when": "now"}
    )
    assert published.status_code == 302, published.text[-2000:]
    return short_id, session


def test_both_instances_report_the_same_services_healthy(site):
    import httpx

    for base in site.web.values():
        health = httpx.get(f"{base}/healthz", timeout=REQUEST_S)
        assert health.status_code == 200, health.text
        assert {name for name, check in health.json()["checks"].items() if check["ok"]} == {
            "database", "cache", "broker"
        }  # fmt: skip


def test_a_session_made_on_a_is_signed_in_on_b(site):
    session = Browser(site.web["a"]).log_in("bob", site.env["SITE_PASSWORD"])

    signed_in = Browser(site.web["b"], cookies={"sessionid": session}).get("/studio/")
    anonymous = Browser(site.web["b"]).get("/studio/")

    assert signed_in.status_code == 200
    assert 'href="/@bob"' in signed_in.text  # "My profile", in the signed-in menu
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/accounts/login/")


def test_an_upload_to_a_is_processed_once_by_either_worker(site, uploaded):
    succeeded = re.compile(r"Task videos\.tasks\.process_video\[[^\]]+\] succeeded")

    def processed_by():
        return {name: len(succeeded.findall(site.log(name))) for name in site.workers}

    # The worker logs the task's end just after the video became ready.
    deadline = time.monotonic() + REQUEST_S
    while not any(processed_by().values()) and time.monotonic() < deadline:
        time.sleep(0.2)

    assert sorted(processed_by().values()) == [0, 1], processed_by()


def test_the_upload_is_served_by_both_instances_from_shared_storage(site, uploaded):
    import httpx

    short_id, _ = uploaded
    media = {}
    for name, base in site.web.items():
        page = Browser(base).get(f"/v/{short_id}")  # anonymous: the video is public now
        assert page.status_code == 200, f"{name}: {page.status_code}"
        mp4 = re.search(r'<video [^>]*\bsrc="([^"]+)"', page.text).group(1)
        poster = re.search(r'<meta property="og:image" content="([^"]+)"', page.text).group(1)
        media[name] = (mp4.replace("&amp;", "&"), poster.replace("&amp;", "&"))

    assert media["a"] == media["b"]
    mp4_url, poster_url = media["a"]
    assert mp4_url.startswith(f"{site.s3_endpoint}/{BUCKET}/"), mp4_url
    mp4 = httpx.get(mp4_url, timeout=REQUEST_S)
    poster = httpx.get(poster_url, timeout=REQUEST_S)
    assert mp4.status_code == 200
    assert mp4.content[4:8] == b"ftyp"
    assert poster.status_code == 200
    assert poster.content[:2] == b"\xff\xd8"
    # The uploaded original is in the same bucket, and not readable by anyone.
    source = _video_row(site.database_url, short_id)[2]
    assert source.startswith("uploads/")
    assert httpx.get(f"{site.s3_endpoint}/{BUCKET}/{source}", timeout=REQUEST_S).status_code == 403
    # Nothing was written to a local folder of any process: all media live in the bucket.
    assert not Path(site.env["MEDIA_ROOT"]).exists()
    assert not Path(site.env["PRIVATE_MEDIA_ROOT"]).exists()


def test_a_like_posted_on_a_reaches_a_socket_open_on_b(site, uploaded):
    from websockets.sync.client import connect

    short_id, creator_session = uploaded
    b = site.web["b"]
    liker = Browser(site.web["a"])
    liker.log_in("bob", site.env["SITE_PASSWORD"])
    url = b.replace("http://", "ws://") + f"/ws/videos/{short_id}/"
    headers = {"Cookie": f"sessionid={creator_session}", "Origin": b}

    with connect(url, additional_headers=headers, open_timeout=REQUEST_S) as socket:
        time.sleep(1)  # the group subscription reaches Redis
        liked = liker.post_form(f"/v/{short_id}", f"/v/{short_id}/like", {})
        assert liked.status_code == 302, liked.text[-2000:]
        received = []
        deadline = time.monotonic() + REQUEST_S
        while time.monotonic() < deadline:
            try:
                message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            except TimeoutError:
                break
            received.append(message)
            items = message.get("items", [])
            if any(i["target"] == f"like-count-{short_id}" and ">1 like<" in i["html"]
                   for i in items):  # fmt: skip
                break

    assert any(
        item["target"] == f"like-count-{short_id}" and ">1 like<" in item["html"]
        for message in received
        for item in message.get("items", [])
    ), received
