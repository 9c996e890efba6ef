"""Analytics routes of the JSON API (included in microvid.api_urls, namespace "api")."""

from django.urls import path

from analytics import api

urlpatterns = [
    path("studio/videos/<str:short_id>/stats", api.VideoStatsApi.as_view(), name="video_stats"),
    path("studio/stats", api.CreatorStatsApi.as_view(), name="creator_stats"),
]
