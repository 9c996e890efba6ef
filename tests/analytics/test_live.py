"""Live counters on a video's analytics page: the plays so far today reach the socket of whoever
may read the video's analytics as players report them; nobody else may listen; the page shows
the same numbers without JavaScript and polls them while the socket is down."""

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.cache import cache
from django.test import Client

from analytics import live, selectors
from recommendations.models import WatchEvent
from recommendations.services import watch_events_record
from tests.aio import run_async
from tests.factories import published_video
from tests.social.test_consumers import fragments, socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clip(alice):
    return published_video(alice, title="Sunset loop", duration=5.0)


def play(video, *, user=None, viewer=None):
    batch = [{"video": video.short_id, "kind": "play"}, {"video": video.short_id, "kind": "loop"}]
    return watch_events_record(
        user=user or AnonymousUser(), viewer_id=viewer or uuid.uuid4(), raw_batch=json.dumps(batch)
    )


def test_the_owner_sees_plays_today_arrive_live(alice, clip):
    path = f"/ws/studio/videos/{clip.short_id}/live/"
    owner = socket(path, alice)
    viewer = uuid.uuid4()

    async def scenario():
        connected, _ = await owner.connect()
        assert connected

        await database_sync_to_async(play)(clip, viewer=viewer)
        [fragment] = await fragments(owner, 1)
        assert fragment["op"] == "replace" and fragment["target"] == f"live-plays-{clip.short_id}"
        assert ">1</span>" in fragment["html"]

        # The same viewer again within the hour is the same play, as in the roll-up.
        await database_sync_to_async(play)(clip, viewer=viewer)
        [again] = await fragments(owner, 1)
        assert ">1</span>" in again["html"]

        await database_sync_to_async(play)(clip)
        [second] = await fragments(owner, 1)
        assert ">2</span>" in second["html"]

        # Pings keep the socket listening; a client cannot push numbers to anyone.
        await owner.send_to(text_data=json.dumps({"type": "ping"}))
        assert json.loads(await owner.receive_from(timeout=3)) == {"type": "pong"}
        await owner.disconnect()

    run_async(scenario)


def test_the_creators_own_plays_are_not_pushed_or_counted(alice, clip):
    owner = socket(f"/ws/studio/videos/{clip.short_id}/live/", alice)

    async def scenario():
        assert (await owner.connect())[0]
        await database_sync_to_async(play)(clip, user=alice)
        assert await owner.receive_nothing(timeout=0.3)
        await owner.disconnect()

    run_async(scenario)
    assert WatchEvent.objects.filter(kind="play").count() == 1
    assert selectors.video_plays_today(video=clip) == 0


def test_only_the_owner_and_permitted_moderators_may_listen(alice, bob, mod, clip):
    path = f"/ws/studio/videos/{clip.short_id}/live/"

    def connects(user, where=path):
        communicator = socket(where, user)  # the session is made here, outside the loop

        async def attempt():
            connected, _ = await communicator.connect()
            await communicator.disconnect()
            return connected

        return run_async(attempt)

    assert not connects(None)  # signed out
    assert not connects(bob)  # another creator
    assert not connects(mod)  # a moderator without the permission
    assert not connects(alice, "/ws/studio/videos/nope/live/")
    mod.user_permissions.add(Permission.objects.get(codename="view_any_stats"))
    assert connects(mod)


def test_plays_are_counted_only_while_someone_follows_them(alice, clip, django_assert_num_queries):
    # Nobody has the page open: a reported play costs one cache read, no query.
    with django_assert_num_queries(0):
        live.send_plays_today([clip.pk])

    owner = socket(f"/ws/studio/videos/{clip.short_id}/live/", alice)

    async def open_page():
        assert (await owner.connect())[0]
        assert await cache.aget(live.listening_key(clip.pk)) == 1
        await owner.disconnect()

    run_async(open_page)


def test_the_page_shows_plays_today_and_polls_them(client, alice, bob, clip):
    play(clip)
    play(clip)
    client.force_login(alice)

    page = client.get(f"/studio/analytics/v/{clip.short_id}")
    html = page.content.decode()
    assert f'id="live-plays-{clip.short_id}">2</span>' in html
    assert f'data-live-stats="/ws/studio/videos/{clip.short_id}/live/"' in html
    assert f'id="like-count-{clip.short_id}"' in html

    fragment = client.get(
        f"/studio/analytics/v/{clip.short_id}/live", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert f'id="live-plays-{clip.short_id}">2</span>' in fragment.content.decode()

    plain = client.get(f"/studio/analytics/v/{clip.short_id}/live")
    assert plain.status_code == 302 and plain["Location"] == f"/studio/analytics/v/{clip.short_id}"

    other = Client()
    other.force_login(bob)
    assert other.get(f"/studio/analytics/v/{clip.short_id}/live").status_code == 404


def test_a_failing_push_never_fails_the_players_events(alice, clip, monkeypatch):
    def broken(video_ids):
        raise RuntimeError("the cache is gone")

    monkeypatch.setattr(live, "send_plays_today", broken)
    assert play(clip) == 2
    assert WatchEvent.objects.filter(video=clip, kind="play").count() == 1
