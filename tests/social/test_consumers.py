"""The sockets: who may listen, what they hear after each write, and what clients may not do."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from microvid.asgi import application
from social import realtime, services
from social.consumers import (
    CLOSE_ACCESS_REVOKED,
    CLOSE_POLICY_VIOLATION,
    CLOSE_TOO_MANY_MESSAGES,
    TokenBucket,
)
from tests.aio import run_async
from videos import services as video_services

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "http://127.0.0.1"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def socket(path, user=None, origin=SITE):
    headers = [(b"host", b"127.0.0.1"), (b"origin", origin.encode())]
    if user is not None:
        headers.append((b"cookie", f"sessionid={session_cookie(user)}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def as_thread(function):
    return database_sync_to_async(function)


async def fragments(communicator, count):
    """The next `count` fragments, checking that each event came as one frame."""
    items = []
    while len(items) < count:
        frame = json.loads(await communicator.receive_from(timeout=3))
        assert frame["type"] == "fragments"
        items += frame["items"]
    assert len(items) == count, items
    return items


def test_viewers_see_likes_and_comments_arrive(video, bob):
    path = f"/ws/videos/{video.short_id}/"
    viewer = socket(path)  # anonymous: a public video is for everyone

    async def scenario():
        connected, _ = await viewer.connect()
        assert connected

        await as_thread(services.like_create)(user=bob, video=video)
        [count] = await fragments(viewer, 1)
        assert count["op"] == "replace" and count["target"] == f"like-count-{video.short_id}"
        assert "1 like" in count["html"]

        comment = await as_thread(services.comment_create)(
            user=bob, video=video, body="<b>bold</b> @alice"
        )
        added, comment_count = await fragments(viewer, 2)
        assert added["op"] == "prepend" and added["target"] == f"comment-items-{video.short_id}"
        assert added["id"] == f"comment-{comment.pk}"
        assert "&lt;b&gt;bold&lt;/b&gt;" in added["html"] and "<b>" not in added["html"]
        assert 'class="mention"' in added["html"]
        assert "1 comment" in comment_count["html"]

        reply = await as_thread(services.comment_create)(
            user=video.owner, video=video, body="Thanks", parent=comment
        )
        added_reply, _ = await fragments(viewer, 2)
        assert (added_reply["op"], added_reply["target"]) == ("append", f"replies-{comment.pk}")

        await as_thread(services.comment_delete)(user=bob, comment=comment)
        removed, recount = await fragments(viewer, 2)
        assert (removed["op"], removed["target"]) == ("remove", f"comment-{comment.pk}")
        assert "0 comments" in recount["html"]
        assert reply.pk  # went with its comment
        await viewer.disconnect()

    run_async(scenario)


def test_private_videos_and_drafts_are_for_their_creator_only(private_video, draft_video, carol):
    cases = [
        (socket(f"/ws/videos/{hidden.short_id}/", carol),
         socket(f"/ws/videos/{hidden.short_id}/"),
         socket(f"/ws/videos/{hidden.short_id}/", hidden.owner))
        for hidden in (private_video, draft_video)
    ]  # fmt: skip
    missing = socket("/ws/videos/nope/")

    async def scenario():
        for stranger, anonymous, owner in cases:
            assert not (await stranger.connect())[0]
            assert not (await anonymous.connect())[0]
            assert (await owner.connect())[0]
            await owner.disconnect()
        assert not (await missing.connect())[0]

    run_async(scenario)


def test_sockets_from_another_origin_are_refused(video, bob):
    foreign = [
        socket(f"/ws/videos/{video.short_id}/", origin="https://evil.example"),
        socket("/ws/notifications/", bob, origin="https://evil.example"),
    ]

    async def scenario():
        for client in foreign:
            connected, _ = await client.connect()
            assert not connected

    run_async(scenario)


def test_forged_client_messages_are_ignored_and_never_relayed(video, bob):
    path = f"/ws/videos/{video.short_id}/"
    forger, bystander = socket(path, bob), socket(path)

    async def scenario():
        assert (await forger.connect())[0] and (await bystander.connect())[0]
        forged = {
            "type": "social.fragment",
            "op": "replace",
            "target": f"like-count-{video.short_id}",
            "html": "<img src=x onerror=alert(1)>",
        }
        await forger.send_to(text_data=json.dumps(forged))
        smuggled = {
            "type": "social.fragment",
            "text": json.dumps({"type": "fragments", "items": [forged]}),
        }
        await forger.send_to(text_data=json.dumps(smuggled))
        await forger.send_to(text_data="not json at all")
        await forger.send_to(text_data=json.dumps(["a", "list"]))
        assert await bystander.receive_nothing(timeout=0.3)
        assert await forger.receive_nothing(timeout=0.1)

        await forger.send_to(text_data=json.dumps({"type": "ping"}))
        assert json.loads(await forger.receive_from()) == {"type": "pong"}
        await forger.disconnect()
        await bystander.disconnect()

    run_async(scenario)


def test_oversized_or_binary_messages_close_the_socket(video):
    async def scenario():
        for payload in ({"text_data": "x" * 5000}, {"bytes_data": b"\x00\x01"}):
            client = socket(f"/ws/videos/{video.short_id}/")
            assert (await client.connect())[0]
            await client.send_to(**payload)
            closed = await client.receive_output(timeout=2)
            assert closed == {"type": "websocket.close", "code": CLOSE_POLICY_VIOLATION}

    run_async(scenario)


def test_chatty_clients_are_disconnected(video):
    client = socket(f"/ws/videos/{video.short_id}/")

    async def scenario():
        assert (await client.connect())[0]
        for _ in range(11):
            await client.send_to(text_data="{}")
        closed = await client.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": CLOSE_TOO_MANY_MESSAGES}

    run_async(scenario)


def test_token_bucket_refills():
    now = [0.0]
    bucket = TokenBucket(capacity=2, rate=1.0, clock=lambda: now[0])

    assert bucket.allow() and bucket.allow() and not bucket.allow()
    now[0] = 1.0
    assert bucket.allow() and not bucket.allow()


def test_the_unread_badge_is_live_for_its_owner_only(video, alice, bob):
    anonymous = socket("/ws/notifications/")
    owner, other = socket("/ws/notifications/", alice), socket("/ws/notifications/", bob)

    async def scenario():
        assert not (await anonymous.connect())[0]
        assert (await owner.connect())[0] and (await other.connect())[0]

        await as_thread(services.like_create)(user=bob, video=video)
        [badge] = await fragments(owner, 1)
        assert badge["target"] == "notification-badge" and "(1 unread)" in badge["html"]
        assert await other.receive_nothing(timeout=0.2)

        await as_thread(services.notifications_mark_read)(user=alice)
        [badge] = await fragments(owner, 1)
        assert "unread" not in badge["html"]
        await owner.disconnect()
        await other.disconnect()

    run_async(scenario)


@pytest.mark.redis
def test_an_idle_socket_still_hears_the_next_like_on_redis(video, bob):
    # redis-py reads time out after 5 s by default, as long as channels-redis blocks waiting
    # for a message: without a longer socket timeout every quiet socket died after 5 s.
    viewer = socket(f"/ws/videos/{video.short_id}/")

    async def scenario():
        assert (await viewer.connect())[0]
        assert await viewer.receive_nothing(timeout=7)

        await as_thread(services.like_create)(user=bob, video=video)
        [count] = await fragments(viewer, 1)
        assert "1 like" in count["html"]
        await viewer.disconnect()

    run_async(scenario)


def test_relaying_a_fragment_costs_no_database_round_trip(video, bob, monkeypatch):
    # Channels would close stale database connections (in a worker thread) before every
    # message to every socket: the most expensive part of a fan-out to a thousand viewers.
    import channels.consumer

    hops = []
    original = channels.consumer.aclose_old_connections

    async def counting():
        hops.append(1)
        await original()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting)
    viewer = socket(f"/ws/videos/{video.short_id}/")

    async def scenario():
        assert (await viewer.connect())[0]
        before = len(hops)

        await as_thread(services.like_create)(user=bob, video=video)
        await fragments(viewer, 1)
        await viewer.send_to(text_data=json.dumps({"type": "ping"}))
        assert json.loads(await viewer.receive_from()) == {"type": "pong"}

        assert len(hops) == before
        await viewer.disconnect()

    run_async(scenario)


def test_a_block_applies_to_the_very_next_socket_message(video, bob, carol):
    # One rendering for the whole group, yet bob's open page stops receiving carol's comments
    # the moment he blocks her (the count still comes), and gets them again once he unblocks.
    from accounts import services as accounts

    path = f"/ws/videos/{video.short_id}/"
    blocker, anonymous = socket(path, bob), socket(path)

    async def scenario():
        assert (await blocker.connect())[0] and (await anonymous.connect())[0]

        await as_thread(accounts.block_create)(blocker=bob, blocked=carol)
        comment = await as_thread(services.comment_create)(user=carol, video=video, body="Hi")
        [count] = await fragments(blocker, 1)
        assert count["target"] == f"comment-count-{video.short_id}"
        added, _ = await fragments(anonymous, 2)
        assert added["id"] == f"comment-{comment.pk}"

        await as_thread(accounts.block_delete)(blocker=bob, blocked=carol)
        again = await as_thread(services.comment_create)(user=carol, video=video, body="Back")
        added, _ = await fragments(blocker, 2)
        assert added["id"] == f"comment-{again.pk}"
        await fragments(anonymous, 2)
        await blocker.disconnect()
        await anonymous.disconnect()

    run_async(scenario)


def test_being_blocked_by_the_creator_closes_their_video_socket(video, bob):
    from accounts import services as accounts

    viewer = socket(f"/ws/videos/{video.short_id}/", bob)

    async def scenario():
        assert (await viewer.connect())[0]
        await as_thread(accounts.block_create)(blocker=video.owner, blocked=bob)
        closed = await viewer.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": CLOSE_ACCESS_REVOKED}

    run_async(scenario)


def test_a_block_clears_the_blockers_unread_badge_live(video, bob):
    from accounts import services as accounts

    alice = video.owner
    badge_socket = socket("/ws/notifications/", alice)

    async def scenario():
        assert (await badge_socket.connect())[0]
        await as_thread(services.like_create)(user=bob, video=video)
        [badge] = await fragments(badge_socket, 1)
        assert "(1 unread)" in badge["html"]

        await as_thread(accounts.block_create)(blocker=alice, blocked=bob)
        [badge] = await fragments(badge_socket, 1)
        assert "unread" not in badge["html"]
        await badge_socket.disconnect()

    run_async(scenario)


# --- the right to listen is checked again when the video's visibility changes (issue 12) ------
def _make_private(video):
    return video_services.video_update(
        video=video, by=video.owner, title=video.title, description=video.description,
        visibility="private", comments_enabled=True,
    )  # fmt: skip


def test_strangers_are_disconnected_when_the_video_turns_private(video, carol):
    path = f"/ws/videos/{video.short_id}/"
    stranger, anonymous, owner = socket(path, carol), socket(path), socket(path, video.owner)

    async def scenario():
        for client in (stranger, anonymous, owner):
            assert (await client.connect())[0]

        await as_thread(_make_private)(video)

        for client in (stranger, anonymous):
            closed = await client.receive_output(timeout=3)
            assert closed == {"type": "websocket.close", "code": CLOSE_ACCESS_REVOKED}
        assert await owner.receive_nothing(timeout=0.3)  # the creator may still listen ...
        await as_thread(realtime.send_like_count)(video.pk)
        [count] = await fragments(owner, 1)  # ... and still hears the video
        assert count["target"] == f"like-count-{video.short_id}"
        for client in (stranger, anonymous):  # nothing reaches the closed sockets
            assert await client.receive_nothing(timeout=0.3)
        await owner.disconnect()

    run_async(scenario)


def test_every_listener_is_disconnected_when_the_video_is_deleted(video, carol):
    path = f"/ws/videos/{video.short_id}/"
    listener = socket(path, carol)

    async def scenario():
        assert (await listener.connect())[0]

        await as_thread(video_services.video_delete)(video=video, by=video.owner)

        closed = await listener.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": CLOSE_ACCESS_REVOKED}

    run_async(scenario)


def test_a_visibility_change_that_keeps_the_video_public_keeps_its_listeners(video, carol):
    path = f"/ws/videos/{video.short_id}/"
    listener = socket(path, carol)

    async def scenario():
        assert (await listener.connect())[0]

        await as_thread(video_services.video_media_relocate)(video=video)  # a re-check, no loss

        assert await listener.receive_nothing(timeout=0.5)
        await as_thread(services.like_create)(user=video.owner, video=video)
        [count] = await fragments(listener, 1)
        assert "1 like" in count["html"]
        await listener.disconnect()

    run_async(scenario)


def test_a_removed_video_closes_its_open_sockets_at_once(video, bob):
    # A moderator's removal moves the video's files, and every open page's socket re-checks
    # its viewer at once: nobody may watch it now, so each socket is closed.
    signed_in, anonymous = (
        socket(f"/ws/videos/{video.short_id}/", bob),
        socket(f"/ws/videos/{video.short_id}/"),
    )

    async def scenario():
        assert (await signed_in.connect())[0] and (await anonymous.connect())[0]
        await as_thread(video_services.video_set_moderation_state)(video=video, state="removed")
        for viewer in (signed_in, anonymous):
            closed = await viewer.receive_output(timeout=3)
            assert closed == {"type": "websocket.close", "code": CLOSE_ACCESS_REVOKED}

    run_async(scenario)
