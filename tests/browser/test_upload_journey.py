"""A creator uploads a clip in a real browser, with JavaScript on and off, watches it be
processed, previews it (HLS with scripts, the MP4 without) and publishes it."""

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, UserFactory
from tests.media import MEDIA_EDGE, needs_media_edge
from videos.models import Video

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_media_edge,
]


def log_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload")
    ).to_be_visible()


def test_upload_process_preview_and_publish(live_server, page, js_enabled):
    UserFactory(username="alice")
    log_in(page, live_server, "alice")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a video")
    assert_accessible(page)
    page.get_by_label("Video file").set_input_files(str(MEDIA_EDGE / "ok_rotated90_gps_3s.mov"))
    if js_enabled:
        # The title is suggested from the file name.
        expect(page.get_by_label("Title")).to_have_value("ok_rotated90_gps_3s")
    page.get_by_label("Title").fill("Sideways phone clip")
    page.get_by_label("Description").fill("Turned the right way #phone")
    page.get_by_label("Unlisted: only people with the link").check()
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sideways phone clip", timeout=60_000)
    expect(page.locator("#video-status")).to_contain_text("Ready")
    assert_accessible(page)
    video = Video.objects.get()
    assert video.status == Video.Status.READY
    assert (video.width, video.height) == (720, 1280)
    assert video.visibility == Video.Visibility.UNLISTED

    player = page.get_by_label("Video: Sideways phone clip")
    expect(player).to_be_visible()
    if js_enabled:
        # The preview starts on the MP4 and moves to the HLS ladder at the first loop.
        expect(page.locator("[data-player]")).to_have_attribute("data-hls-levels", "4")
        page.wait_for_function(
            "() => document.querySelector('video.player').currentSrc.startsWith('blob:')",
            timeout=15_000,
        )
        page.wait_for_function("() => document.querySelector('video.player').currentTime > 0.5")
    else:
        assert_plays_without_scripts(page, player)

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Your video is published.")
    video.refresh_from_db()
    assert video.is_published


def test_refused_file_keeps_the_form_and_says_why(live_server, page, js_enabled):
    UserFactory(username="bob")
    log_in(page, live_server, "bob")
    page.goto(live_server.url + "/upload/")

    page.get_by_label("Video file").set_input_files(str(MEDIA_EDGE / "image_renamed.mov"))
    page.get_by_label("Title").fill("Not really a video")
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_text("This file is an image, not a video.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Not really a video")
    expect(page.get_by_label("Video file")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    assert not Video.objects.exists()


def assert_plays_without_scripts(page, player):
    """With scripts off the page cannot be asked for currentTime: start the native player
    from the keyboard and check that the picture changes."""
    player.focus()
    page.keyboard.press("Space")
    first = player.screenshot()
    for _ in range(20):
        time.sleep(0.25)
        if player.screenshot() != first:
            return
    pytest.fail("the MP4 did not play with JavaScript off")
