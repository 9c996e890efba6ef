from django.urls import path

from feeds import search_views

app_name = "search"

urlpatterns = [
    path("search", search_views.search, name="search"),
    path("search/suggest", search_views.suggest, name="suggest"),
]
