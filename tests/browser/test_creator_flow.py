"""The creator's flow in real Chromium: after processing, Publish and Save draft sit beside
a compact preview in the first screen; scheduling for later works without JavaScript; a clip
over 5 seconds is trimmed from a start chosen on a strip of its frames (radio buttons, and a
range control with JavaScript)."""

from datetime import timedelta

import pytest
from django.core.files import File
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    assert_in_first_screen,
    log_in,
    processed_video,
)
from tests.factories import UserFactory
from videos import services
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


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory):
    """A 7-second clip: over the 5-second limit, so its creator chooses where to start."""
    from videos import demo_clips

    path = tmp_path_factory.mktemp("clips") / "long.mp4"
    return demo_clips.make_clip(path, recipe=demo_clips.RECIPES[1], seconds=7.0)


def _waiting_for_a_start(owner, clip):
    with clip.open("rb") as handle:
        video = services.video_create_from_upload(
            owner=owner, uploaded_file=File(handle, name="long.mp4"), title="Seven seconds"
        )
    assert video.status == Video.Status.NEEDS_TRIM
    return video


def test_the_trim_step_shows_a_strip_of_frames_and_trims_from_the_chosen_start(
    live_server, new_context, long_clip, js_enabled
):
    video = _waiting_for_a_start(UserFactory(username="alice"), long_clip)
    context = new_context(java_script_enabled=js_enabled)
    page = log_in(context, live_server.url, "alice")
    frames_loaded = []
    page.on(
        "response",
        lambda response: "/trim/frame-" in response.url and frames_loaded.append(response.status),
    )
    page.goto(f"{live_server.url}/studio/{video.short_id}/")

    # Starts from 0 to 2 s keep 5 seconds: a frame for each whole second, labelled with it.
    for second in (0, 1, 2):
        expect(page.get_by_role("radio", name=f"Frame at {second} s")).to_be_visible()
    expect(page.get_by_role("radio", name="Frame at 0 s")).to_be_checked()
    assert frames_loaded and set(frames_loaded) == {200}
    assert_accessible(page)

    start = page.get_by_label("Start time (seconds)")
    if js_enabled:
        slider = page.get_by_role("slider", name="Start of the 5 seconds")
        slider.focus()
        slider.press("End")  # the last start that keeps 5 seconds
        expect(start).to_have_value("2")
        expect(page.get_by_role("radio", name="Frame at 2 s")).to_be_checked()
        expect(page.get_by_text("Keeps 2 s to 7 s")).to_be_visible()
        for _ in range(5):
            slider.press("ArrowLeft")
        expect(start).to_have_value("1.5")
        assert_accessible(page)
        chosen = 1.5
    else:
        expect(page.get_by_role("slider")).to_have_count(0)
        page.get_by_role("radio", name="Frame at 1 s").check()
        chosen = 1.0

    page.get_by_role("button", name="Keep these 5 seconds").click()
    expect(page.get_by_role("status").first).to_contain_text("Got it")
    video.refresh_from_db()
    assert video.trim_start == chosen
    assert video.status == Video.Status.READY
    assert video.duration == pytest.approx(5.0, abs=0.1)


def test_the_trim_step_in_arabic_is_right_to_left_and_axe_clean(
    live_server, new_context, long_clip
):
    video = _waiting_for_a_start(UserFactory(username="alice"), long_clip)
    context = new_context()
    context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page = log_in(context, live_server.url, "alice")
    page.goto(f"{live_server.url}/studio/{video.short_id}/")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_role("slider")).to_be_visible()
    assert_accessible(page)
