from django.urls import path, re_path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("studio/analytics", views.dashboard, name="dashboard"),
    re_path(r"^studio/analytics/(?P<table>videos|daily|rows)\.csv$", views.export, name="export"),
    path("studio/analytics/v/<str:short_id>", views.video_detail, name="video"),
    path("studio/analytics/v/<str:short_id>/live", views.video_live, name="video_live"),
    re_path(
        r"^studio/analytics/v/(?P<short_id>[A-Za-z0-9]{1,10})/(?P<table>daily|sources|retention)\.csv$",
        views.video_export,
        name="video_export",
    ),
]
