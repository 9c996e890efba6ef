from django.urls import path

from videos import views

app_name = "videos"

urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("studio/", views.studio, name="studio"),
    path("studio/<str:short_id>/", views.manage, name="manage"),
    path("studio/<str:short_id>/trim", views.trim, name="trim"),
    path("studio/<str:short_id>/publish", views.publish, name="publish"),
    path("studio/<str:short_id>/edit", views.edit, name="edit"),
    path("studio/<str:short_id>/captions", views.captions, name="captions"),
    path("studio/<str:short_id>/delete", views.delete, name="delete"),
]
