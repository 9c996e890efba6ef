"""Accounts routes of the JSON API (included in microvid.api_urls, namespace "api")."""

from django.urls import path

from accounts import api

urlpatterns = [
    path("users/<str:username>/block", api.BlockApi.as_view(), name="user_block"),
    path("users/<str:username>/mute", api.MuteApi.as_view(), name="user_mute"),
]
