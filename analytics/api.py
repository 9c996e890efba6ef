"""The studio's analytics API: one video's measures and a creator's totals and series."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import selectors

DAYS = OpenApiParameter("days", int, description="1 to 365 whole UTC days up to today (28)")
CREATOR = OpenApiParameter(
    "creator", str, description="a creator's username (moderators with the permission only)"
)


def _video_payload(totals: dict) -> dict:
    keys = [
        "plays", "engaged_plays", "completion_rate", "loops_per_play", "avg_watch_seconds",
        "unique_viewers", "likes", "comments", "shares", "follows_gained", "loops",
        "swipe_away_rate", "watch_seconds", "traffic_sources", "retention",
    ]  # fmt: skip
    return {key: totals[key] for key in keys}


class VideoStatsApi(APIView):
    """GET one video's measures over the last `days` days: its owner (and moderators with
    the permission) only; anyone else gets 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[DAYS], responses={200: dict})
    def get(self, request, short_id):
        video = selectors.video_get_for_stats(short_id=short_id, user=request.user)
        days = selectors.days_param(request.query_params.get("days"))
        totals = selectors.video_totals(video=video, days=days)
        return Response({"video": video.short_id, "days": days, **_video_payload(totals)})


class CreatorStatsApi(APIView):
    """GET the signed-in creator's totals (with the period before) and daily series; with
    `?creator=<username>`, that creator's, for moderators with the permission (else 404)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[DAYS, CREATOR], responses={200: dict})
    def get(self, request):
        creator = selectors.creator_get_for_stats(
            username=request.query_params.get("creator"), user=request.user
        )
        days = selectors.days_param(request.query_params.get("days"))
        totals = selectors.creator_totals(creator=creator, days=days)
        series = selectors.creator_series(creator=creator, days=days)
        loops = selectors.creator_loops_per_play(creator=creator, days=days)
        return Response(
            {
                "creator": creator.username,
                "days": days,
                "totals": _video_payload({**totals, "loops_per_play": loops}),
                "change": totals["change"],
                "series": [{**point, "day": point["day"].isoformat()} for point in series],
            }
        )
