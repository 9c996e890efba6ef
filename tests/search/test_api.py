"""Search in the JSON API under /api/v1/search/: ranking, highlighting, paging, clear 400s
for bad input, and an answer for any query."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory, described_video
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(enforce_csrf_checks=True)


clip = described_video


def test_search_videos_ranks_highlights_and_escapes(api, alice):
    in_description = clip(alice, title="Sunday", description="<b>my</b> cats")
    in_title = clip(alice, title="Cats & <dogs>")

    response = api.get("/api/v1/search/videos", {"q": "cats"})

    assert response.status_code == 200
    data = response.data
    assert [item["id"] for item in data["results"]] == [in_title.short_id, in_description.short_id]
    assert data["results"][0]["title"] == "Cats & <dogs>"
    assert data["results"][0]["title_highlighted"] == "<mark>Cats</mark> &amp; &lt;dogs&gt;"
    assert data["results"][1]["snippet"] == "&lt;b&gt;my&lt;/b&gt; <mark>cats</mark>"
    assert (data["query"], data["page"], data["next_page"], data["truncated"]) == (
        "cats",
        1,
        None,
        False,
    )


def test_search_videos_sort_date_and_pages(api, alice):
    now = timezone.now()
    for n in range(30):
        clip(alice, title=f"Wave {n}", like_count=n, published_at=now - timedelta(days=n))

    liked = api.get("/api/v1/search/videos", {"q": "wave", "sort": "liked"}).data
    second = api.get("/api/v1/search/videos", {"q": "wave", "sort": "liked", "page": 2}).data
    week = api.get("/api/v1/search/videos", {"q": "wave", "sort": "newest", "date": "week"}).data
    past_end = api.get("/api/v1/search/videos", {"q": "wave", "page": 3}).data

    assert [item["title"] for item in liked["results"][:2]] == ["Wave 29", "Wave 28"]
    assert liked["next_page"] == 2 and len(liked["results"]) == 24
    assert len(second["results"]) == 6 and second["next_page"] is None
    assert [item["title"] for item in week["results"]] == [f"Wave {n}" for n in range(7)]
    assert past_end["results"] == [] and past_end["next_page"] is None


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": "x", "sort": "random"}, "sort"),
        ({"q": "x", "date": "decade"}, "date"),
        ({"q": "x", "page": "two"}, "page"),
        ({"q": "x", "page": "0"}, "page"),
    ],
)
def test_search_refuses_unknown_options_clearly(api, params, field):
    response = api.get("/api/v1/search/videos", params)

    assert response.status_code == 400
    assert list(response.data) == [field]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "x" * 5000,
        "!!!",
        "'; DROP TABLE videos_video--",
        "a:* & !b",
        "<script>alert(1)</script>",
        "%",
        "日本語",
    ],
)
@pytest.mark.parametrize("endpoint", ["videos", "creators", "suggestions"])
def test_hostile_or_odd_queries_get_an_answer(api, alice, query, endpoint):
    clip(alice, title="Safe")

    response = api.get(f"/api/v1/search/{endpoint}", {"q": query})

    assert response.status_code == 200
    # JSON, not HTML: the query comes back as data; only the *_highlighted fields are HTML.
    assert response["Content-Type"] == "application/json"
    assert Video.objects.count() == 1


def test_a_long_query_is_searched_shortened_and_says_so(api):
    data = api.get("/api/v1/search/videos", {"q": "y" * 300}).data

    assert data["truncated"] is True
    assert len(data["query"]) == 200


def test_a_null_character_is_a_clear_400(api):
    response = api.get("/api/v1/search/videos", {"q": "cats\x00"})

    assert response.status_code == 400
    assert "q" in response.data


def test_search_creators(api, alice):
    UserFactory(username="surfer", display_name="Wave Rider")
    UserFactory(username="surfing_gone", is_active=False)

    data = api.get("/api/v1/search/creators", {"q": "surf"}).data

    assert [item["username"] for item in data["results"]] == ["surfer"]
    assert data["results"][0]["url"] == "http://testserver/@surfer"
    assert data["results"][0]["username_highlighted"] == "<mark>surf</mark>er"
    assert data["results"][0]["public_video_count"] == 0


def test_search_suggestions(api, alice):
    UserFactory(username="baker")
    clip(alice, title="Bakery morning", description="#baking")

    data = api.get("/api/v1/search/suggestions", {"q": "bak"}).data

    assert {(item["kind"], item["value"], item["url"]) for item in data["results"]} == {
        ("hashtag", "#baking", ""),
        ("creator", "@baker", "http://testserver/@baker"),
        ("video", "Bakery morning", ""),
    }
