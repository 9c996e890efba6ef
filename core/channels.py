"""Channel layers that carry the request id (core/logging.py) in every group message.

A like posted in a request is fanned out to sockets as one group_send; the message carries
that request's id (`message["request_id"]`), so a consumer that logs about it, in whichever
web process holds the socket, logs under the same id. One small dict copy per group_send,
none per socket.
"""

from channels.layers import InMemoryChannelLayer as _InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer as _RedisPubSubChannelLayer

from core.logging import request_id_var


class _RequestIdGroupSend:
    async def group_send(self, group, message):
        request_id = request_id_var.get()
        if request_id and "request_id" not in message:
            message = {**message, "request_id": request_id}
        await super().group_send(group, message)


class RedisPubSubChannelLayer(_RequestIdGroupSend, _RedisPubSubChannelLayer):
    pass


class InMemoryChannelLayer(_RequestIdGroupSend, _InMemoryChannelLayer):
    pass
