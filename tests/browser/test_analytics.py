"""The creator's analytics in real Chromium, with JavaScript on and off, left-to-right and
right-to-left: the numbers, the charts with their data tables, sorting by a column, and no
axe violations."""

import uuid

import pytest
from django.test import Client
from playwright.sync_api import expect

from analytics import services
from analytics.models import VideoStats
from recommendations.models import WatchEvent
from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory, published_video

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def creator():
    alice = UserFactory(username="alice", display_name="Alice")
    for title, plays in [("Sunset loop", 3), ("Tide pools", 1)]:
        video = published_video(alice, title=title, duration=5.0)
        for _ in range(plays):
            viewer = uuid.uuid4()
            for kind, watch_ms in [("play", 0), ("watch", 5000), ("complete", 0)]:
                WatchEvent.objects.create(
                    video=video, viewer_id=viewer, kind=kind, watch_ms=watch_ms,
                    position_ms=5000 if kind == "complete" else 0, source="for_you",
                )  # fmt: skip
    services.stats_rollup()
    return alice


def _signed_in(new_context, live_server, user, *, js, locale="en-US"):
    client = Client()
    client.force_login(user)
    context = new_context(java_script_enabled=js, locale=locale)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_dashboard_and_a_video_page_are_accessible(
    live_server, new_context, js_enabled, creator, language
):
    page = _signed_in(new_context, live_server, creator, js=js_enabled)
    if language == "ar":
        page.context.add_cookies(
            [{"name": "django_language", "value": "ar", "url": live_server.url}]
        )
    page.goto(live_server.url + "/studio/")
    page.locator("a[href='/studio/analytics']").click()

    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    expect(page.locator("#analytics-totals [data-live=plays]")).to_have_text("4")
    expect(page.locator("figure.chart svg")).to_be_visible()
    assert_accessible(page)

    # Sorting is a real link: by title, ascending, then the first video's own page.
    page.locator("thead a").first.click()
    expect(page.locator("tbody th a").first).to_contain_text("Tide pools")
    page.locator("details.chart__data summary").first.click()
    expect(page.locator("details.chart__data table").first).to_be_visible()
    page.locator("tbody th a").first.click()
    expect(page.locator("h1")).to_contain_text("Tide pools")
    expect(page.locator("#video-totals")).to_contain_text("100")
    assert_accessible(page)


def test_copying_the_link_records_a_share_for_the_creator(live_server, new_context, creator):
    bob = UserFactory(username="bob", display_name="Bob")
    video = creator.videos.get(title="Sunset loop")
    page = _signed_in(new_context, live_server, bob, js=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/v/{video.short_id}")

    page.locator(".share__summary").click()
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied to the clipboard.")

    shares = WatchEvent.objects.filter(video=video, kind="share")
    for _ in range(50):
        if shares.exists():
            break
        page.wait_for_timeout(100)
    assert shares.get().user == bob
    services.stats_rollup()
    assert VideoStats.objects.get(video=video, granularity="day").shares == 1
