from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts import urls as accounts_urls
from core.media import serve_media, serve_private_media
from feeds import views as feed_views
from microvid import metrics, views
from pages import urls as page_urls
from recommendations.views import watch_events
from videos import urls as videos_urls

urlpatterns = [
    path("", feed_views.for_you, name="home"),
    path("", include("feeds.urls")),
    path("", include("search.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("events", watch_events, name="watch_events"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("microvid.api_urls")),
    path("", include((accounts_urls.urlpatterns + page_urls.accounts_urlpatterns, "accounts"))),
    path("", include((videos_urls.urlpatterns + page_urls.videos_urlpatterns, "videos"))),
    path("", include("social.urls")),
    path("", include("recommendations.urls")),
    path("", include("moderation.urls")),
    path("", include("analytics.urls")),
]

if settings.SERVE_MEDIA:
    # Local media files; in production put a web server or CDN in front (docs/operations.md).
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(rf"^{prefix}(?P<path>.*)$", serve_media, name="media"),
    ]

if not settings.USING_S3:
    # Files of videos that are not public, for a signed URL (core.storage.signed_media_url);
    # on S3 the bucket checks its own presigned URLs.
    private_prefix = settings.PRIVATE_MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(
            rf"^{private_prefix}(?P<expires>[0-9]{{1,12}})/(?P<signature>[A-Za-z0-9_-]{{1,100}})/(?P<path>.*)$",
            serve_private_media,
            name="private_media",
        ),
    ]

handler500 = "core.unavailable.server_error"

admin.site.site_header = "Microvid moderation"
admin.site.site_title = "Microvid moderation"
