"""The analytics page's socket: a video's live counters, for those who may read its analytics
(the owner, and moderators with the permission). It only relays; see analytics.live."""

from channels.db import database_sync_to_async
from django.core.cache import cache

from analytics import live, selectors
from social.consumers import FragmentRelay


class VideoStatsConsumer(FragmentRelay):
    """ws/studio/videos/<short_id>/live/: the plays so far today of one video."""

    async def connect(self):
        short_id = self.scope["url_route"]["kwargs"]["short_id"]
        video_id = await database_sync_to_async(selectors.video_id_for_live_stats)(
            short_id=short_id, user=self.scope.get("user")
        )
        if video_id is None:
            await self.close()
            return
        self.video_id = video_id
        await self.join(live.stats_group(video_id))
        if self.group_names:
            await self._mark_listening()

    async def receive(self, text_data=None, bytes_data=None):
        await super().receive(text_data=text_data, bytes_data=bytes_data)
        # The page pings every 25 s: while it does, plays of this video are pushed.
        if self.group_names:
            await self._mark_listening()

    async def _mark_listening(self):
        await cache.aset(live.listening_key(self.video_id), 1, live.LISTENING_SECONDS)
