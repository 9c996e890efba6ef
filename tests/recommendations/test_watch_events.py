"""Watch events from the players: validated, stored append-only, views counted per hour."""

import json
import uuid

import pytest
from django.core.exceptions import ValidationError

from recommendations.models import WatchEvent
from tests.conftest import csrf_post
from tests.factories import published_video
from videos.models import Video

pytestmark = pytest.mark.django_db

VIEWER = str(uuid.uuid4())


def send(client, events, viewer=VIEWER, **extra):
    return csrf_post(client, "/events", {"viewer": viewer, "batch": json.dumps(events)}, **extra)


@pytest.fixture
def video(alice):
    return published_video(alice)


def test_a_batch_is_stored_and_a_play_counts_one_view(client, video):
    response = send(
        client,
        [
            {"video": video.short_id, "kind": "impression"},
            {"video": video.short_id, "kind": "play"},
            {"video": video.short_id, "kind": "watch", "watch_ms": 4800, "position_ms": 4800},
            {"video": video.short_id, "kind": "complete", "position_ms": 5000},
            {"video": video.short_id, "kind": "loop"},
        ],
    )

    assert response.status_code == 204
    assert list(WatchEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        "impression", "play", "watch", "complete", "loop",
    ]  # fmt: skip
    event = WatchEvent.objects.get(kind="watch")
    assert (event.watch_ms, event.user) == (4800, None)
    # The viewer id is the server's, from the signed cookie it issued; not the client's.
    assert str(event.viewer_id) != VIEWER
    assert event.viewer_id.hex in response.cookies["mv_viewer"].value
    video.refresh_from_db()
    assert video.view_count == 1


def test_a_view_counts_once_per_viewer_per_hour(client, video, bob):
    from django.test import Client

    play = [{"video": video.short_id, "kind": "play"}]
    send(client, play)
    send(client, play)  # reloading the page is not another view
    other_browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.9")
    send(other_browser, play)  # another anonymous viewer is
    client.force_login(bob)
    send(client, play)
    send(client, play, viewer=str(uuid.uuid4()))  # bob on another device: still bob

    video.refresh_from_db()
    assert video.view_count == 3
    assert WatchEvent.objects.filter(user=bob).count() == 2


def test_creators_own_plays_are_not_views(client, video, alice):
    client.force_login(alice)

    send(client, [{"video": video.short_id, "kind": "play"}])

    video.refresh_from_db()
    assert video.view_count == 0


@pytest.mark.parametrize(
    ("batch", "viewer"),
    [
        ("not json", VIEWER),
        (json.dumps({"video": "x"}), VIEWER),
        (json.dumps([]), VIEWER),
        (json.dumps([{"video": "abc", "kind": "teleport"}]), VIEWER),
        (json.dumps([{"video": "abc", "kind": "watch", "watch_ms": -5}]), VIEWER),
        (json.dumps([{"video": "abc", "kind": "watch", "watch_ms": 1e12}]), VIEWER),
        (json.dumps([{"video": "'; DROP TABLE--", "kind": "play"}]), VIEWER),
        (json.dumps([{"video": "abc", "kind": "play"}] * 51), VIEWER),
    ],
    ids=["not-json", "not-a-list", "empty", "kind", "negative", "huge", "bad-id", "too-many"],
)  # fmt: skip
def test_malformed_batches_are_400_and_nothing_is_stored(client, video, batch, viewer):
    batch = batch.replace("abc", video.short_id)

    response = csrf_post(client, "/events", {"viewer": viewer, "batch": batch})

    assert response.status_code == 400
    assert "error" in response.json()
    assert not WatchEvent.objects.exists()


def test_flooding_is_429(client, video, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "events": "3/h/user_or_ip"}
    statuses = [send(client, [{"video": video.short_id, "kind": "impression"}]).status_code
                for _ in range(5)]  # fmt: skip

    assert statuses == [204, 204, 204, 429, 429]
    assert WatchEvent.objects.count() == 3


def test_events_need_the_csrf_token(client, video):
    response = client.post("/events", {"viewer": VIEWER, "batch": "[]"})

    assert response.status_code == 403
    assert not WatchEvent.objects.exists()


def test_events_for_videos_the_viewer_may_not_watch_are_dropped(client, alice, bob):
    private = published_video(alice, visibility=Video.Visibility.PRIVATE)
    client.force_login(bob)

    response = send(client, [{"video": private.short_id, "kind": "play"},
                             {"video": "gone123", "kind": "play"}])  # fmt: skip

    assert response.status_code == 204
    assert not WatchEvent.objects.exists()
    private.refresh_from_db()
    assert private.view_count == 0


def test_events_are_append_only(video):
    event = WatchEvent.objects.create(video=video, viewer_id=uuid.uuid4(), kind="play")
    event.kind = "loop"

    with pytest.raises(ValidationError):
        event.save()


def test_events_carry_the_traffic_source_and_the_swipe_away_point(client, video):
    response = send(
        client,
        [
            {"video": video.short_id, "kind": "play", "source": "search"},
            {"video": video.short_id, "kind": "leave", "source": "search", "position_ms": 2300},
        ],
    )

    assert response.status_code == 204
    assert list(WatchEvent.objects.order_by("pk").values_list("kind", "source", "position_ms")) == [
        ("play", "search", 0),
        ("leave", "search", 2300),
    ]


def test_an_unknown_traffic_source_rejects_the_whole_batch(client, video):
    response = send(
        client,
        [
            {"video": video.short_id, "kind": "play"},
            {"video": video.short_id, "kind": "play", "source": "billboard"},
        ],
    )

    assert response.status_code == 400
    assert not WatchEvent.objects.exists()
