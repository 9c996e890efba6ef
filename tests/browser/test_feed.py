"""The feed in real Chromium: the grid scrolls and loads more by itself; watch mode plays the
video in view, pauses the others, and j/k move between videos; axe-clean; JS off works."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory, make_video
from tests.media import needs_media_edge
from videos import services
from videos.models import Video

pytestmark = [pytest.mark.django_db(transaction=True), needs_media_edge]


@pytest.fixture
def feed_videos():
    """Five published videos sharing one really processed clip's files."""
    alice = UserFactory(username="alice")
    template = services.video_process(video_id=make_video(alice, "ok_square_no_audio_2s.mp4").pk)
    template = services.video_publish(video=template, by=alice)
    copies = []
    for n in range(4):
        copy = Video.objects.get(pk=template.pk)
        copy.pk = None
        copy.short_id = f"copy{n}abcd"
        copy.title = f"Copy {n}"
        copy.published_at = template.published_at.replace(microsecond=n)
        copy.save()
        copies.append(copy)
    return [template, *copies]


def test_grid_loads_more_as_you_scroll(live_server, page, js_enabled, feed_videos, settings):
    settings.FEED_PAGE_SIZE = 2
    page.goto(live_server.url + "/latest")
    expect(page.get_by_role("heading", level=1)).to_have_text("Latest")
    assert_accessible(page)
    cards = page.locator(".video-card")
    if js_enabled:
        page.mouse.wheel(0, 5000)
        expect(cards).to_have_count(4)
        page.mouse.wheel(0, 5000)
        expect(cards).to_have_count(5)
    else:
        expect(cards).to_have_count(2)
        page.get_by_role("link", name="More videos").click()
        expect(cards).to_have_count(2)  # the next page, as a page of its own
        assert "cursor=" in page.url


def test_watch_mode_plays_the_video_in_view_and_moves_with_j_and_k(
    live_server, new_context, feed_videos
):
    page = new_context().new_page()
    page.goto(live_server.url + "/latest?view=watch")
    items = page.locator(".watch-item video")
    expect(items).to_have_count(5)
    assert_accessible(page)

    def playing(index):
        return page.evaluate(f"!document.querySelectorAll('.watch-item video')[{index}].paused")

    page.wait_for_function("!document.querySelectorAll('.watch-item video')[0].paused")
    assert page.evaluate("document.querySelectorAll('.watch-item video')[1].preload") == "auto"
    page.keyboard.press("j")
    page.wait_for_function("!document.querySelectorAll('.watch-item video')[1].paused")
    assert not playing(0)
    page.keyboard.press("ArrowDown")
    page.wait_for_function("!document.querySelectorAll('.watch-item video')[2].paused")
    page.keyboard.press("k")
    page.wait_for_function("!document.querySelectorAll('.watch-item video')[1].paused")
    assert not playing(2)


def test_watch_mode_without_javascript_is_a_list_of_players(live_server, new_context, feed_videos):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + "/latest?view=watch")

    players = page.locator(".watch-item video[controls]")
    expect(players).to_have_count(5)
    assert_accessible(page)
