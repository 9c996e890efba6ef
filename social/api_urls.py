"""Social routes of the JSON API (included in microvid.api_urls, namespace "api")."""

from django.urls import path

from social import api

urlpatterns = [
    path("videos/<str:short_id>/like", api.LikeApi.as_view(), name="video_like"),
    path("videos/<str:short_id>/comments", api.CommentListApi.as_view(), name="video_comments"),
    path("comments/<int:pk>", api.CommentDeleteApi.as_view(), name="comment"),
    path("users/<str:username>/follow", api.FollowApi.as_view(), name="user_follow"),
    path("users/<str:username>/followers", api.FollowersApi.as_view(), name="user_followers"),
    path("users/<str:username>/following", api.FollowingApi.as_view(), name="user_following"),
    path("notifications", api.NotificationListApi.as_view(), name="notifications"),
    path("notifications/read", api.NotificationReadApi.as_view(), name="notifications_read"),
]
