"""Live social features in two real browsers on the video page: Bob likes and comments, Carol
sees both appear without reloading; a double-click on the picture likes while a single click
still plays and pauses; and without JavaScript the forms still work and a reload shows the
latest state.

pytest-django's live_server speaks WSGI only, so the real ASGI application (HTTP and
WebSockets) is served by uvicorn in a thread of this process, on the test database."""

import re
import socket
import threading
import time

import pytest
import uvicorn
from django.db import connection
from django.test import Client
from playwright.sync_api import expect

from tests.browser.conftest import _SCRIPTLESS_CONTEXTS, assert_accessible
from tests.media import MEDIA_EDGE, needs_media_edge
from tests.social.conftest import video_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # WhiteNoise's static files reach uvicorn as a synchronous iterator: fine for tests.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


@pytest.fixture
def asgi_server(transactional_db, monkeypatch):
    from django.db import connections

    from microvid.asgi import application

    # The server's threads open their own connections: close them after each request, so
    # that none is left holding the test database when it is dropped (PostgreSQL).
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def signed_in_page(browser, base_url, user, *, js=True):
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        java_script_enabled=js, viewport={"width": 390, "height": 844}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    if not js:
        _SCRIPTLESS_CONTEXTS.add(id(context))  # axe then checks a scripted copy of the page
    # Watch events are another feature's; on SQLite's shared in-memory test database their
    # writes would only contend with the ones under test.
    context.route("**/events", lambda route: route.abort())
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def wait_until_live(page, video):
    page.wait_for_function(
        "path => window.MicrovidSocial && MicrovidSocial.isLive(path)",
        arg=f"/ws/videos/{video.short_id}/",
    )


def open_comments(page):
    """Open the video page's comments (a bottom sheet on a phone with JavaScript; without it
    the rail's Comments link jumps to the comments below the video)."""
    page.locator("[data-open-comments]").click()
    expect(page.locator(".comments h2")).to_be_visible()


def same_page(url):
    """`url`, or `url` with the #anchor a plain POST comes back to (without JavaScript)."""
    return re.compile(re.escape(url) + r"(#[-\w]+)?$")


