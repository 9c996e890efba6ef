"""The creator's flow in real Chromium: after processing, Publish and Save draft sit beside
a compact preview in the first screen; scheduling for later works without JavaScript."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    assert_in_first_screen,
    log_in,
    processed_video,
)
from tests.factories import UserFactory
from videos.models import Video

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}],
    ids=["phone", "desktop"],
)  # fmt: skip
def test_publish_and_save_draft_are_in_the_first_screen_and_scheduling_works(
    live_server, new_context, demo_clip, viewport, js_enabled
):
    alice = UserFactory(username="alice")
    draft = processed_video(alice, demo_clip, title="Fresh out of the oven")
    context = new_context(viewport=viewport, java_script_enabled=js_enabled)
    page = log_in(context, live_server.url, "alice")
    page.goto(f"{live_server.url}/studio/{draft.short_id}/")

    for name in ("Publish", "Save draft"):
        button = page.get_by_role("button", name=name, exact=True)
        assert_in_first_screen(page, button, viewport, name)
    assert_in_first_screen(page, page.locator(".creator-preview video"), viewport, "preview")
    assert_accessible(page)

    page.get_by_label("Schedule for later").check()
    when = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    page.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Scheduled")
    draft.refresh_from_db()
    assert draft.publish_at == when and draft.published_at is None

    page.goto(f"{live_server.url}/studio/")
    expect(page.get_by_role("heading", name="Scheduled")).to_be_visible()
    assert_accessible(page)
    assert Video.objects.get(pk=draft.pk).is_scheduled
