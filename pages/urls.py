"""Routes of the composed pages. microvid/urls.py mounts each list inside the namespace its
names have always had (`accounts:profile`, `videos:hashtag`), so templates and links keep them."""

from django.urls import path

from feeds import views as feed_views
from pages import views

accounts_urlpatterns = [
    path("@<str:username>", views.profile_detail, name="profile"),
]

videos_urlpatterns = [
    path("v/<str:short_id>", views.watch, name="watch"),
    path("tag/<str:name>", feed_views.hashtag, name="hashtag"),
]
