"""Finding 7 of issue 12: a socket's right to a video's live updates is checked again when
the video's visibility changes or it is deleted, not only at connect."""

import pytest

from tests.aio import run_async
from tests.social.test_consumers import as_thread, socket
from videos import services

pytestmark = pytest.mark.django_db(transaction=True)


def _make_private(video):
    return services.video_update(
        video=video, by=video.owner, title=video.title, description=video.description,
        visibility="private", comments_enabled=True,
    )  # fmt: skip


def test_a_stranger_is_disconnected_when_the_video_turns_private(video, carol):
    path = f"/ws/videos/{video.short_id}/"
    stranger, anonymous, owner = socket(path, carol), socket(path), socket(path, video.owner)

    async def scenario():
        for client in (stranger, anonymous, owner):
            assert (await client.connect())[0]

        await as_thread(_make_private)(video)

        for client in (stranger, anonymous):
            closed = await client.receive_output(timeout=3)
            assert closed["type"] == "websocket.close"
        assert await owner.receive_nothing(timeout=0.3)  # the creator may still listen
        await owner.disconnect()

    run_async(scenario)


def test_every_listener_is_disconnected_when_the_video_is_deleted(video, carol):
    path = f"/ws/videos/{video.short_id}/"
    listener = socket(path, carol)

    async def scenario():
        assert (await listener.connect())[0]

        await as_thread(services.video_delete)(video=video, by=video.owner)

        closed = await listener.receive_output(timeout=3)
        assert closed["type"] == "websocket.close"

    run_async(scenario)
