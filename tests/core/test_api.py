"""One page shape for every list of the JSON API (core/api.py): `results`, and `next`, a signed
cursor that goes back as `?cursor=` and is null at the end. Feeds, search and the social lists
all page this way; a cursor that was edited or made for another list is a clear 400."""

import pytest
from rest_framework.test import APIClient

from social.models import Comment, Follow
from tests.factories import UserFactory, described_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(enforce_csrf_checks=True)


def page_through(api, url, **params) -> list[list]:
    """Every page of a list, following `next` from the first page until it is null."""
    pages, cursor = [], None
    while True:
        response = api.get(url, {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.data
        pages.append(response.data["results"])
        cursor = response.data["next"]
        if cursor is None:
            return pages
        assert len(pages) < 10, "next never became null"


def test_search_videos_page_with_next_until_null(api, alice):
    for n in range(30):
        described_video(alice, title=f"Wave {n}", like_count=n)

    pages = page_through(api, "/api/v1/search/videos", q="wave", sort="liked")

    assert [len(page) for page in pages] == [24, 6]
    titles = [item["title"] for page in pages for item in page]
    assert titles == [f"Wave {n}" for n in range(29, -1, -1)]


def test_search_creators_page_with_next_until_null(api):
    for n in range(25):
        UserFactory(username=f"surfer{n:02d}")

    pages = page_through(api, "/api/v1/search/creators", q="surfer")

    assert [len(page) for page in pages] == [20, 5]
    assert len({item["username"] for page in pages for item in page}) == 25


def test_followers_page_with_next_and_keep_their_counts(api, alice):
    for _ in range(31):
        Follow.objects.create(follower=UserFactory(), followee=alice)

    first = api.get("/api/v1/users/alice/followers").data
    pages = page_through(api, "/api/v1/users/alice/followers")

    assert (first["count"], first["page"], first["pages"]) == (31, 1, 2)
    assert [len(page) for page in pages] == [30, 1]
    assert len({item["username"] for page in pages for item in page}) == 31


def test_comments_page_with_next_until_null(api, alice, bob):
    video = described_video(alice, title="Talked about")
    for n in range(21):
        Comment.objects.create(video=video, author=bob, body=f"Comment {n}")

    pages = page_through(api, f"/api/v1/videos/{video.short_id}/comments")

    assert [len(page) for page in pages] == [20, 1]
    assert len({item["id"] for page in pages for item in page}) == 21


def test_a_cursor_of_one_list_is_refused_by_another(api, alice):
    for n in range(30):
        described_video(alice, title=f"Wave {n}")
    wave_next = api.get("/api/v1/search/videos", {"q": "wave"}).data["next"]

    refused = [
        api.get("/api/v1/search/videos", {"q": "other", "cursor": wave_next}),
        api.get("/api/v1/search/videos", {"q": "wave", "sort": "newest", "cursor": wave_next}),
        api.get("/api/v1/search/creators", {"q": "wave", "cursor": wave_next}),
        api.get("/api/v1/users/alice/followers", {"cursor": wave_next}),
        api.get("/api/v1/feeds/latest", {"cursor": wave_next}),
        api.get("/api/v1/search/videos", {"q": "wave", "cursor": wave_next[:-3] + "abc"}),
    ]

    assert [response.status_code for response in refused] == [400] * len(refused)
    assert all("This cursor is not valid" in r.data["cursor"][0] for r in refused)
