"""Channel layers that carry the request id (core/logging.py) in every group message.

A like posted in a request is fanned out to sockets as one group_send; the message carries
that request's id (`message["request_id"]`), so a consumer that logs about it, in whichever
web process holds the socket, logs under the same id. One small dict copy per group_send,
none per socket.
"""

from channels.layers import InMemoryChannelLayer as _InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer as _RedisPubSubChannelLayer

from core.logging import request_id_var


def _with_request_id(message: dict) -> dict:
    request_id = request_id_var.get()
    if request_id and "request_id" not in message:
        return {**message, "request_id": request_id}
    return message


class RedisPubSubChannelLayer(_RedisPubSubChannelLayer):
    # channels-redis hands every call to a layer of the running event loop (`__getattr__`):
    # there is no group_send of its own to extend, only that one.
    async def group_send(self, group, message):
        await self._get_layer().group_send(group, _with_request_id(message))


class InMemoryChannelLayer(_InMemoryChannelLayer):
    async def group_send(self, group, message):
        await super().group_send(group, _with_request_id(message))
