"""The whole moderation loop in a real browser, with JavaScript on and off: bob reports
alice's video and blocks her from the answer; his feed has none of her videos; mod removes it
in the console with a note; bob is told; alice appeals from her account standing page; mod
approves; the video is back. axe checks the new pages, left to right and right to left."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from social.services import like_create
from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory, published_video
from videos.models import Video

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reasons():
    # A transactional test's flush empties the catalogue that a data migration seeded.
    import importlib

    from django.apps import apps

    importlib.import_module("moderation.migrations.0002_seed_report_reasons").seed(apps, None)
    importlib.import_module("moderation.migrations.0004_seed_community_rules").seed(apps, None)


def signed_in(new_context, live_server, user, *, js: bool, language: str = "en"):
    client = Client()
    client.force_login(user)
    context = new_context(java_script_enabled=js)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )
    return context.new_page()


def with_media_files(video):
    """Give a factory video real files in public storage, as processing would."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    root = video.media_root
    for name in ("fallback.mp4", "poster.jpg"):
        default_storage.save(f"{root}v1/{name}", ContentFile(name.encode()))
    Video.objects.filter(pk=video.pk).update(
        output_prefix=f"{root}v1/", mp4=f"{root}v1/fallback.mp4", poster=f"{root}v1/poster.jpg"
    )
    return Video.objects.get(pk=video.pk)


def listed(page, url: str, short_id: str) -> bool:
    """Whether an API list answer (a feed, a creator's videos, a search) holds the video."""
    answer = page.request.get(url)
    assert answer.status == 200, url
    return short_id in {card["id"] for card in answer.json()["results"]}


def where_it_shows(page, base: str, video) -> dict[str, bool]:
    """Every place a public video shows, to anyone, through the live site: the pages (Latest,
    search for its title, its creator's profile, its own page), the API (its comments, the
    Latest feed, its creator's videos, a search) and its files."""
    heading = page.get_by_role("heading", name=video.title)
    places = {}
    for path in ("/latest", "/search?q=sunset", f"/@{video.owner.username}"):
        page.goto(base + path)
        places[path] = heading.count() > 0
    places["page"] = page.request.get(f"{base}/v/{video.short_id}").status == 200
    places["api comments"] = (
        page.request.get(f"{base}/api/v1/videos/{video.short_id}/comments").status == 200
    )
    for path in (
        "/api/v1/feeds/latest",
        f"/api/v1/users/{video.owner.username}/videos",
        "/api/v1/search/videos?q=sunset",
    ):
        places[path] = listed(page, base + path, video.short_id)
    for name in ("mp4", "poster"):
        places[name] = page.request.get(f"{base}/media/{getattr(video, name)}").status == 200
    return places


def admin_action(page, url, row_text: str, action: str, note: str):
    """Tick one row of an admin changelist, run an action and give its note, by keyboard."""
    page.goto(url)
    page.get_by_role("row").filter(has_text=row_text).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    page.get_by_role("button", name="Go").press("Enter")
    note_field = page.get_by_label("Note (required): why this decision?")
    note_field.fill(note)
    note_field.press("Tab")
    page.get_by_role("button", name="Confirm").press("Enter")
    expect(page.get_by_text("1 item decided.")).to_be_visible()


