"""For You in real Chromium: a viewer marks a video "Not interested", it disappears, and
Undo brings it back; with JavaScript (htmx swaps in place) and without (forms, redirect,
Undo in the message). Axe-clean throughout."""

import pytest
from playwright.sync_api import expect

from recommendations.models import NotInterested
from recommendations.registry import registry
from tests.browser.conftest import assert_accessible, open_account_menu
from tests.factories import PASSWORD, UserFactory, published_video

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewer_and_videos():
    registry.clear()
    creator = UserFactory(username="alice", display_name="Alice")
    videos = [
        published_video(creator, title=f"Clip number {n}", trending_score=10 - n) for n in range(3)
    ]
    viewer = UserFactory(username="viewer")
    return viewer, videos


def log_in(page, base_url, user):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username or email").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(open_account_menu(page).get_by_role("link", name="My profile")).to_be_visible()


def test_not_interested_hides_a_video_and_undo_brings_it_back(
    live_server, page, js_enabled, viewer_and_videos
):
    viewer, videos = viewer_and_videos
    log_in(page, live_server.url, viewer)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="What do you like to watch?")).to_be_visible()
    assert_accessible(page)  # the first-visit topic picker
    page.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("heading", name="What do you like to watch?")).to_have_count(0)
    target = videos[1]
    card = page.get_by_role("article", name=target.title)
    expect(card).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name=f"Not interested: {target.title}").click()

    expect(page.get_by_role("article", name=target.title)).to_have_count(0)
    expect(page.get_by_text(f"Hidden: you will not see “{target.title}” again.")).to_be_visible()
    assert NotInterested.objects.filter(user=viewer, video=target).exists()
    assert_accessible(page)
    if js_enabled:
        assert page.url == live_server.url + "/"  # swapped in place, no navigation
        undo = page.get_by_role("button", name=f"Undo: {target.title}")
        expect(undo).to_be_focused()
        page.keyboard.press("Enter")
    else:
        page.get_by_role("button", name=f"Undo: {target.title}").click()

    expect(page.get_by_role("article", name=target.title)).to_be_visible()
    assert not NotInterested.objects.exists()
    assert_accessible(page)
