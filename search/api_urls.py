"""Search routes of the JSON API (included in microvid.api_urls, namespace "api")."""

from django.urls import path

from search import api

urlpatterns = [
    path("search/videos", api.SearchVideosApi.as_view(), name="search_videos"),
    path("search/creators", api.SearchCreatorsApi.as_view(), name="search_creators"),
    path("search/suggestions", api.SearchSuggestionsApi.as_view(), name="search_suggestions"),
]
