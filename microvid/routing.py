"""WebSocket routes of every app, collected in one list for microvid.asgi."""

from django.urls import path

from analytics import consumers as analytics_consumers
from social import consumers as social_consumers

websocket_urlpatterns: list = [
    path("ws/videos/<str:short_id>/", social_consumers.VideoConsumer.as_asgi()),
    path("ws/notifications/", social_consumers.NotificationConsumer.as_asgi()),
    path(
        "ws/studio/videos/<str:short_id>/live/",
        analytics_consumers.VideoStatsConsumer.as_asgi(),
    ),
]
