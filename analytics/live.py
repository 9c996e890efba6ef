"""Live counters on a video's analytics page: the plays so far today, pushed to the sockets of
those who may read the video's analytics (analytics.consumers) whenever players report a play.

The numbers are private, so they go to a group of their own, never to the video's public
group; the page's likes and comments come over the public group as on the watch page. Only
videos whose analytics page is open are counted: a socket marks its video as watched for
LISTENING_SECONDS, and renews the mark with each ping.
"""

from django.core.cache import cache
from django.template.loader import render_to_string

from analytics import selectors
from social import realtime
from videos.models import Video

LISTENING_SECONDS = 60  # longer than the page's ping interval (25 s)


def stats_group(video_id: int) -> str:
    return f"video-stats-{video_id}"


def listening_key(video_id: int) -> str:
    return f"analytics-live:{video_id}"


def live_context(*, video: Video) -> dict:
    return {"video": video, "plays_today": selectors.video_plays_today(video=video)}


def send_plays_today(video_ids) -> None:
    """Push the plays today of those of `video_ids` that someone is following live."""
    watched = cache.get_many([listening_key(video_id) for video_id in video_ids])
    if not watched:
        return
    for video in Video.objects.filter(
        pk__in=[video_id for video_id in video_ids if listening_key(video_id) in watched]
    ).only("pk", "short_id", "owner_id"):
        html = render_to_string("analytics/_live_plays.html", live_context(video=video))
        fragment = {"op": "replace", "target": f"live-plays-{video.short_id}", "html": html}
        realtime.send_fragments(stats_group(video.pk), fragment)
