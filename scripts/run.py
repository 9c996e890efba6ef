"""`make run`: migrate, create the demo accounts, then serve the site and a Celery worker.

The site is served over ASGI by uvicorn (HTTP and WebSockets) on http://127.0.0.1:8000; the
worker runs beside it, with the broker the settings chose (files under var/ when there is no
Redis). Ctrl-C stops both.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--noinput")
    manage("seed_accounts", "--quiet-if-exists")
    # A newcomer should see a living site: a small demo set, only into an empty database.
    manage("seed_demo", "--if-empty", "--users", "24", "--videos", "90", "--interactions", "900")
    # ... and a For You model trained on it, rather than waiting a day for the beat task.
    manage("train_recs", "--if-missing")
    print(
        f"\nMicrovid is starting on http://{HOST}:{PORT}/\n"
        "  Log in as alice (creator), bob (viewer) or mod (moderator, /admin/),"
        " password 'microvid-demo'.\n"
        "  Your own superuser: .venv/bin/python manage.py createsuperuser\n"
        "  Emails (sign-up verification, password reset) are printed below.\n",
        flush=True,
    )
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "microvid", "worker", "--loglevel=INFO", "--concurrency=1",
         "--queues", "celery,transcode",
         "--beat", "--schedule", str(ROOT / "var" / "celerybeat-schedule")],
        cwd=ROOT,
    )  # fmt: skip
    server = subprocess.Popen(
        # The client's address comes from X-Forwarded-For by TRUSTED_PROXY_COUNT, in Django
        # (core.net.client_ip): uvicorn must not rewrite it first.
        [PY, "-m", "uvicorn", "microvid.asgi:application", "--host", HOST, "--port", PORT,
         "--no-proxy-headers",
         "--reload", "--reload-dir", str(ROOT), "--reload-exclude", ".venv/*",
         "--reload-exclude", "node_modules/*", "--reload-exclude", "var/*",
         "--reload-exclude", "media/*"],
        cwd=ROOT,
    )  # fmt: skip
    processes = [server, worker]

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    return max((process.returncode or 0) for process in processes)


if __name__ == "__main__":
    sys.exit(main())
