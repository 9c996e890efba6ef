"""Screenshots of the main pages for the README and docs, made from the real site.

Seeds a site of its own (a temporary SQLite database and media folder: the demo accounts and
`seed_demo`'s clips), serves it as `make run` does (uvicorn, development settings: the demo
accounts are refused in production), and photographs it with
Playwright driving Debian's Chromium (never a downloaded browser), on a phone (390x844) and a
desktop (1366x900), one in Arabic, and the moderation console in admin with a few reports
filed by the demo viewers. Writes PNGs into docs/img/.

    .venv/bin/python scripts/screenshots.py [--out docs/img]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.production_site import free_port, wait_until_serving  # noqa: E402

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# (file name, path, viewport, language, signed in as)
SHOTS = [
    ("home-phone.png", "/", PHONE, "en", None),
    ("home-desktop.png", "/", DESKTOP, "en", None),
    ("watch-phone.png", "{video}", PHONE, "en", "bob"),
    ("watch-desktop.png", "{video}", DESKTOP, "en", "bob"),
    ("watch-phone-ar.png", "{video}", PHONE, "ar", "bob"),
    ("search-phone.png", "/search?q=sunst", PHONE, "en", None),
    ("studio-desktop.png", "/studio/", DESKTOP, "en", "alice"),
    ("moderation-queue-desktop.png", "/admin/moderation/report/", DESKTOP, "en", "mod"),
    ("moderation-report-desktop.png", "/admin/moderation/report/{report}/change/", DESKTOP, "en",
     "mod"),
    ("moderation-overview-desktop.png", "/admin/moderation/report/overview/", DESKTOP, "en",
     "mod"),
]  # fmt: skip
# Reports for the console's screenshots: (reporter, reason, note), all on the watch page's video;
# a reporter of None is one of seed_demo's viewers.
REPORTS = [
    ("bob", "spam", "Posted the same clip five times today."),
    (None, "misinformation", ""),
]


def seed(env: dict) -> tuple[str, int]:
    """The demo accounts, videos and a few reports; returns the path of a video of alice's and
    the id of a report on it."""
    python = sys.executable
    manage = [python, "manage.py"]
    subprocess.run([*manage, "seed_accounts", "--quiet-if-exists"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--users", "8", "--videos", "30", "--interactions", "300"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    script = (
        "import django; django.setup();"
        "from videos.models import Video;"
        "v = Video.objects.filter(owner__username='alice', published_at__isnull=False,"
        " height__gt=640).exclude(title__startswith='Demo clip').order_by('-like_count').first()"
        " or Video.objects.filter(owner__username='alice').first();"
        "from accounts.models import User; from moderation.services import report_create;"
        "others = User.objects.exclude(username__in=['alice', 'bob', 'mod']).order_by('pk');"
        "reporter = lambda u: others.first() if u is None else User.objects.get(username=u);"
        f"reports = [report_create(reporter=reporter(u), reason_code=r, video=v, note=n)"
        f" for u, r, n in {REPORTS!r}];"
        "print(v.short_id, reports[0].pk)"
    )
    out = subprocess.run([python, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    short_id, report = out.stdout.strip().splitlines()[-1].split()
    return f"/v/{short_id}", int(report)


def session_cookie(env: dict, username: str) -> str:
    script = (
        "import django; django.setup();"
        "from django.test import Client; from accounts.models import User;"
        "from django.conf import settings;"
        f"c = Client(); c.force_login(User.objects.get(username={username!r}));"
        "print(settings.SESSION_COOKIE_NAME, c.cookies[settings.SESSION_COOKIE_NAME].value)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    name, value = out.stdout.strip().splitlines()[-1].split(" ", 1)
    return {"name": name, "value": value}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"))
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Debian's chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="microvid-shots-") as work:
        workdir = Path(work)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "microvid.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "WARNING",
        }
        for name in ("DJANGO_ENV", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME"):
            env.pop(name, None)
        subprocess.run([sys.executable, "scripts/compile_locales.py"], cwd=ROOT, check=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
        video, report = seed(env)
        cookies = {name: session_cookie(env, name) for name in ("alice", "bob", "mod")}
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "microvid.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--no-proxy-headers", "--log-level", "warning",
             "--no-access-log"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(server, port, timeout=180)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium,
                    args=["--headless=new", "--no-sandbox", "--disable-gpu",
                          "--autoplay-policy=no-user-gesture-required"],
                )  # fmt: skip
                for name, path, viewport, language, user in SHOTS:
                    context = browser.new_context(
                        viewport=viewport, locale=language, color_scheme="light"
                    )
                    jar = [{"name": "django_language", "value": language, "url": base}]
                    if user:
                        jar.append({**cookies[user], "url": base})
                    context.add_cookies(jar)
                    page = context.new_page()
                    page.goto(base + path.format(video=video, report=report), wait_until="load")
                    page.wait_for_timeout(1200)  # the first frames of the video
                    page.screenshot(path=str(out / name))
                    context.close()
                    print(f"wrote {out / name}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
