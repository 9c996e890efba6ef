"""The pages a viewer and a creator see most, in Arabic (right to left) in real Chromium, with
JavaScript on and off: the home page (the first-visit topic picker and For You), Latest, the
search page with results, and the studio's list of videos are axe-clean."""

import pytest
from playwright.sync_api import expect

from recommendations.registry import registry
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import UserFactory, published_video
from videos import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site():
    registry.clear()
    alice = UserFactory(username="alice", display_name="Alice Liddell")
    for n, (title, description) in enumerate(
        [("Cats on a roof", "sleepy #cats"), ("Catching waves", "#surf"), ("Dog park", "#dogs")]
    ):
        video = published_video(alice, title=title, trending_score=10 - n)
        services.video_update(
            video=video,
            by=alice,
            title=title,
            description=description,
            visibility=video.visibility,
            comments_enabled=True,
        )
    UserFactory(username="bob")
    return alice


def arabic_page(live_server, new_context, js_enabled, username):
    context = new_context(java_script_enabled=js_enabled)
    context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    return log_in(context, live_server.url, username)


def test_home_latest_and_search_in_arabic_are_axe_clean(live_server, new_context, js_enabled, site):
    page = arabic_page(live_server, new_context, js_enabled, "bob")

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".topic-picker")).to_be_visible()
    assert_accessible(page)  # the first-visit topic picker
    page.locator("button[name=skip]").click()
    expect(page.locator(".topic-picker")).to_have_count(0)
    expect(page.get_by_role("article", name="Catching waves")).to_be_visible()
    assert_accessible(page)  # For You

    page.goto(live_server.url + "/latest")
    expect(page.get_by_role("article", name="Dog park")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + "/search?q=cat")
    expect(page.get_by_role("link", name="Cats on a roof").first).to_be_visible()
    assert_accessible(page)


def test_the_studio_list_in_arabic_is_axe_clean(live_server, new_context, js_enabled, site):
    page = arabic_page(live_server, new_context, js_enabled, "alice")

    page.goto(live_server.url + "/studio/")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_text("Cats on a roof").first).to_be_visible()
    assert_accessible(page)
