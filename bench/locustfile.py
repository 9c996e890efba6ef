"""Locust users of bench-load (bench/load.py starts the site and runs this file headless).

Each simulated person: opens For You (signed in for 90%, with a session bench/load.py made),
then over and over watches the current card for about five seconds (fetching the MP4's first
bytes as a player does, or for a third of them the HLS master, a variant playlist and its first
segments, through the site's media path), swipes to the next card, likes one in ten, comments
one in fifty, searches one in twenty, and scrolls to the next page of the feed when the cards
run out. A few keep a WebSocket open on the video they watch; a few upload a clip once.

Every request is recorded (name, milliseconds, failed) and a summary is written as JSON to
LOAD_SUMMARY_FILE when the run ends.
"""

import html
import json
import os
import random
import re
import threading
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task

SESSIONS = json.loads(Path(os.environ["LOAD_SESSIONS_FILE"]).read_text())
UPLOAD_CLIP = Path(os.environ["LOAD_UPLOAD_CLIP"])
SIGNED_IN_SHARE = 0.9
SOCKET_SHARE = 0.02
UPLOADERS = int(os.environ.get("LOAD_UPLOADERS", "3"))
SEARCH_WORDS = ["cats", "rain", "golden", "kitchen", "danc", "sunset morning", "#music", "puppy"]
CARD_RE = re.compile(r'aria-labelledby="card-([A-Za-z0-9_-]+)"')
NEXT_RE = re.compile(r'class="feed-more[^"]*" href="([^"]+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MEDIA_MP4 = "/media/videos/bench/video.mp4"
MEDIA_HLS = "/media/videos/bench/master.m3u8"

_records: list[tuple[str, float, bool]] = []
_lock = threading.Lock()
_people = iter(range(10**9))


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    with _lock:
        _records.append((name, response_time, exception is not None))


@events.quitting.add_listener
def _summarize(environment, **kwargs):
    Path(os.environ["LOAD_SUMMARY_FILE"]).write_text(json.dumps(_records))


class Person(FastHttpUser):
    wait_time = constant(0)
    # Connection errors are failures, not crashes of the simulated person.
    network_timeout = 30.0
    connection_timeout = 30.0

    def on_start(self):
        self.number = next(_people)
        self.session = random.choice(SESSIONS) if random.random() < SIGNED_IN_SHARE else None
        self.headers = {"X-Forwarded-Proto": "https", "Origin": f"https://{self.host_name}"}
        if self.session:
            self.headers["Cookie"] = f"sessionid={self.session}"
        self.cards, self.next_url, self.csrf = [], None, None
        self.socket = None
        self.open_page("/", "page:for_you")
        if self.session and self.number < UPLOADERS:
            self.upload()
        if random.random() < SOCKET_SHARE and self.cards:
            gevent.spawn(self.hold_socket, self.cards[0])

    @property
    def host_name(self):
        return self.host.split("://", 1)[1]

    def get(self, path, name, **headers):
        return self.client.get(path, name=name, headers={**self.headers, **headers})

    def post(self, path, name, data):
        body = "&".join(f"{k}={v}" for k, v in data.items())
        headers = {**self.headers, "Content-Type": "application/x-www-form-urlencoded"}
        if self.csrf_cookie:
            headers["Cookie"] = f"{headers.get('Cookie', '')}; csrftoken={self.csrf_cookie}"
        return self.client.post(path, name=name, data=body, headers=headers)

    @property
    def csrf_cookie(self):
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return None

    def read_page(self, text):
        self.cards = CARD_RE.findall(text)
        found = NEXT_RE.search(text)
        self.next_url = html.unescape(found.group(1)) if found else None
        token = CSRF_RE.search(text)
        if token:
            self.csrf = token.group(1)

    def open_page(self, path, name):
        response = self.get(path, name)
        if response.status_code == 200:
            self.read_page(response.text)

    def watch(self, short_id):
        if random.random() < 2 / 3:
            self.get(MEDIA_MP4, "media:mp4", Range="bytes=0-262143")
        else:
            master = self.get(MEDIA_HLS, "media:hls")
            variants = [line for line in master.text.splitlines() if line.endswith(".m3u8")]
            if variants:
                base = MEDIA_HLS.rsplit("/", 1)[0]
                playlist = self.get(f"{base}/{variants[0]}", "media:hls_playlist")
                folder = f"{base}/{variants[0].rsplit('/', 1)[0]}" if "/" in variants[0] else base
                parts = [
                    line for line in playlist.text.splitlines() if line and not line.startswith("#")
                ]
                for part in parts[:2]:
                    self.get(f"{folder}/{part}", "media:hls_segment")
        gevent.sleep(random.uniform(4.0, 6.0))

    @task
    def session_step(self):
        if not self.cards:
            if self.next_url:
                self.open_page(self.next_url, "page:for_you_next")
            else:
                self.open_page("/", "page:for_you")
            if not self.cards:
                gevent.sleep(1)
                return
        short_id = self.cards.pop(0)
        self.watch(short_id)
        roll = random.random()
        if self.session and self.csrf and roll < 0.1:
            self.post(f"/v/{short_id}/like", "post:like",
                      {"csrfmiddlewaretoken": self.csrf, "next": "/"})  # fmt: skip
        if self.session and self.csrf and random.random() < 0.02:
            self.post(f"/v/{short_id}/comments", "post:comment",
                      {"csrfmiddlewaretoken": self.csrf, "body": "Nice+one"})  # fmt: skip
        if random.random() < 0.05:
            query = random.choice(SEARCH_WORDS).replace(" ", "+").replace("#", "%23")
            self.get(f"/search?q={query}", "page:search")

    def upload(self):
        page = self.get("/upload/", "page:upload_form")
        token = CSRF_RE.search(page.text or "")
        if page.status_code != 200 or not token:
            return
        boundary = "----microvidbench" + str(random.getrandbits(48))
        fields = {"csrfmiddlewaretoken": token.group(1), "title": "Load test clip",
                  "description": "", "visibility": "public", "comments_enabled": "on"}  # fmt: skip
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{UPLOAD_CLIP.name}"\r\nContent-Type: video/mp4\r\n\r\n'.encode()
            + UPLOAD_CLIP.read_bytes()
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        if self.csrf_cookie:
            headers["Cookie"] = f"{headers.get('Cookie', '')}; csrftoken={self.csrf_cookie}"
        self.client.post("/upload/", name="post:upload", data=b"".join(parts), headers=headers)

    def hold_socket(self, short_id):
        import websocket

        started = time.perf_counter()
        url = f"ws://{self.host_name}/ws/videos/{short_id}/"
        try:
            ws = websocket.create_connection(
                url, timeout=30, origin=f"https://{self.host_name}",
                cookie=self.headers.get("Cookie", "").replace("Cookie: ", ""),
                header=["X-Forwarded-Proto: https"],
            )  # fmt: skip
        except Exception as exc:
            events.request.fire(request_type="WS", name="ws:connect", response_time=0,
                                response_length=0, exception=exc)  # fmt: skip
            return
        events.request.fire(request_type="WS", name="ws:connect",
                            response_time=(time.perf_counter() - started) * 1000,
                            response_length=0, exception=None)  # fmt: skip
        ws.settimeout(1)
        try:
            while self.environment.runner and self.environment.runner.state != "stopped":
                try:
                    ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                except Exception:
                    break
        finally:
            ws.close()
