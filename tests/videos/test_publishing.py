"""Publishing from the studio: now, scheduled for later, or kept as a draft; the studio lists
drafts, scheduled and published videos; quality levels are named after the short side."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import csrf_post
from tests.factories import published_video
from videos import services, tasks
from videos.models import Rendition, Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(alice):
    return published_video(alice, title="My draft", published_at=None)


def publish_url(video):
    return reverse("videos:publish", args=[video.short_id])


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_processed_draft_shows_publish_and_save_draft_beside_its_preview(client, alice, draft):
    client.force_login(alice)

    page = client.get(reverse("videos:manage", args=[draft.short_id])).content.decode()

    assert 'class="creator-preview"' in page
    assert 'name="action" value="publish"' in page and 'name="action" value="draft"' in page
    assert 'type="datetime-local"' in page
    # The preview comes before the captions and details, so the buttons are in the first screen.
    assert page.index("Save draft") < page.index('id="captions-heading"')


def test_publish_now(client, alice, draft):
    client.force_login(alice)

    response = csrf_post(client, publish_url(draft), {"action": "publish", "when": "now"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None and draft.publish_at is None


def test_schedule_for_later_keeps_it_a_draft_until_the_time_comes(client, alice, bob, draft):
    client.force_login(alice)
    when = timezone.now() + timedelta(days=1)

    response = csrf_post(
        client, publish_url(draft), {"action": "publish", "when": "later",
                                     "publish_at": local_input(when)}
    )  # fmt: skip

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is None and draft.is_scheduled
    assert draft.publish_at == when.replace(second=0, microsecond=0)
    client.force_login(bob)
    assert client.get(f"/v/{draft.short_id}").status_code == 404

    # Not yet due: nothing happens; once due, it is published, dated at its scheduled time.
    assert services.videos_publish_due() == []
    assert services.videos_publish_due(now=when + timedelta(minutes=1)) == [draft.pk]
    draft.refresh_from_db()
    assert draft.published_at == when.replace(second=0, microsecond=0)
    assert draft.publish_at is None
    assert client.get(f"/v/{draft.short_id}").status_code == 200
    # Running again changes nothing.
    assert services.videos_publish_due(now=when + timedelta(minutes=2)) == []


def test_the_periodic_task_publishes_what_is_due(alice):
    due = published_video(alice, published_at=None)
    later = published_video(alice, published_at=None)
    Video.objects.filter(pk=due.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    Video.objects.filter(pk=later.pk).update(publish_at=timezone.now() + timedelta(hours=1))

    assert tasks.publish_scheduled_videos() == 1

    assert Video.objects.get(pk=due.pk).is_published
    assert not Video.objects.get(pk=later.pk).is_published


@pytest.mark.parametrize(
    ("publish_at", "message"),
    [("", "Choose the date and time to publish it."), ("past", "Choose a time in the future.")],
    ids=["missing", "in-the-past"],
)
def test_a_bad_schedule_is_refused_with_a_message_and_keeps_the_input(
    client, alice, draft, publish_at, message
):
    client.force_login(alice)
    value = local_input(timezone.now() - timedelta(hours=2)) if publish_at == "past" else ""

    response = csrf_post(
        client, publish_url(draft), {"action": "publish", "when": "later", "publish_at": value}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if value:
        assert f'value="{value}"' in page  # what was typed is still there
    assert re.search(r'value="later"[^>]*checked', page)
    draft.refresh_from_db()
    assert draft.published_at is None and draft.publish_at is None


def test_save_draft_cancels_a_schedule(client, alice, draft):
    Video.objects.filter(pk=draft.pk).update(publish_at=timezone.now() + timedelta(days=2))
    client.force_login(alice)

    response = csrf_post(client, publish_url(draft), {"action": "draft"})

    assert response.status_code == 302 and response["Location"] == reverse("videos:studio")
    draft.refresh_from_db()
    assert draft.publish_at is None and draft.published_at is None


@pytest.mark.parametrize("action", ["publish", "draft"])
def test_another_user_cannot_schedule_or_unschedule(client, draft, carol, action):
    scheduled = timezone.now() + timedelta(days=2)
    Video.objects.filter(pk=draft.pk).update(publish_at=scheduled)
    client.force_login(carol)

    response = csrf_post(
        client, publish_url(draft), {"action": action, "when": "later",
                                     "publish_at": local_input(scheduled + timedelta(days=1))}
    )  # fmt: skip

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.publish_at == scheduled and draft.published_at is None


def test_the_studio_lists_drafts_scheduled_and_published_videos(client, alice, bob):
    published_video(alice, title="Out there")
    published_video(alice, title="Not yet", published_at=None)
    soon = published_video(alice, title="Coming soon", published_at=None)
    Video.objects.filter(pk=soon.pk).update(publish_at=timezone.now() + timedelta(days=1))
    published_video(alice, title="Still cooking", status=Video.Status.PROCESSING, published_at=None)
    published_video(bob, title="Someone else's")
    client.force_login(alice)

    page = client.get(reverse("videos:studio")).content.decode()

    headings = ["Not ready yet", "Drafts", "Scheduled", "Published"]
    positions = [page.index(f'">{heading}') for heading in headings]
    assert positions == sorted(positions)
    assert page.index("Still cooking") < page.index("Not yet") < page.index("Coming soon")
    assert page.index("Coming soon") < page.index("Out there")
    assert "Someone else" not in page


def test_quality_levels_are_named_after_the_short_side(alice, client):
    video = published_video(alice, width=720, height=1280)
    for width, height in [(240, 426), (720, 1280), (1080, 1920)]:
        Rendition.objects.create(
            video=video, width=width, height=height, bandwidth=1, average_bandwidth=1,
            codecs="avc1", playlist="x.m3u8",
        )  # fmt: skip
    client.force_login(alice)

    page = client.get(reverse("videos:manage", args=[video.short_id])).content.decode()

    assert "240p, 720p, 1080p" in page
    assert "1920p" not in page
