from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("search", views.search, name="search"),
    path("search/suggest", views.suggest, name="suggest"),
    path("search/click", views.result_click, name="click"),
    path("search/history/clear", views.history_clear, name="history_clear"),
    path("search/history/toggle", views.history_toggle, name="history_toggle"),
]
