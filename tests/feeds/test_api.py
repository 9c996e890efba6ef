"""The feeds in the JSON API under /api/v1/ (and the rules search shares): signed cursors,
the same visibility rules as the site, clear 400s for bad input, and no more queries for bigger
pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.cursors import encode_cursor
from feeds.services import trending_recompute
from tests.factories import UserFactory, described_video
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(enforce_csrf_checks=True)


clip = described_video


def clips(owner, count, **fields):
    start = timezone.now() - timedelta(hours=count)
    return [
        clip(owner, title=f"Clip {n}", published_at=start + timedelta(minutes=n), **fields)
        for n in range(count)
    ]


def page_through(api, url, **params):
    """Every id a feed serves, following `next` until it is null."""
    seen, pages = [], 0
    cursor = None
    while True:
        response = api.get(url, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.data
        seen += [item["id"] for item in response.data["results"]]
        pages += 1
        cursor = response.data["next"]
        if cursor is None:
            return seen, pages


# --- feeds ----------------------------------------------------------------------------------------
def test_latest_pages_with_cursors_until_next_is_null(api, alice):
    videos = clips(alice, 7)

    seen, pages = page_through(api, "/api/v1/feeds/latest", size=3)

    assert seen == [v.short_id for v in reversed(videos)]
    assert pages == 3


def test_a_feed_item_has_what_a_card_needs(api, alice):
    video = clip(alice, title="Harbour", like_count=4, view_count=10)

    item = api.get("/api/v1/feeds/latest").data["results"][0]

    assert item["id"] == video.short_id
    assert item["title"] == "Harbour"
    assert item["url"] == f"http://testserver/v/{video.short_id}"
    assert item["poster_url"].startswith("http://testserver/")
    assert (item["like_count"], item["view_count"], item["comment_count"]) == (4, 10, 0)
    assert item["creator"] == {
        "username": "alice",
        "name": "Alice",
        "avatar_url": alice.avatar_url,
    }


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "a" * 5000,
        encode_cursor("trending:", {"s": 1, "id": 1}),  # another feed's cursor
        encode_cursor("latest:", {"t": "x", "id": 1})[:-3] + "abc",  # edited
    ],
)
def test_a_bad_cursor_is_a_clear_400(api, alice, cursor):
    clips(alice, 2)

    response = api.get("/api/v1/feeds/latest", {"cursor": cursor})

    assert response.status_code == 400
    assert "This cursor is not valid" in response.data["cursor"][0]


def test_a_cursor_of_one_feed_is_refused_by_another(api, alice):
    clips(alice, 5)
    first = api.get("/api/v1/feeds/latest", {"size": 2}).data

    response = api.get("/api/v1/feeds/tag/cats", {"cursor": first["next"]})

    assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [{"date": "forever"}, {"size": "0"}, {"size": "51"}, {"size": "many"}],
)
def test_bad_feed_parameters_are_a_400_that_names_them(api, params):
    response = api.get("/api/v1/feeds/trending", params)

    assert response.status_code == 400
    assert set(response.data) == set(params)


def test_for_you_works_signed_out_and_never_shows_your_own_videos(api, alice, bob):
    theirs = clip(alice, title="Theirs", like_count=5)
    own = clip(bob, title="Mine", like_count=50)
    trending_recompute()

    signed_out, _ = page_through(api, "/api/v1/feeds/for-you")
    api.force_authenticate(bob)
    signed_in, _ = page_through(api, "/api/v1/feeds/for-you")

    assert set(signed_out) == {theirs.short_id, own.short_id}
    assert signed_in == [theirs.short_id]


def test_following_needs_an_account_and_shows_followed_creators(api, alice, bob, carol):
    from social.models import Follow

    followed = clip(alice)
    clip(carol)
    Follow.objects.create(follower=bob, followee=alice)

    assert api.get("/api/v1/feeds/following").status_code == 401
    api.force_authenticate(bob)
    response = api.get("/api/v1/feeds/following")

    assert [item["id"] for item in response.data["results"]] == [followed.short_id]


def test_following_accepts_a_jwt(api, alice, bob):
    from rest_framework_simplejwt.tokens import RefreshToken

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(bob).access_token}")

    assert api.get("/api/v1/feeds/following").status_code == 200


def test_trending_with_a_date_filter(api, alice):
    now = timezone.now()
    recent = clip(alice, like_count=5, published_at=now - timedelta(hours=2))
    older = clip(alice, like_count=500, published_at=now - timedelta(days=3))
    trending_recompute(now=now)

    every = api.get("/api/v1/feeds/trending").data["results"]
    today = api.get("/api/v1/feeds/trending", {"date": "today"}).data["results"]

    assert {item["id"] for item in every} == {older.short_id, recent.short_id}
    assert [item["id"] for item in today] == [recent.short_id]


def test_hashtag_feed(api, alice):
    tagged = clip(alice, description="at the beach #Sea")
    clip(alice, description="#mountain")

    response = api.get("/api/v1/feeds/tag/SEA")

    assert [item["id"] for item in response.data["results"]] == [tagged.short_id]
    assert api.get("/api/v1/feeds/tag/nothing").data == {"results": [], "next": None}


def test_a_creators_videos_and_unknown_or_inactive_creators(api, alice):
    videos = clips(alice, 3)
    clip(alice, visibility=Video.Visibility.PRIVATE)
    UserFactory(username="gone", is_active=False)

    seen, _ = page_through(api, "/api/v1/users/ALICE/videos", size=2)

    assert seen == [v.short_id for v in reversed(videos)]
    assert api.get("/api/v1/users/nobody/videos").status_code == 404
    assert api.get("/api/v1/users/gone/videos").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/feeds/latest",
        "/api/v1/feeds/trending",
        "/api/v1/feeds/for-you",
        "/api/v1/feeds/tag/hidden",
        "/api/v1/users/alice/videos",
        "/api/v1/search/videos?q=hidden",
    ],
)
def test_hidden_videos_never_appear(api, alice, url):
    shown = clip(alice, title="Hidden gem", description="#hidden", like_count=1)
    for fields in (
        {"visibility": Video.Visibility.PRIVATE},
        {"visibility": Video.Visibility.UNLISTED},
        {"published_at": None},
        {"status": Video.Status.PROCESSING},
    ):
        clip(alice, title="Hidden gem", description="#hidden", like_count=9, **fields)
    trending_recompute()

    response = api.get(url)

    assert [item["id"] for item in response.data["results"]] == [shown.short_id]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/feeds/latest?size=50",
        "/api/v1/feeds/for-you?size=50",
        "/api/v1/feeds/following?size=50",
        "/api/v1/search/videos?q=clip",
        "/api/v1/search/creators?q=user",
    ],
)
def test_a_page_costs_the_same_queries_whatever_it_holds(api, bob, url, django_assert_num_queries):
    from social.models import Follow

    api.force_authenticate(bob)

    def add(count):
        for _ in range(count):
            owner = UserFactory()
            Follow.objects.create(follower=bob, followee=owner)
            clip(owner, title="Clip", description="#clip", like_count=2)
        trending_recompute()

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    add(10)
    with django_assert_num_queries(len(few)):
        response = api.get(url)
    assert len(response.data["results"]) == 12


def test_the_schema_describes_feeds_and_search_without_warnings():
    from django.core.management import call_command

    # --fail-on-warn turns any drf-spectacular warning (an unnamed serializer, a guessed
    # type, two components with one name) into an error.
    call_command("spectacular", "--fail-on-warn", "--file", "/dev/null")
