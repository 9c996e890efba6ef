"""Issue 12: every route of ours, times {anonymous, owner, stranger, moderator, suspended},
answers as the table below says. The routes come from the URL conf: a new route without an
entry here fails, so its authorization is decided on purpose.

The object of every route is the owner's (alice's) *private* video, her comment on it, her
profile: a stranger must not learn it exists (404), a moderator (staff) may manage it. The
suspended user (dave, suspended by a moderator until lifted) is a stranger who may still read,
manage his own things, block, mute and appeal, but may not upload, comment, like, follow or
report: those answer 403 (accounts.services.user_require_not_suspended; on alice's private
video the 404 comes first).
Mutating routes are sent a POST with a valid CSRF token; nothing is asserted about what the
POST did (each feature's tests do), only who is let through.
"""

import os

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import services as account_services
from social.models import Comment
from tests.conftest import csrf_post
from tests.factories import UserFactory, published_video

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "stranger", "moderator", "suspended")
# Left out: Django's admin (its own permission system, staff only: test_admin covers it),
# allauth's pages (its own tests), and the language switch (no user data).
SKIPPED_NAMESPACES = ("admin",)
SKIPPED = {"set_language", "media", "private_media"}  # media: tests/security/test_media_*.py

G, P = "GET", "POST"
# name: (method, anonymous, owner, stranger, moderator, suspended)
MATRIX = {
    "home": (G, 200, 200, 200, 200, 200),
    "feeds:for_you": (G, 200, 200, 200, 200, 200),
    "feeds:following": (G, 302, 200, 200, 200, 200),
    "feeds:trending": (G, 200, 200, 200, 200, 200),
    "feeds:latest": (G, 200, 200, 200, 200, 200),
    "search:search": (G, 200, 200, 200, 200, 200),
    "search:suggest": (G, 302, 302, 302, 302, 302),
    "healthz_live": (G, 200, 200, 200, 200, 200),
    "healthz_ready": (G, 200, 200, 200, 200, 200),
    "healthz": (G, 200, 200, 200, 200, 200),
    "watch_events": (P, 400, 400, 400, 400, 400),
    "api:token_obtain": (P, 400, 400, 400, 400, 400),
    "api:token_refresh": (P, 400, 400, 400, 400, 400),
    "api:logout": (P, 401, 400, 400, 400, 400),
    "api:me": (G, 401, 200, 200, 200, 200),
    "api:video_like": (P, 401, 400, 404, 404, 404),
    "api:video_comments": (G, 404, 200, 404, 404, 404),
    "api:comment": (G, 401, 405, 405, 405, 405),
    "api:user_follow": (P, 401, 400, 201, 201, 403),
    "api:user_followers": (G, 200, 200, 200, 200, 200),
    "api:user_following": (G, 200, 200, 200, 200, 200),
    "api:notifications": (G, 401, 200, 200, 200, 200),
    "api:notifications_read": (P, 401, 200, 200, 200, 200),
    "api:video_not_interested": (P, 401, 201, 404, 201, 404),
    "api:video_show_fewer": (P, 401, 400, 404, 201, 404),
    "api:feed_for_you": (G, 200, 200, 200, 200, 200),
    "api:feed_following": (G, 401, 200, 200, 200, 200),
    "api:feed_trending": (G, 200, 200, 200, 200, 200),
    "api:feed_latest": (G, 200, 200, 200, 200, 200),
    "api:feed_hashtag": (G, 200, 200, 200, 200, 200),
    "api:user_videos": (G, 200, 200, 200, 200, 200),
    "api:search_videos": (G, 200, 200, 200, 200, 200),
    "api:search_creators": (G, 200, 200, 200, 200, 200),
    "api:search_suggestions": (G, 200, 200, 200, 200, 200),
    "api:schema": (G, 200, 200, 200, 200, 200),
    "api:docs": (G, 200, 200, 200, 200, 200),
    "accounts:profile_edit": (G, 302, 200, 200, 200, 200),
    "accounts:profile": (G, 200, 200, 200, 200, 200),
    "videos:upload": (G, 302, 200, 200, 200, 403),
    "videos:studio": (G, 302, 200, 200, 200, 200),
    "videos:manage": (G, 302, 200, 404, 200, 404),
    "videos:trim": (P, 302, 200, 404, 200, 404),
    "videos:publish": (P, 302, 302, 404, 302, 404),
    "videos:edit": (G, 302, 200, 404, 200, 404),
    "videos:captions": (P, 302, 200, 404, 200, 404),
    "videos:delete": (G, 302, 200, 404, 200, 404),
    "videos:watch": (G, 404, 200, 404, 200, 404),
    "videos:hashtag": (G, 200, 200, 200, 200, 200),
    "social:like": (P, 404, 302, 404, 404, 404),
    "social:unlike": (P, 404, 302, 404, 404, 404),
    "social:comments": (G, 404, 200, 404, 404, 404),
    "social:comment_delete": (P, 302, 302, 404, 404, 404),
    "social:follow": (P, 302, 302, 302, 302, 403),
    "social:unfollow": (P, 302, 302, 302, 302, 302),
    "social:followers": (G, 200, 200, 200, 200, 200),
    "social:following": (G, 200, 200, 200, 200, 200),
    "social:notifications": (G, 302, 200, 200, 200, 200),
    "social:notifications_read": (P, 302, 302, 302, 302, 302),
    "social:notification_badge": (G, 200, 200, 200, 200, 200),
    "social:notification_settings": (G, 302, 200, 200, 200, 200),
    "recommendations:not_interested": (P, 302, 302, 302, 302, 302),
    "recommendations:not_interested_undo": (P, 302, 302, 302, 302, 302),
    "recommendations:show_fewer": (P, 302, 302, 302, 302, 302),
    "recommendations:show_fewer_undo": (P, 302, 404, 302, 302, 302),
    "recommendations:topics": (P, 302, 302, 302, 302, 302),
    # Moderation, analytics, sharing, search history and metrics.
    "accounts:block": (P, 302, 302, 302, 302, 302),
    "accounts:blocked": (G, 302, 200, 200, 200, 200),
    "accounts:mute": (P, 302, 302, 302, 302, 302),
    "accounts:unblock": (P, 302, 302, 302, 302, 302),
    "accounts:unmute": (P, 302, 302, 302, 302, 302),
    "analytics:dashboard": (G, 302, 200, 200, 200, 200),
    "analytics:export": (G, 302, 200, 200, 200, 200),
    "analytics:video": (G, 302, 200, 404, 404, 404),
    "analytics:video_export": (G, 302, 200, 404, 404, 404),
    "analytics:video_live": (G, 302, 302, 404, 404, 404),  # plain GET: on to the video page
    "api:appeals": (P, 401, 400, 400, 400, 400),
    "api:creator_stats": (G, 401, 200, 200, 200, 200),
    "api:me_standing": (G, 401, 200, 200, 200, 200),
    "api:moderation_reasons": (G, 200, 200, 200, 200, 200),
    "api:reports": (P, 401, 400, 400, 400, 400),
    "api:user_block": (P, 401, 409, 201, 201, 201),
    "api:user_mute": (P, 401, 409, 201, 201, 201),
    "api:video_stats": (G, 401, 200, 404, 404, 404),
    "metrics": (G, 404, 404, 404, 200, 404),
    "moderation:appeal": (G, 405, 405, 405, 405, 405),
    "moderation:report": (G, 404, 200, 404, 200, 404),
    "moderation:rules": (G, 200, 200, 200, 200, 200),
    "moderation:standing": (G, 302, 200, 200, 200, 200),
    "search:click": (G, 302, 302, 302, 302, 302),
    "search:history_clear": (P, 302, 302, 302, 302, 302),
    "search:history_toggle": (P, 302, 302, 302, 302, 302),
    "videos:embed": (G, 404, 404, 404, 404, 404),
    "videos:oembed": (G, 404, 404, 404, 404, 404),
}


