from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("v/<str:short_id>/like", views.like, name="like"),
    path("v/<str:short_id>/unlike", views.unlike, name="unlike"),
    path("v/<str:short_id>/comments", views.comments, name="comments"),
    path("comments/<int:pk>/delete", views.comment_delete, name="comment_delete"),
    path("@<str:username>/follow", views.follow, name="follow"),
    path("@<str:username>/unfollow", views.unfollow, name="unfollow"),
    path("@<str:username>/followers", views.followers, name="followers"),
    path("@<str:username>/following", views.following, name="following"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read", views.notifications_read, name="notifications_read"),
    path("notifications/badge", views.notification_badge, name="notification_badge"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
]
