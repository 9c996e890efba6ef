"""axe checks the moderation console in Django admin, as the `mod` moderator sees it, left to
right and right to left: the report queue, a report's page, the note step of an action, the
overview, and the held videos and comments queues."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from moderation import services
from social.services import comment_create
from tests.browser.conftest import assert_accessible
from tests.browser.test_moderation_loop import signed_in
from tests.factories import UserFactory, published_video
from videos.models import Video

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reasons():
    # A transactional test's flush empties the catalogue that a data migration seeded.
    import importlib

    from django.apps import apps

    importlib.import_module("moderation.migrations.0002_seed_report_reasons").seed(apps, None)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_moderation_console_is_accessible_left_to_right_and_right_to_left(
    new_context, live_server, language
):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    mod = UserFactory(username="mod", is_staff=True)
    mod.groups.add(Group.objects.get(name="Moderators"))
    video = published_video(alice, title="Alice sunset")
    report = services.report_create(reporter=bob, reason_code="spam", video=video, note="Spam")
    published_video(alice, title="Held clip", moderation_state=Video.ModerationState.HELD)
    comment = comment_create(user=bob, video=video, body="Held words")
    type(comment).objects.filter(pk=comment.pk).update(moderation_state="held")

    console = signed_in(new_context, live_server, mod, js=True, language=language)
    paths = (
        "/admin/moderation/report/",
        f"/admin/moderation/report/{report.pk}/change/",
        "/admin/moderation/report/overview/",
        "/admin/moderation/heldvideo/",
        "/admin/moderation/heldcomment/",
    )
    for path in paths:
        assert console.goto(live_server.url + path).status == 200, path
        expect(console.locator("html")).to_have_attribute(
            "dir", "rtl" if language == "ar" else "ltr"
        )
        assert_accessible(console)

    # An action's note step (our template), reached from the queue as a moderator would.
    console.goto(live_server.url + "/admin/moderation/report/")
    console.get_by_role("row").filter(has_text="Alice sunset").get_by_role("checkbox").check()
    # Options: the blank one, assign to me, dismiss, dismiss all on the account, remove, ...
    console.locator("select[name=action]").select_option(index=4)
    console.locator("button[name=index]").click()
    expect(console.locator("textarea")).to_be_visible()
    assert_accessible(console)
