"""The video page in real Chromium: everything a viewer needs is in the first screen on a phone
and a desktop, left-to-right and right-to-left, with JavaScript on and off; Follow and Like
say what they did and keep the focus; the comments open; the share box and the embed work.

One processed video serves the whole module's first test (the layout matrix), so the costly
part (FFmpeg) runs once per test, not once per combination."""

import pytest
from playwright.sync_api import expect

from social.models import Follow, Like
from tests.browser.conftest import (
    assert_accessible,
    assert_in_first_screen,
    log_in,
    processed_video,
)
from tests.factories import UserFactory
from videos import services

pytestmark = [pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def video(demo_clip):
    alice = UserFactory(username="alice", display_name="Alice Liddell")
    UserFactory(username="bob")
    video = processed_video(alice, demo_clip, title="Sunset over the bay")
    return services.video_publish(video=video, by=alice)


DIRECTION = {"en": "ltr", "ar": "rtl"}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_first_screen_holds_video_title_creator_and_actions(
    live_server, new_context, video, viewport
):
    for language in ("en", "ar"):
        for scripts in (True, False):
            context = new_context(viewport=viewport, java_script_enabled=scripts)
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = log_in(context, live_server.url, "bob")
            page.goto(f"{live_server.url}/v/{video.short_id}")
            what = f"{language}, {'js' if scripts else 'no js'}, {viewport['width']}"
            expect(page.locator("html")).to_have_attribute("dir", DIRECTION[language])
            assert page.evaluate("window.scrollY") == 0
            rail = page.locator(".watch__rail")
            for name, locator in {
                "video": page.locator("video.player"),
                "h1": page.get_by_role("heading", level=1),
                "creator link": page.locator(".watch__creator-link"),
                "follow": page.locator("#follow-button-alice"),
                "like": page.locator(f"#like-button-{video.short_id}"),
                "comment": rail.locator("[data-open-comments]"),
                "share": rail.locator(".share__summary"),
            }.items():
                assert_in_first_screen(page, locator, viewport, f"{name} ({what})")
            # The rail mirrors: at the inline end of the video on a phone (over it), beside
            # it on a desktop.
            video_box = page.locator(".watch__stage").bounding_box()
            rail_box = rail.bounding_box()
            if viewport is PHONE:
                if language == "ar":
                    assert rail_box["x"] < video_box["x"] + video_box["width"] / 2, what
                else:
                    assert rail_box["x"] > video_box["x"] + video_box["width"] / 2, what
            elif language == "ar":
                assert rail_box["x"] + rail_box["width"] <= video_box["x"] + 1, what
            else:
                assert rail_box["x"] >= video_box["x"] + video_box["width"] - 1, what
            assert_accessible(page)
            page.close()


def test_follow_and_like_say_so_and_keep_the_focus(live_server, new_context, video, js_enabled):
    context = new_context(java_script_enabled=js_enabled)
    page = log_in(context, live_server.url, "bob")
    page.goto(f"{live_server.url}/v/{video.short_id}")

    follow = page.locator("#follow-button-alice")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.focus()
    page.keyboard.press("Enter")
    expect(follow).to_have_attribute("aria-pressed", "true")
    expect(follow).to_contain_text("Following")
    expect(follow).to_be_focused()
    assert Follow.objects.filter(follower__username="bob", followee=video.owner).exists()

    like = page.locator(f"#like-button-{video.short_id}")
    like.focus()
    page.keyboard.press("Enter")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#like-count-{video.short_id}")).to_have_text("1 like")
    expect(like).to_be_focused()
    assert Like.objects.filter(user__username="bob", video=video).exists()

    # Unlike from the keyboard again: the count goes back at once, the focus stays.
    page.keyboard.press("Enter")
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#like-count-{video.short_id}")).to_have_text("0 likes")
    expect(like).to_be_focused()
    assert_accessible(page)


def test_comments_open_as_a_sheet_on_a_phone_and_share_offers_link_and_embed(
    live_server, new_context, another_site, video, js_enabled
):
    context = new_context(java_script_enabled=js_enabled)
    page = log_in(context, live_server.url, "bob")
    page.goto(f"{live_server.url}/v/{video.short_id}")

    comments = page.get_by_role("region", name="Comments")
    page.locator("[data-open-comments]").click()
    expect(comments).to_be_in_viewport()
    box = page.get_by_label("Add a comment")
    if js_enabled:
        expect(box).to_be_focused()
        page.keyboard.press("Escape")
        expect(comments).to_be_hidden()
        expect(page.locator("[data-open-comments]")).to_be_focused()
    page.goto(f"{live_server.url}/v/{video.short_id}")

    page.locator(".share__summary").click()
    link = page.get_by_label("Link", exact=True)
    expect(link).to_have_value(f"{live_server.url}/v/{video.short_id}")
    embed_code = page.get_by_label("Embed code").input_value()
    assert f'src="{live_server.url}/embed/{video.short_id}"' in embed_code
    if js_enabled:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.get_by_role("button", name="Copy link").click()
        expect(page.locator("[data-copy-status]")).to_have_text("Copied to the clipboard.")
        assert page.evaluate("navigator.clipboard.readText()") == link.input_value()
    assert_accessible(page)

    # The embed plays in another site's iframe (another origin, served by a real server on
    # loopback: see the another_site fixture).
    host = context.new_page()
    host.goto(another_site(embed_code))
    frame = host.frame_locator("iframe")
    expect(frame.locator("video")).to_be_visible()
    caption = frame.get_by_role("link", name="Sunset over the bay by Alice Liddell on Microvid")
    expect(caption).to_be_visible()
    # The player and its caption fit the iframe the embed code asks for.
    iframe = host.locator("iframe").bounding_box()
    for part in (frame.locator("video"), caption):
        box = part.bounding_box()
        assert box["y"] >= iframe["y"] - 0.5, box
        assert box["y"] + box["height"] <= iframe["y"] + iframe["height"] + 0.5, (box, iframe)
    embed_page = context.new_page()
    embed_page.goto(f"{live_server.url}/embed/{video.short_id}")
    assert_accessible(embed_page)
