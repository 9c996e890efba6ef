"""Moderation routes of the JSON API (included in microvid.api_urls, namespace "api")."""

from django.urls import path

from moderation import api

urlpatterns = [
    path("moderation/reasons", api.ReasonListApi.as_view(), name="moderation_reasons"),
    path("reports", api.ReportCreateApi.as_view(), name="reports"),
    path("me/standing", api.StandingApi.as_view(), name="me_standing"),
    path("appeals", api.AppealCreateApi.as_view(), name="appeals"),
]
