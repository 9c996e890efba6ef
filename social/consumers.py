"""Sockets that carry news one way: the server's rendered fragments to the page.

Clients only ever send pings; anything else is ignored, and a client that sends too much, or
too large, is disconnected. Who may listen is decided by the same selectors as the pages.
"""

import json
import logging
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from accounts.selectors import hidden_user_ids
from social import realtime
from videos.selectors import video_visible_id

MAX_CLIENT_MESSAGE_BYTES = 1024
CLOSE_POLICY_VIOLATION = 4008
CLOSE_TOO_MANY_MESSAGES = 4029
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_ACCESS_REVOKED = 4003

logger = logging.getLogger(__name__)


class TokenBucket:
    """`capacity` messages at once, refilled at `rate` per second."""

    def __init__(self, capacity: float = 10, rate: float = 1.0, clock=time.monotonic):
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.tokens = capacity
        self.updated = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class FragmentRelay(AsyncWebsocketConsumer):
    group_names: tuple[str, ...] = ()
    # The people whose words this socket's viewer must not see (either side of a block): a
    # fragment that names its author is dropped for them without a database read.
    hidden_ids: frozenset[int] = frozenset()

    # Messages handled without touching the database.
    NO_DATABASE = frozenset({"social.fragment", "websocket.receive"})

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler, in a worker thread:
        # a thread hop per message per socket, most of the cost of fanning one event out to
        # a thousand sockets (bench/realtime.py). Relaying a fragment or answering a ping uses
        # no database; connect's one read goes through database_sync_to_async, which cleans up
        # after itself.
        if message["type"] in self.NO_DATABASE:
            await getattr(self, get_handler_name(message))(message)
        else:
            await super().dispatch(message)

    async def websocket_connect(self, message):
        self.bucket = TokenBucket(
            capacity=settings.SOCKET_MESSAGE_BURST, rate=settings.SOCKET_MESSAGES_PER_SECOND
        )
        await super().websocket_connect(message)

    async def add_group(self, group: str) -> bool:
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception:
            # The channel layer is down or swamped: refuse, and the page polls meanwhile
            # (its script reconnects later, with backoff).
            logger.warning("Could not join %s", group, exc_info=True)
            await self.disconnect(CLOSE_TRY_AGAIN_LATER)
            self.group_names = ()
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return False
        self.group_names += (group,)
        return True

    async def join(self, group: str) -> None:
        if await self.add_group(group):
            await self.accept()

    async def disconnect(self, code):
        for group in self.group_names:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                # Best effort: a channel that stays in the group expires with it
                # (group_expiry), and sends to it are dropped meanwhile.
                logger.info("Could not leave %s", group, exc_info=True)

    async def receive(self, text_data=None, bytes_data=None):
        if not self.bucket.allow():
            await self.close(code=CLOSE_TOO_MANY_MESSAGES)
            return
        if bytes_data is not None or len(text_data or "") > MAX_CLIENT_MESSAGE_BYTES:
            await self.close(code=CLOSE_POLICY_VIOLATION)
            return
        try:
            data = json.loads(text_data)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("type") == "ping":
            await self.send(text_data=json.dumps({"type": "pong"}))
        # Anything else (including messages dressed up as the server's) is ignored: nothing a
        # client sends is ever relayed to anyone.

    async def social_fragment(self, event):
        # Rendered and encoded once for the whole group (social.realtime): only forwarded here,
        # unless its author is hidden from this viewer (then what is left, if anything).
        text = event["text"]
        if self.hidden_ids and event.get("author_id") in self.hidden_ids:
            text = event.get("otherwise")
            if text is None:
                return
        await self.send(text_data=text)


def _video_access(*, short_id: str, user) -> tuple[int | None, frozenset[int]]:
    """The video's id if `user` may see it (else None), and the people hidden from them."""
    return (
        video_visible_id(short_id=short_id, user=user),
        hidden_user_ids(viewer=user, include_muted=False),
    )


class VideoConsumer(FragmentRelay):
    """ws/videos/<short_id>/: a video's like count and comments, for those who may see it.

    A signed-in viewer's socket also listens to their own group, where a block or an unblock
    tells it to check again (the next message already follows the new rule)."""

    async def connect(self):
        self.short_id = self.scope["url_route"]["kwargs"]["short_id"]
        user = self.scope.get("user")
        # Listening for changes before reading the state: a block made in between is not lost.
        signed_in = user is not None and user.is_authenticated
        if signed_in and not await self.add_group(realtime.viewer_group(user.pk)):
            return
        video_id, self.hidden_ids = await database_sync_to_async(_video_access)(
            short_id=self.short_id, user=user
        )
        if video_id is None:
            await self.disconnect(CLOSE_ACCESS_REVOKED)
            self.group_names = ()
            await self.close()
            return
        await self.join(realtime.video_group(video_id))

    async def social_recheck(self, event):
        # Who may see the video, or whom this viewer may see, changed (visibility, take-down,
        # deletion, a block): ask again, and stop listening if the video is gone for them.
        video_id, self.hidden_ids = await database_sync_to_async(_video_access)(
            short_id=self.short_id, user=self.scope.get("user")
        )
        if video_id is None:
            await self.disconnect(CLOSE_ACCESS_REVOKED)
            self.group_names = ()
            await self.close(code=CLOSE_ACCESS_REVOKED)


class NotificationConsumer(FragmentRelay):
    """ws/notifications/: the signed-in user's unread badge."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        await self.join(realtime.user_group(user.pk))
