"""What the benchmarks that serve the site share: a production-mode environment for a site of
their own, its one-time preparation (translations, migrations, static files), a free port."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(**overrides: str | None) -> dict:
    """This process's environment plus production settings (DEBUG off, a fresh secret key,
    loopback hosts, quiet logs); an override of None removes that variable."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "microvid.settings",
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    # Benchmarks measure the site as deployed: never in debug mode, never on someone's bucket.
    env.pop("DJANGO_DEBUG", None)
    env.pop("AWS_STORAGE_BUCKET_NAME", None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def single_address_limits(*actions: str) -> dict:
    """Rate-limit overrides for a load that comes from one address standing for many people:
    the per-address limits are raised far above it (still counted, so their cost is measured).
    The per-user limits stay, since each simulated person is a user of their own."""
    return {f"RATELIMIT_{action.upper()}": "100000000/m/user_or_ip" for action in actions}


def prepare(env: dict, static_root: Path) -> None:
    """Compile the translations, migrate the database and collect the static files (into
    `static_root`, which is also set in `env`), as a deployment does before it serves."""
    env["DJANGO_STATIC_ROOT"] = str(static_root)
    python = sys.executable
    subprocess.run([python, "scripts/compile_locales.py"], cwd=ROOT, check=True)
    for command in (["migrate"], ["collectstatic"]):
        subprocess.run(
            [python, "manage.py", *command, "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )


def wait_until_serving(server: subprocess.Popen, port: int, timeout: float = 20.0):
    """Return `server` once its /healthz answers on `port`; kill it if it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            # As the TLS proxy in front of production says (the site redirects plain HTTP).
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
            )
            urllib.request.urlopen(request, timeout=1)  # noqa: S310 - fixed loopback URL
            return server
        except OSError:
            time.sleep(0.1)
    if server.poll() is None:
        server.kill()
    raise RuntimeError("the server did not start")


def serve_uvicorn(env: dict, port: int, workers: int, timeout: float = 60.0) -> subprocess.Popen:
    """Serve `microvid.asgi:application` as docs/operations.md starts it in production (uvicorn,
    one worker process per core, not trusting forwarded headers: the app reads them by
    TRUSTED_PROXY_COUNT), in its own process group; return it once
    /healthz answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "microvid.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-proxy-headers",
         "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        return wait_until_serving(server, port, timeout)
    except RuntimeError:
        stop(server)
        raise


def stop(server: subprocess.Popen) -> None:
    """Stop a server started in its own process group (TERM, then KILL after 15 s)."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return  # the group is gone already
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, for the report next to every number
    (the machine is shared: a number taken under load is not an idle machine's number)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"
