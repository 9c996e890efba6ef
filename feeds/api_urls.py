"""Feed routes of the JSON API (included in microvid.api_urls, namespace "api")."""

from django.urls import path

from feeds import api

urlpatterns = [
    path("feeds/for-you", api.FeedForYouApi.as_view(), name="feed_for_you"),
    path("feeds/following", api.FeedFollowingApi.as_view(), name="feed_following"),
    path("feeds/trending", api.FeedTrendingApi.as_view(), name="feed_trending"),
    path("feeds/latest", api.FeedLatestApi.as_view(), name="feed_latest"),
    path("feeds/tag/<str:name>", api.FeedHashtagApi.as_view(), name="feed_hashtag"),
    path("users/<str:username>/videos", api.UserVideosApi.as_view(), name="user_videos"),
]
