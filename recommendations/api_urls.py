"""Recommender routes of the JSON API (included in microvid.api_urls, namespace "api")."""

from django.urls import path

from recommendations import api

urlpatterns = [
    path(
        "videos/<str:short_id>/not-interested",
        api.NotInterestedApi.as_view(),
        name="video_not_interested",
    ),
    path(
        "videos/<str:short_id>/fewer-from-creator",
        api.ShowFewerApi.as_view(),
        name="video_show_fewer",
    ),
]
