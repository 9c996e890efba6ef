from django.urls import path, re_path

from moderation import views

app_name = "moderation"

urlpatterns = [
    re_path(
        r"^report/(?P<target_type>video|comment|account)/(?P<key>[A-Za-z0-9_]{1,30})$",
        views.report,
        name="report",
    ),
    path("rules", views.rules, name="rules"),
    path("settings/standing/", views.standing, name="standing"),
    path("settings/standing/<int:pk>/appeal", views.appeal, name="appeal"),
]
