"""Search in real Chromium: the header box suggests as you type, the keyboard picks a
suggestion, and the results come up; without JavaScript the same box is a plain form.
axe-clean both ways, with the suggestions open too."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory, published_video
from videos import services

pytestmark = pytest.mark.django_db(transaction=True)

BOX_LABEL = "Search videos, #hashtags and creators"


@pytest.fixture
def searchable():
    alice = UserFactory(username="alice", display_name="Alice")
    for title, description in [
        ("Cats on a roof", "sleepy #cats"),
        ("Catching waves", "#surf"),
        ("Dog park", "#dogs"),
    ]:
        video = published_video(alice, title=title)
        services.video_update(
            video=video,
            by=alice,
            title=title,
            description=description,
            visibility=video.visibility,
            comments_enabled=True,
        )
    return alice


def test_search_from_the_header_box(live_server, page, js_enabled, searchable):
    page.goto(live_server.url + "/latest")

    if js_enabled:
        box = page.get_by_role("combobox", name=BOX_LABEL)
        box.press_sequentially("cat", delay=40)
        listbox = page.get_by_role("listbox", name="Suggestions")
        expect(listbox).to_be_visible()
        options = listbox.get_by_role("option")
        expect(options.first).to_contain_text("#cats")
        expect(box).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#site-search-suggestions-status")).to_contain_text("suggestions")
        assert_accessible(page)  # with the suggestions open

        box.press("ArrowDown")
        expect(options.first).to_have_attribute("aria-selected", "true")
        expect(box).to_have_attribute("aria-activedescendant", "site-search-suggestions-1")
        box.press("Enter")
    else:
        box = page.get_by_role("searchbox", name=BOX_LABEL)
        box.fill("#cats")
        box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?q=%23cats$"))
    expect(page.get_by_role("heading", level=2)).to_have_text("Videos matching “#cats”")
    cards = page.locator(".video-card")
    expect(cards).to_have_count(1)
    expect(cards.locator("mark")).to_have_text(["Cats", "cats"])  # title, description
    assert_accessible(page)


def test_the_search_page_box_filters_and_pages_work_with_the_keyboard(
    live_server, new_context, searchable
):
    page = new_context().new_page()
    page.goto(live_server.url + "/search")
    expect(page.get_by_role("heading", level=2)).to_have_text("What are you looking for?")
    box = page.get_by_role("combobox", name=BOX_LABEL)

    box.press_sequentially("do", delay=40)
    options = page.get_by_role("listbox", name="Suggestions").get_by_role("option")
    expect(options).to_have_text([re.compile("#dogs"), re.compile("Dog park")])
    box.press("ArrowUp")  # wraps round to the last
    expect(options.last).to_have_attribute("aria-selected", "true")
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))

    box.press("ArrowDown")  # opens again on the first option
    box.press("ArrowDown")
    expect(options.last).to_have_attribute("aria-selected", "true")
    box.press("Enter")  # the results swap in, and the address follows

    expect(page).to_have_url(re.compile(r"/search\?q=Dog\+park$"))
    expect(page.locator(".video-card")).to_have_count(1)
    expect(box).to_have_value("Dog park")
    assert_accessible(page)

    page.get_by_label("Sort by").select_option("newest")
    expect(page).to_have_url(re.compile(r"sort=newest"))
    expect(page.get_by_label("Sort by")).to_have_value("newest")
    expect(page.locator(".video-card")).to_have_count(1)


def test_a_creator_suggestion_leads_to_their_profile(live_server, new_context, searchable):
    page = new_context().new_page()
    page.goto(live_server.url + "/latest")
    box = page.get_by_role("combobox", name=BOX_LABEL)

    box.press_sequentially("@ali", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox.get_by_role("option")).to_have_text([re.compile(r"Alice \(@alice\)")])
    box.press("ArrowDown")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/@alice$"))


def test_the_empty_header_box_offers_recent_searches(live_server, new_context, searchable):
    from django.test import Client

    client = Client()
    client.force_login(searchable)
    client.get("/search?q=surf")
    client.get("/search?q=%23cats")
    context = new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + "/latest")

    box = page.get_by_role("combobox", name=BOX_LABEL)
    box.focus()
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox.get_by_role("option")).to_have_text(
        [re.compile(r"Recent search\s+#cats"), re.compile(r"Recent search\s+surf")]
    )
    expect(box).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)  # with the recent searches open

    # Typing replaces them with suggestions; emptying the box brings them back.
    box.press_sequentially("dog", delay=40)
    expect(listbox.get_by_role("option").first).to_contain_text("#dogs")
    box.fill("")
    expect(listbox.get_by_role("option").first).to_contain_text("#cats")

    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=surf$"))
