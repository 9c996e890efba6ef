from django.urls import path

from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("v/<str:short_id>/not-interested", views.not_interested, name="not_interested"),
    path(
        "v/<str:short_id>/not-interested/undo",
        views.not_interested_undo,
        name="not_interested_undo",
    ),
    path("v/<str:short_id>/fewer-from-creator", views.show_fewer, name="show_fewer"),
    path("v/<str:short_id>/fewer-from-creator/undo", views.show_fewer_undo, name="show_fewer_undo"),
    path("for-you/topics", views.topics, name="topics"),
]
