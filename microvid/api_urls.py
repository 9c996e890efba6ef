"""The JSON API, version 1: every app's API routes under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api

app_name = "api"

urlpatterns = [
    path("auth/token/", accounts_api.TokenObtainView.as_view(), name="token_obtain"),
    path("auth/token/refresh/", accounts_api.TokenRefreshView.as_view(), name="token_refresh"),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="logout"),
    path("me", accounts_api.MeView.as_view(), name="me"),
    path("", include("accounts.api_urls")),
    path("", include("moderation.api_urls")),
    path("", include("social.api_urls")),
    path("", include("recommendations.api_urls")),
    path("", include("feeds.api_urls")),
    path("", include("search.api_urls")),
    path("", include("analytics.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
