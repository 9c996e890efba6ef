"""The player in real Chromium: adaptive HLS with scripts, the MP4 without, labelled controls,
keyboard shortcuts, muted autoplay, captions, error recovery, and watch events."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from recommendations.models import WatchEvent
from tests.browser.conftest import assert_accessible
from tests.browser.test_upload_journey import assert_plays_without_scripts
from tests.factories import UserFactory, make_video
from tests.media import needs_media_edge
from videos import services

pytestmark = [pytest.mark.django_db(transaction=True), needs_media_edge]

VTT = b"WEBVTT\n\n00:00.000 --> 00:05.000\nHello from the captions\n"
VIDEO = "video.player"


@pytest.fixture
def video():
    alice = UserFactory(username="alice")
    video = make_video(alice, "ok_rotated90_gps_3s.mov", title="Turned clip")
    video = services.video_process(video_id=video.pk)
    services.video_set_captions(
        video=video, by=alice, upload=SimpleUploadedFile("c.vtt", VTT), language="en"
    )
    return services.video_publish(video=video, by=alice)


def js(page, expression):
    return page.evaluate(f"document.querySelector('{VIDEO}').{expression}")


def test_plays_muted_switches_to_the_adaptive_ladder_and_reports_events(
    live_server, new_context, video
):
    context = new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/v/{video.short_id}")

    # Muted autoplay from the MP4, then the HLS ladder (4 rungs for a 720x1280 source).
    page.wait_for_function(f"document.querySelector('{VIDEO}').currentTime > 0.3")
    assert js(page, "muted") is True
    assert js(page, "currentSrc").endswith("/fallback.mp4")
    root = page.locator("[data-player]")
    expect(root).to_have_attribute("data-hls-levels", "4", timeout=10_000)
    page.wait_for_function(
        f"document.querySelector('{VIDEO}').currentSrc.startsWith('blob:')", timeout=15_000
    )
    page.wait_for_function(f"document.querySelector('{VIDEO}').currentTime > 0.5")
    assert_accessible(page)

    # Leaving the page sends the batch.
    page.goto(f"{live_server.url}/")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not WatchEvent.objects.filter(kind="loop").exists():
        time.sleep(0.2)
    kinds = set(WatchEvent.objects.filter(video=video).values_list("kind", flat=True))
    assert {"impression", "play", "watch", "complete", "loop"} <= kinds
    video.refresh_from_db()
    assert video.view_count == 1


def test_every_control_is_labelled_and_every_shortcut_works(live_server, new_context, video):
    # A wide screen: on a phone the player bar leaves the volume to the hardware buttons.
    context = new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/v/{video.short_id}")
    # Once on the adaptive stream (from the first loop), nothing reloads the media any more.
    page.wait_for_function(
        f"document.querySelector('{VIDEO}').currentSrc.startsWith('blob:')", timeout=15_000
    )
    controls = page.locator("[data-player]")

    pause = controls.get_by_role("button", name="Pause", exact=True)
    expect(pause).to_be_visible()
    for name in ("Mute", "Autoplay", "Loop", "Captions", "Full screen"):
        expect(controls.get_by_role("button", name=name)).to_be_visible()
    for name in ("Position", "Volume"):
        expect(controls.get_by_role("slider", name=name)).to_be_visible()

    # Buttons, from the keyboard.
    pause.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{VIDEO}').paused")
    expect(controls.get_by_role("button", name="Play", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_function(f"!document.querySelector('{VIDEO}').paused")

    # Shortcuts.
    page.locator("h1").click()
    page.keyboard.press("k")
    page.wait_for_function(f"document.querySelector('{VIDEO}').paused")
    page.keyboard.press(" ")
    page.wait_for_function(f"!document.querySelector('{VIDEO}').paused")
    mute = controls.get_by_role("button", name="Mute")
    expect(mute).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("m")
    expect(mute).to_have_attribute("aria-pressed", "false")
    assert js(page, "muted") is False
    page.keyboard.press("ArrowDown")
    assert js(page, "volume") == pytest.approx(0.9)
    page.keyboard.press("ArrowUp")
    assert js(page, "volume") == pytest.approx(1.0)
    page.keyboard.press("k")
    page.evaluate(f"document.querySelector('{VIDEO}').currentTime = 1")
    page.keyboard.press("ArrowRight")
    assert js(page, "currentTime") == pytest.approx(2, abs=0.1)
    page.keyboard.press("ArrowLeft")
    assert js(page, "currentTime") == pytest.approx(1, abs=0.1)
    captions = controls.get_by_role("button", name="Captions")
    page.keyboard.press("c")
    expect(captions).to_have_attribute("aria-pressed", "true")
    assert js(page, "textTracks[0].mode") == "showing"
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null")
    expect(controls.get_by_role("button", name="Exit full screen")).to_be_visible()
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === null")
    loop = controls.get_by_role("button", name="Loop")
    loop.click()
    expect(loop).to_have_attribute("aria-pressed", "false")

    # Shortcuts do not fire while typing in a field.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend',"
                  " '<label>Note <input id=note></label>')")  # fmt: skip
    page.locator("#note").type("m k f")
    assert js(page, "muted") is False
    assert page.evaluate("document.fullscreenElement") is None

    autoplay = controls.get_by_role("button", name="Autoplay")
    autoplay.click()
    expect(autoplay).to_have_attribute("aria-pressed", "false")

    # The viewer's choices are remembered on the next visit: no autoplay, no loop.
    page.reload()
    page.wait_for_function(f"document.querySelector('{VIDEO}').readyState >= 1")
    expect(page.locator("[data-player]").get_by_role("button", name="Loop")).to_have_attribute(
        "aria-pressed", "false"
    )
    time.sleep(0.5)
    assert js(page, "paused") is True


def test_reduced_motion_waits_for_the_viewer(live_server, new_context, video):
    context = new_context(reduced_motion="reduce", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/v/{video.short_id}")
    page.wait_for_function(f"document.querySelector('{VIDEO}').readyState >= 2")
    time.sleep(0.5)

    assert js(page, "paused") is True
    page.locator("[data-player]").get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(f"document.querySelector('{VIDEO}').currentTime > 0.2")


def test_a_failed_load_shows_an_error_with_a_retry(live_server, new_context, video):
    context = new_context(bypass_csp=True)
    page = context.new_page()
    page.route("**/fallback.mp4", lambda route: route.abort())
    page.goto(f"{live_server.url}/v/{video.short_id}")

    error = page.get_by_role("alert")
    expect(error).to_contain_text("This video cannot be played right now.")
    page.unroute("**/fallback.mp4")
    error.get_by_role("button", name="Try again").click()
    page.wait_for_function(f"document.querySelector('{VIDEO}').currentTime > 0.3")
    expect(error).to_be_hidden()


def test_the_mp4_plays_with_javascript_off(live_server, new_context, video):
    context = new_context(java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/v/{video.short_id}")

    player = page.get_by_label("Video: Turned clip")
    expect(player).to_have_attribute("controls", "")
    assert_plays_without_scripts(page, player)
