"""Real-browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import http.server
import os
import shutil
import threading
import time

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API runs an event loop in this thread; the tests still use the ORM
# between browser steps, which is safe here because nothing else runs in this loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def js_enabled(request):
    return request.param


@pytest.fixture
def new_context(browser):
    """Make browser contexts (phone-sized by default) that are closed after the test.

    Before closing, the pages' last watch-event beacons are dropped, so that no request
    reaches the test server after the test's database is gone.
    """
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 390, "height": 844})
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        if options.get("java_script_enabled") is False:
            _SCRIPTLESS_CONTEXTS.add(id(context))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        _SCRIPTLESS_CONTEXTS.discard(id(context))
        context.route("**/events", lambda route: route.abort())
        for open_page in context.pages:
            open_page.goto("about:blank")
        context.close()
    _wait_for_the_test_server_to_finish_its_requests()


def _wait_for_the_test_server_to_finish_its_requests(timeout: float = 5.0) -> None:
    # The live server answers each connection in a thread of its own. One still answering (a
    # polling request, a media range) when the test's database is flushed finds its tables
    # locked (SQLite) and breaks the next tests. Closing the browser context closes its
    # connections, so these threads end within milliseconds.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in thread.name for thread in threading.enumerate()):
            return
        time.sleep(0.02)


@pytest.fixture
def page(new_context, js_enabled):
    """A phone-sized page in a fresh browser context, with JavaScript on or off."""
    page = new_context(java_script_enabled=js_enabled).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


_axe = Axe()
_SCRIPTLESS_CONTEXTS: set[int] = set()


def assert_accessible(page):
    """axe-core finds no violations on the page as it is now.

    axe runs in the page; where JavaScript is off, the same DOM is checked in a scripted page
    of the same origin, so that the styles and relative URLs resolve as they did.
    """
    if id(page.context) not in _SCRIPTLESS_CONTEXTS:
        results = _axe.run(page)
    else:
        checker = page.context.browser.new_context(viewport=page.viewport_size)
        try:
            checked = checker.new_page()
            checked.goto(page.url)  # same origin, so the stylesheet and images load
            checked.set_content(page.content(), wait_until="load")
            results = _axe.run(checked)
        finally:
            checker.close()
    assert results.violations_count == 0, results.generate_report()


def open_account_menu(page):
    """Open the header's account menu (a <details>, so this works with JavaScript off too)."""
    page.wait_for_load_state("domcontentloaded")
    menu = page.locator("details.account-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return page.get_by_role("navigation", name="Main")


@pytest.fixture(scope="session")
def demo_clip(tmp_path_factory):
    """A 2-second portrait clip with sound, made with FFmpeg once per test session."""
    from videos import demo_clips

    path = tmp_path_factory.mktemp("clips") / "sunset.mp4"
    return demo_clips.make_clip(path, recipe=demo_clips.RECIPES[0], seconds=2.0)


def processed_video(owner, clip, **fields):
    """A video made from `clip` and processed by the real pipeline (still a draft)."""
    from django.core.files.base import ContentFile

    from videos import services
    from videos.models import Video

    video = Video(owner=owner, **fields)
    video.source.save("source", ContentFile(clip.read_bytes()), save=False)
    video.save()
    return services.video_process(video_id=video.pk)


def log_in(context, base_url, username):
    """A new page of `context`, signed in as `username` (a session made by the test client,
    so that it works in any language and without JavaScript)."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])
    return context.new_page()


def assert_in_first_screen(page, locator, viewport, what):
    """`locator` is visible and wholly inside the first viewport (no scrolling)."""
    locator.wait_for(state="visible")
    box = locator.bounding_box()
    assert box is not None, f"{what} has no box"
    assert box["x"] >= 0 and box["y"] >= 0, f"{what} starts off screen: {box}"
    assert box["x"] + box["width"] <= viewport["width"] + 0.5, f"{what} overflows: {box}"
    assert box["y"] + box["height"] <= viewport["height"] + 0.5, f"{what} below the fold: {box}"


@pytest.fixture
def another_site():
    """Serve a given HTML page from another origin, as a real server on loopback.

    A page made by `route.fulfill` or `set_content` has no network address, so Chromium treats
    it as a public site and Local Network Access blocks its frames from loading this machine's
    test server; a real server on 127.0.0.2 is a loopback site like the test server.
    """
    servers = []

    def serve(html: str) -> str:
        body = html.encode()

        class OnePage(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep the test output quiet
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.2", 0), OnePage)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.2:{server.server_address[1]}/another-site"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
