from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("", views.for_you, name="for_you"),
    path("following", views.following, name="following"),
    path("trending", views.trending, name="trending"),
    path("latest", views.latest, name="latest"),
]
