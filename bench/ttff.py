"""Time to first frame on the video page, under Chrome DevTools' network presets.

Makes a ready 5-second vertical video (1080x1920, through the real pipeline), serves the site
with its production ASGI server (uvicorn, DEBUG off, compressed static files), and loads the
video page in headless Chromium with a cold cache under network emulation. For each load it
measures the time from navigation start to the first decoded video frame
(requestVideoFrameCallback) and the bytes received before that frame.

Run: make bench-ttff (or .venv/bin/python bench/ttff.py [--runs N])
Last line: RESULT ttff_slow4g_ms=<median> ttff_fast4g_ms=<median> ttff_3g_ms=<median>
           bytes_before_first_frame=<median, Slow 4G>
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.production_site import free_port, prepare, production_env, wait_until_serving  # noqa: E402

# Chrome DevTools' current presets (latency in ms, throughput in bytes per second).
PROFILES = {
    "slow4g": {"latency": 562.5, "down": 1_440_000 / 8, "up": 675_000 / 8},
    "fast4g": {"latency": 165.0, "down": 8_100_000 / 8, "up": 1_350_000 / 8},
    "3g": {"latency": 2000.0, "down": 400_000 / 8, "up": 400_000 / 8},
}
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

# Registered before any page script: catches the <video> as it is parsed and records when its
# first frame is presented, relative to navigation start (performance.now()).
FIRST_FRAME_PROBE = """
(() => {
  const watch = (video) => {
    if (video.__probe) return;
    video.__probe = true;
    video.requestVideoFrameCallback(() => { window.__firstFrame = performance.now(); });
  };
  new MutationObserver(() => document.querySelectorAll('video').forEach(watch))
    .observe(document, {childList: true, subtree: true});
})();
"""


def make_clip(ffmpeg: str, path: Path) -> None:
    subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1080x1920:rate=30:duration=5",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=5",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip


def prepare_site(workdir: Path) -> tuple[dict, str]:
    """Environment for a production-mode site in `workdir`, and a ready video's short id."""
    env = production_env(
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        SERVE_MEDIA="true",
        CELERY_TASK_ALWAYS_EAGER="true",
        REDIS_URL=None,
    )
    prepare(env, workdir / "static")
    python = sys.executable
    clip = workdir / "vertical.mp4"
    from videos.ffmpeg_binary import ffmpeg_binary

    make_clip(ffmpeg_binary(), clip)
    script = f"""
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microvid.settings")
django.setup()
from django.core.management import call_command
from accounts.models import User
from videos.models import Video
User.objects.get_or_create(username="bench", defaults={{"email": "bench@example.com"}})
call_command("import_video", {str(clip)!r}, user="bench", title="Benchmark clip", publish=True,
             verbosity=0)
print(Video.objects.latest("created_at").short_id)
"""
    out = subprocess.run([python, "-c", script], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return env, out.stdout.strip().splitlines()[-1]


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "microvid.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log", "--no-proxy-headers"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    return wait_until_serving(server, port)


def measure(browser, url: str, profile: dict, verbose: bool = False) -> tuple[float, int]:
    # bypass_csp: the measuring probes are evaluated strings, which the site's
    # Content-Security-Policy (no eval) would refuse; the page itself loads as it always does.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": profile["latency"],
            "downloadThroughput": profile["down"],
            "uploadThroughput": profile["up"],
        },
    )
    log = []
    if verbose:
        for kind in ("requestWillBeSent", "responseReceived", "loadingFinished"):
            cdp.on(f"Network.{kind}", lambda e, kind=kind: log.append((e["timestamp"], kind, e)))
    received = []  # (monotonic seconds, bytes)
    cdp.on(
        "Network.dataReceived", lambda e: received.append((e["timestamp"], e["encodedDataLength"]))
    )
    starts = []
    cdp.on("Network.requestWillBeSent", lambda e: starts.append(e["timestamp"]))
    page.add_init_script(FIRST_FRAME_PROBE)
    page.goto(url, wait_until="commit", timeout=120_000)
    page.wait_for_function("window.__firstFrame !== undefined", timeout=120_000, polling=50)
    first_frame_ms = page.evaluate("window.__firstFrame")
    origin = starts[0] if starts else 0
    # Network timestamps start at the document request, close to navigation start.
    before = sum(size for stamp, size in received if (stamp - origin) * 1000 <= first_frame_ms)
    if verbose:
        urls = {}
        for stamp, kind, event in log:
            rid = event["requestId"]
            if kind == "requestWillBeSent":
                urls[rid] = event["request"]["url"].split("/")[-1][:40]
                detail = event["request"].get("headers", {}).get("Range", "")
            elif kind == "loadingFinished":
                detail = f"{event['encodedDataLength']} bytes"
            else:
                detail = event["response"]["status"]
            print(f"  {(stamp - origin) * 1000:7.0f} ms {kind:18s} {urls.get(rid, rid)} {detail}")
        print(f"  first frame at {first_frame_ms:.0f} ms")
    context.close()
    return first_frame_ms, before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="print each request's timing")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    workdir = Path(tempfile.mkdtemp(prefix="microvid-ttff-"))
    try:
        env, short_id = prepare_site(workdir)
        port = free_port()
        server = serve(env, port)
        url = f"http://127.0.0.1:{port}/v/{short_id}"
        results = {}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                measure(browser, url, PROFILES["fast4g"])  # warm the server, not the browser
                if args.verbose:
                    measure(browser, url, PROFILES["slow4g"], verbose=True)
                for name, profile in PROFILES.items():
                    samples = [measure(browser, url, profile) for _ in range(args.runs)]
                    times = [t for t, _ in samples]
                    sizes = [b for _, b in samples]
                    results[name] = (statistics.median(times), statistics.median(sizes))
                    print(
                        f"{name:7s} ttff median {statistics.median(times):7.0f} ms "
                        f"(min {min(times):.0f}, max {max(times):.0f}); bytes before first "
                        f"frame median {statistics.median(sizes):,.0f}",
                        flush=True,
                    )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"RESULT ttff_slow4g_ms={results['slow4g'][0]:.0f}"
        f" ttff_fast4g_ms={results['fast4g'][0]:.0f}"
        f" ttff_3g_ms={results['3g'][0]:.0f}"
        f" bytes_before_first_frame={results['slow4g'][1]:.0f}"
    )


if __name__ == "__main__":
    main()
