"""Shares: the share box's Copy and system-share controls send a `share` event to the
players' events endpoint; the roll-up counts one share per viewer per video per hour, and the
creator sees it in the dashboard, the video page and the API."""

import json

import pytest
from django.test import Client

from analytics import services
from analytics.selectors import video_totals
from recommendations.models import WatchEvent
from tests.conftest import csrf_post
from tests.factories import published_video

pytestmark = pytest.mark.django_db


def share(client, video):
    batch = json.dumps([{"video": video.short_id, "kind": "share"}])
    return csrf_post(client, "/events", {"batch": batch})


@pytest.fixture
def clip(alice):
    return published_video(alice, title="Sunset loop", duration=5.0)


def test_a_share_through_the_events_endpoint_counts_once_per_viewer(client, alice, clip):
    # The same viewer copies the link, then the embed code: one share in that hour.
    assert share(client, clip).status_code == 204
    assert share(client, clip).status_code == 204
    assert WatchEvent.objects.filter(video=clip, kind="share").count() == 2
    services.stats_rollup()

    owner = Client(enforce_csrf_checks=True)
    owner.force_login(alice)
    assert owner.get(f"/api/v1/studio/videos/{clip.short_id}/stats").json()["shares"] == 1
    assert owner.get("/api/v1/studio/stats").json()["totals"]["shares"] == 1
    dashboard = owner.get("/studio/analytics")
    assert dashboard.context["totals"]["shares"] == 1
    assert dashboard.context["videos"][0]["shares"] == 1
    assert owner.get(f"/studio/analytics/v/{clip.short_id}").context["totals"]["shares"] == 1


def test_shares_by_two_viewers_are_two_shares(client, clip):
    share(client, clip)
    share(Client(enforce_csrf_checks=True), clip)
    services.stats_rollup()
    assert video_totals(video=clip, days=1)["shares"] == 2


def test_the_creators_own_shares_are_not_counted(client, alice, clip):
    client.force_login(alice)
    share(client, clip)
    services.stats_rollup()
    assert video_totals(video=clip, days=1)["shares"] == 0


def test_the_share_box_knows_where_to_record_a_share(client, clip):
    html = client.get(f"/v/{clip.short_id}").content.decode()
    assert f'data-share-video="{clip.short_id}"' in html
    assert 'data-share-events-url="/events"' in html