def test_report_block_remove_tell_appeal_restore(new_context, live_server, js_enabled):
    from django.contrib.auth.models import Group

    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    mod = UserFactory(username="mod", is_staff=True)
    mod.groups.add(Group.objects.get(name="Moderators"))
    carol = UserFactory(username="carol")
    video = with_media_files(published_video(alice, title="Alice sunset"))
    published_video(carol, title="Carol beach")
    like_create(user=carol, video=video)
    url = live_server.url
    anyone = signed_in(new_context, live_server, carol, js=js_enabled)
    everywhere = where_it_shows(anyone, url, video)
    assert all(everywhere.values()), everywhere

    # Bob reports the video, then blocks Alice from the answer.
    page = signed_in(new_context, live_server, bob, js=js_enabled)
    page.goto(f"{url}/v/{video.short_id}")
    # Report sits in the action rail's "More" menu (a <details>, with or without JavaScript).
    page.locator("summary").filter(has_text="More").click()
    page.get_by_role("link", name="Report this video").click()
    if js_enabled:
        expect(page.get_by_role("dialog")).to_be_visible()
    page.get_by_label("Spam or scam").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you for your report")).to_be_visible()
    page.get_by_role("button", name="Block @alice").click()
    expect(page.get_by_text("You blocked Alice")).to_be_visible()
    page.goto(f"{url}/latest")
    expect(page.get_by_role("heading", name="Carol beach")).to_be_visible()
    expect(page.get_by_role("heading", name="Alice sunset")).to_have_count(0)

    # Mod removes it from the queue with a note.
    console = signed_in(new_context, live_server, mod, js=js_enabled)
    admin_action(
        console, f"{url}/admin/moderation/report/", "Alice sunset", "Remove the content", "Spam"
    )
    assert Video.objects.get(pk=video.pk).moderation_state == "removed"
    assert anyone.goto(f"{url}/v/{video.short_id}").status == 404
    # Gone from every listing, page, API answer and media URL at once (the files it had a
    # moment ago included). Its open sockets are closed at once: tests/social/test_consumers.py
    # (test_a_removed_video_closes_its_open_sockets_at_once).
    assert not any(where_it_shows(anyone, url, video).values())

    # Bob is told.
    page.goto(f"{url}/notifications/")
    expect(page.get_by_text("A moderator took action on it")).to_be_visible()

    # Alice sees the strike and appeals.
    creator = signed_in(new_context, live_server, alice, js=js_enabled)
    creator.goto(f"{url}/settings/standing/")
    expect(creator.get_by_role("heading", level=1)).to_have_text("Account standing")
    assert_accessible(creator)
    creator.get_by_label("Why should this decision change?").fill("It is my own sunset.")
    creator.get_by_role("button", name="Send appeal").click()
    expect(creator.get_by_text("Your appeal was sent")).to_be_visible()

    # Mod approves: everything is back.
    admin_action(
        console,
        f"{url}/admin/moderation/appeal/",
        "alice",
        "Approve: reverse the decision",
        "Fair",
    )
    assert Video.objects.get(pk=video.pk).moderation_state == "visible"
    anyone.goto(f"{url}/latest")
    expect(anyone.get_by_role("heading", name="Alice sunset")).to_be_visible()
    # Everywhere again, from its new files, with its counters as they were.
    restored = Video.objects.get(pk=video.pk)
    assert all(where_it_shows(anyone, url, restored).values())
    answer = anyone.request.get(f"{url}/api/v1/users/alice/videos").json()
    assert [card["like_count"] for card in answer["results"]] == [1]
    assert restored.like_count == 1


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_new_pages_are_accessible_left_to_right_and_right_to_left(
    new_context, live_server, language
):
    from accounts import services

    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    video = published_video(alice, title="Alice sunset")
    services.block_create(blocker=bob, blocked=UserFactory(username="dana"))
    page = signed_in(new_context, live_server, bob, js=True, language=language)

    paths = (
        "/settings/blocked/",
        "/settings/standing/",
        f"/report/video/{video.short_id}",
        "/rules",
    )
    for path in paths:
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        assert_accessible(page)


@pytest.mark.parametrize("view", ["grid", "watch"])
def test_a_feed_card_reports_from_its_menu(new_context, live_server, js_enabled, view):
    # The same Report control as the video page's More menu, on the card (grid and watch
    # mode): the dialog with JavaScript, the report page without.
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    published_video(alice, title="Alice sunset")

    page = signed_in(new_context, live_server, bob, js=js_enabled)
    page.goto(f"{live_server.url}/latest?view={view}")
    page.locator(".card-menu summary").first.click()
    page.get_by_role("link", name="Report this video").click()
    if js_enabled:
        expect(page.get_by_role("dialog")).to_be_visible()
    else:
        expect(page.get_by_role("heading", level=1)).to_contain_text("Report")
    page.get_by_label("Spam or scam").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you for your report")).to_be_visible()
