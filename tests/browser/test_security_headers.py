"""The pages work under the Content-Security-Policy (no violation on the main pages, the
player's nonce'd start script runs) and an injected inline script is blocked."""

import pytest

from tests.factories import PASSWORD, UserFactory, make_video
from tests.media import needs_media_edge
from videos import services

pytestmark = [pytest.mark.django_db(transaction=True), needs_media_edge]


@pytest.fixture
def video():
    alice = UserFactory(username="alice")
    video = services.video_process(video_id=make_video(alice, title="Policy clip").pk)
    return services.video_publish(video=video, by=alice)


def _watch_violations(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return violations


def test_main_pages_load_without_csp_violations(live_server, new_context, video):
    context = new_context()
    page = context.new_page()
    violations = _watch_violations(page)
    bob = UserFactory(username="bob")
    for path in ["/", f"/v/{video.short_id}", "/search?q=policy", "/accounts/login/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    # The player's inline start script carries the nonce: it ran and playback started.
    page.goto(f"{live_server.url}/v/{video.short_id}")
    page.wait_for_function("() => document.querySelector('video.player').currentTime > 0.2")
    # Signed in: the upload page.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or email").fill(bob.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/upload/")
    page.wait_for_load_state("networkidle")

    assert violations == []


def test_an_injected_inline_script_is_blocked(live_server, new_context, video):
    page = new_context().new_page()
    page.goto(f"{live_server.url}/v/{video.short_id}")
    violations = _watch_violations(page)

    page.evaluate(
        """() => {
            window.__violations = 0;
            document.addEventListener('securitypolicyviolation', () => window.__violations++);
            const injected = document.createElement('div');
            injected.innerHTML = '<img src=x onerror="window.__xss = 1">';
            document.body.appendChild(injected);
            const script = document.createElement('script');
            script.textContent = 'window.__xss = 2';
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(500)

    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__violations") >= 2
    assert violations