def test_likes_and_comments_appear_live_in_another_browser(browser, asgi_server, alice, bob, carol):
    video = video_of(alice)
    url = f"{asgi_server}/v/{video.short_id}"
    bobs, carols = (signed_in_page(browser, asgi_server, user) for user in (bob, carol))
    for page in (bobs, carols):
        page.goto(url)
        wait_until_live(page, video)
    like_count = carols.locator(f"#like-count-{video.short_id}")
    expect(like_count).to_have_text("0 likes")

    # Bob likes: the button turns pressed for him, and Carol's count moves by itself.
    bobs.get_by_role("button", name="Like").click()
    expect(bobs.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    expect(like_count).to_have_text("1 like", timeout=5_000)

    # Bob comments, watching the counter; Carol sees it arrive, escaped and linked.
    open_comments(bobs)
    open_comments(carols)
    box = bobs.get_by_label("Add a comment")
    box.fill("x" * 195)
    expect(bobs.get_by_text("Characters left: 5")).to_be_visible()
    box.fill("Hello from <b>Bob</b>, @carol!")
    bobs.get_by_role("button", name="Post comment").click()
    expect(bobs.get_by_text("Hello from <b>Bob</b>, @carol!")).to_be_visible()
    expect(bobs.get_by_label("Add a comment")).to_have_value("")
    arrived = carols.locator(".comment__body", has_text="Hello from <b>Bob</b>")
    expect(arrived).to_be_visible(timeout=5_000)
    expect(arrived.get_by_role("link", name="@carol")).to_have_attribute("href", "/@carol")
    expect(carols.locator(f"#comment-count-{video.short_id}")).to_have_text("1 comment")
    expect(bobs.locator(".comment")).to_have_count(1)  # his own is not added twice
    assert_accessible(bobs)

    # Carol double-taps the player (player.js announces it as player:doubletap): a like.
    carols.locator("[data-player]").dispatch_event("player:doubletap")
    expect(carols.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    expect(bobs.locator(f"#like-count-{video.short_id}")).to_have_text("2 likes", timeout=5_000)

    # Alice's badge counts the news live.
    alices = signed_in_page(browser, asgi_server, alice)
    alices.goto(asgi_server + "/")
    alices.wait_for_function("() => MicrovidSocial.isLive('/ws/notifications/')")
    bobs.keyboard.press("Escape")  # closes the comments sheet, back to the rail
    bobs.get_by_role("button", name="Like").click()  # takes his like back: 2 unread left
    carols.reload()  # live comments come without the viewer's own actions (reply, delete)
    open_comments(carols)
    carols.locator(".comment__reply summary").click()
    carols.get_by_label("Your reply to Bob").fill("Hi Bob")
    carols.get_by_role("button", name="Reply", exact=True).click()
    expect(alices.locator("#notification-badge")).to_contain_text("3 unread", timeout=5_000)
    expect(bobs.locator(".comment--reply .comment__body")).to_have_text("Hi Bob", timeout=5_000)

    for page in (bobs, carols, alices):
        assert not page.errors, page.errors
        page.context.close()


def test_forms_work_with_and_without_javascript_and_a_reload_shows_the_latest(
    page, asgi_server, alice, bob, carol
):
    video = video_of(alice)
    url = f"{asgi_server}/v/{video.short_id}"
    client = Client()
    client.force_login(bob)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": asgi_server}]
    )
    page.context.route("**/events", lambda route: route.abort())
    page.goto(url)

    page.get_by_role("button", name="Like").click()
    expect(page).to_have_url(same_page(url))
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    open_comments(page)
    page.get_by_label("Add a comment").fill("y" * 201)
    page.get_by_role("button", name="Post comment").click()
    expect(
        page.get_by_text("Comments are at most 200 characters (this one has 201).")
    ).to_be_visible()
    assert_accessible(page)

    # Someone else comments (in another thread, like another request would).
    from social import services

    def write():
        try:
            services.comment_create(user=carol, video=video, body="Carol was here")
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join()
    page.goto(url)
    open_comments(page)
    expect(page.get_by_text("Carol was here")).to_be_visible()
    expect(page.locator(f"#comment-count-{video.short_id}")).to_have_text("1 comment")


def playable_video_of(owner):
    """A published video whose MP4 really plays (the player needs a picture to click on)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save(
        "videos/social-test/fallback.mp4",
        ContentFile((MEDIA_EDGE / "ok_square_no_audio_2s.mp4").read_bytes()),
    )
    return video_of(owner, mp4=name, width=320, height=320, duration=2.0)


@needs_media_edge
def test_double_click_on_the_picture_likes_and_a_single_click_still_plays(
    browser, asgi_server, alice, bob
):
    video = playable_video_of(alice)
    page = signed_in_page(browser, asgi_server, bob)
    page.goto(f"{asgi_server}/v/{video.short_id}")
    picture = page.locator("video.player")
    page.wait_for_function("() => document.querySelector('video.player').readyState >= 2")
    like = page.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")

    # One click is the player's: play or pause, no like.
    paused = picture.evaluate("v => v.paused")
    picture.click()
    page.wait_for_function(
        f"() => document.querySelector('video.player').paused === {'false' if paused else 'true'}"
    )
    page.wait_for_timeout(400)
    expect(like).to_have_attribute("aria-pressed", "false")

    # Two are a like, with a heart where the pointer is; playback is left as it was.
    paused = picture.evaluate("v => v.paused")
    picture.dblclick()
    expect(page.locator(".like-burst")).to_have_count(1)
    expect(like).to_have_attribute("aria-pressed", "true")
    assert picture.evaluate("v => v.paused") == paused
    expect(page.locator(f"#like-count-{video.short_id}")).to_have_text("1 like")

    # Double-clicking a liked video never takes the like back.
    page.wait_for_timeout(900)
    picture.dblclick()
    page.wait_for_timeout(500)
    expect(like).to_have_attribute("aria-pressed", "true")
    assert video.likes.count() == 1
    assert not page.errors, page.errors
    page.context.close()


def test_reduced_motion_still_likes_without_the_animation(browser, asgi_server, alice, bob):
    video = video_of(alice)
    page = signed_in_page(browser, asgi_server, bob)
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{asgi_server}/v/{video.short_id}")
    # The still heart stays for 0.6 s only: record each one as it is added, so that a slow
    # machine cannot miss it between two polls.
    page.evaluate(
        """id => {
            window.hearts = [];
            new MutationObserver(records => records.forEach(record =>
                record.addedNodes.forEach(node => {
                    if (node.classList && node.classList.contains("like-burst")) {
                        window.hearts.push(getComputedStyle(node).animationName);
                    }
                })
            )).observe(document.body, { childList: true, subtree: true });
            document.querySelector(`[data-player][data-video-id="${id}"]`)
                .dispatchEvent(new CustomEvent("player:doubletap", { bubbles: true }));
        }""",
        video.short_id,
    )
    page.wait_for_function("() => window.hearts.length > 0")
    assert page.evaluate("() => window.hearts") == ["none"]
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    page.context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_like_and_follow_from_a_feed_card_stay_on_the_feed(browser, asgi_server, alice, bob, js):
    video = video_of(alice, title="Card clip")
    page = signed_in_page(browser, asgi_server, bob, js=js)
    page.goto(f"{asgi_server}/latest")
    card = page.locator(".video-card", has_text="Card clip")

    card.get_by_role("button", name="Like “Card clip”").click()
    expect(card.get_by_role("button", name="Like “Card clip”")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(card.locator(f"#like-count-{video.short_id}")).to_have_text("1 like")
    card.get_by_role("button", name="Follow Alice").click()
    expect(card.get_by_role("button", name="Following Alice")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page).to_have_url(same_page(f"{asgi_server}/latest"))
    assert_accessible(page)

    page.goto(f"{asgi_server}/latest?view=watch")
    item = page.locator(".watch-item", has_text="Card clip")
    expect(item.get_by_role("button", name="Like “Card clip”")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(page)
    assert not page.errors, page.errors
    page.context.close()


def test_the_creators_analytics_page_counts_plays_and_likes_live(browser, asgi_server, alice, bob):
    import concurrent.futures
    import json
    import uuid

    from django.contrib.auth.models import AnonymousUser

    from recommendations.services import watch_events_record
    from social import services as social_services

    video = video_of(alice, duration=5.0)
    page = signed_in_page(browser, asgi_server, alice)
    page.goto(f"{asgi_server}/studio/analytics/v/{video.short_id}")
    page.wait_for_function(
        "path => window.MicrovidSocial && MicrovidSocial.isLive(path)",
        arg=f"/ws/studio/videos/{video.short_id}/live/",
    )
    wait_until_live(page, video)
    plays = page.locator(f"#live-plays-{video.short_id}")
    expect(plays).to_have_text("0")

    def elsewhere(function, **kwargs):
        # As in a web process: off this thread, where Playwright's event loop runs; the
        # thread's connection is closed after, so none holds the test database (PostgreSQL).
        from django.db import connections

        def call():
            try:
                function(**kwargs)
            finally:
                connections.close_all()

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(call).result()

    # Someone watches the video elsewhere: the count moves without a reload.
    batch = json.dumps([{"video": video.short_id, "kind": "play"}])
    elsewhere(watch_events_record, user=AnonymousUser(), viewer_id=uuid.uuid4(), raw_batch=batch)
    expect(plays).to_have_text("1", timeout=5_000)
    elsewhere(social_services.like_create, user=bob, video=video)
    expect(page.locator(f"#like-count-{video.short_id}")).to_have_text("1 like", timeout=5_000)
    assert_accessible(page)
    assert page.errors == []