def _routes(resolver=None, namespace=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES or "allauth" in str(pattern.urlconf_name):
                continue
            inner = pattern.namespace or namespace
            if namespace and pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from _routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            if name not in SKIPPED:
                yield name, pattern


def test_every_route_has_an_entry():
    names = {name for name, _ in _routes()}

    assert names - set(MATRIX) == set(), "add these routes to the authorization matrix"
    assert set(MATRIX) - names == set(), "these routes are gone: remove them from the matrix"


@pytest.fixture
def cast(settings):
    settings.RATELIMITS = dict.fromkeys(settings.RATELIMITS, "100000/m/user_or_ip")
    alice = UserFactory(username="alice")
    carol = UserFactory(username="carol")
    mod = UserFactory(username="mod", is_staff=True)
    mod.groups.add(Group.objects.get(name="Moderators"))
    dave = account_services.user_suspend(user=UserFactory(username="dave"))
    video = published_video(alice, visibility="private", title="Secret")
    # Written while the video was public, say; it is private now.
    comment = Comment.objects.create(video=video, author=alice, body="mine")
    return {
        "owner": alice,
        "stranger": carol,
        "moderator": mod,
        "suspended": dave,
        "video": video,
        "comment": comment,
    }


def _url(name, pattern, cast):
    from django.urls import reverse

    values = {
        "short_id": cast["video"].short_id,
        "username": cast["owner"].username,
        "pk": cast["comment"].pk,
        "name": "cats",
        # Regular-expression routes (moderation's report page, analytics' CSV exports).
        "target_type": "video",
        "key": cast["video"].short_id,
        "table": "daily",
    }
    regex = getattr(pattern.pattern, "regex", None)
    keys = list(pattern.pattern.converters) or (list(regex.groupindex) if regex else [])
    return reverse(name, kwargs={key: values[key] for key in keys})


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_answer_in_the_table(client, cast, role):
    routes = dict(_routes())
    observed, wrong = {}, []
    for name, (method, *answers) in MATRIX.items():
        expected = dict(zip(ROLES, answers, strict=True))[role]
        client.logout()
        if role != "anonymous":
            client.force_login(cast[role])
        url = _url(name, routes[name], cast)
        response = client.get(url) if method == G else csrf_post(client, url)
        observed[name] = response.status_code
        if response.status_code != expected:
            wrong.append(f"{name} ({method} {url}): {response.status_code}, expected {expected}")
    if os.environ.get("AUTHZ_PRINT"):
        print(role, observed)
    assert not wrong, "\n".join(wrong)
