"""Finding 5 of issue 12: the actions that had no rate limit have one now, through
core.ratelimit, with the limits in settings.RATELIMITS."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    def set_limits(**rules):
        settings.RATELIMITS = {**settings.RATELIMITS, **rules}

    return set_limits


def test_search_page_is_limited_per_address(client, tight):
    tight(search="2/h/user_or_ip")
    assert client.get("/search?q=cats").status_code == 200
    assert client.get("/search?q=dogs").status_code == 200

    refused = client.get("/search?q=birds")

    assert refused.status_code == 429
    assert "too often" in refused.content.decode()
    assert "<html" in refused.content.decode()


def test_suggestions_are_limited_with_a_fragment(client, tight):
    tight(suggest="1/h/user_or_ip")
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "site-search-suggestions"}
    assert client.get("/search/suggest?q=ca", **headers).status_code == 200

    refused = client.get("/search/suggest?q=cat", **headers)

    assert refused.status_code == 429
    assert "<html" not in refused.content.decode()


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/api/v1/search/videos?q=cat", "search"),
        ("/api/v1/search/creators?q=cat", "search"),
        ("/api/v1/search/suggestions?q=cat", "suggest"),
    ],
)
def test_search_api_is_limited_with_json(tight, path, action):
    tight(**{action: "1/h/user_or_ip"})
    api = APIClient()
    assert api.get(path).status_code == 200

    refused = api.get(path)

    assert refused.status_code == 429
    assert refused.json()["retry_after"] >= 1


def test_for_you_feedback_is_limited(client, tight, alice, bob):
    from tests.conftest import csrf_post
    from tests.factories import published_video

    tight(feedback="1/h/user")
    first, second = published_video(alice), published_video(alice)
    client.force_login(bob)
    assert csrf_post(client, f"/v/{first.short_id}/not-interested").status_code == 302

    refused = csrf_post(client, f"/v/{second.short_id}/not-interested")

    assert refused.status_code == 429
    from recommendations.models import NotInterested

    assert NotInterested.objects.filter(user=bob).count() == 1


def test_feedback_api_is_limited(tight, alice, bob):
    from tests.factories import published_video

    tight(feedback="1/h/user")
    first, second = published_video(alice), published_video(alice)
    api = APIClient()
    api.force_authenticate(bob)
    assert api.post(f"/api/v1/videos/{first.short_id}/not-interested").status_code in (200, 201)

    assert api.post(f"/api/v1/videos/{second.short_id}/not-interested").status_code == 429


def test_likes_use_the_shared_settings(client, tight, alice, bob):
    from tests.conftest import csrf_post
    from tests.factories import published_video

    tight(like="1/h/user")
    first, second = published_video(alice), published_video(alice)
    client.force_login(bob)
    csrf_post(client, f"/v/{first.short_id}/like")

    refused = csrf_post(client, f"/v/{second.short_id}/like")

    assert refused.status_code in (302, 429)
    second.refresh_from_db()
    assert second.like_count == 0


@pytest.fixture
def two_targets(alice, carol):
    from social.models import Comment
    from tests.factories import published_video

    video = published_video(alice, title="Reported")
    comment = Comment.objects.create(video=video, author=carol, body="Also reported")
    return video, comment


def test_reports_are_limited_with_the_form_again_as_a_page(client, tight, bob, two_targets):
    from moderation.models import Report
    from tests.conftest import csrf_post

    tight(report="1/h/user")
    video, comment = two_targets
    client.force_login(bob)
    assert (
        csrf_post(client, f"/report/video/{video.short_id}", {"reason": "spam"}).status_code == 200
    )

    refused = csrf_post(
        client, f"/report/comment/{comment.pk}", {"reason": "spam", "note": "Kept note"}
    )

    page = refused.content.decode()
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "<html" in page and "too often" in page and "Kept note" in page
    assert Report.objects.count() == 1


def test_reports_are_limited_with_a_fragment_for_htmx(client, tight, bob, two_targets):
    from moderation.models import Report
    from tests.conftest import csrf_post

    tight(report="1/h/user")
    video, comment = two_targets
    client.force_login(bob)
    hx = {"HTTP_HX_REQUEST": "true"}
    csrf_post(client, f"/report/video/{video.short_id}", {"reason": "spam"}, **hx)

    refused = csrf_post(client, f"/report/comment/{comment.pk}", {"reason": "spam"}, **hx)

    assert refused.status_code == 429 and refused["Retry-After"]
    assert "<html" not in refused.content.decode() and "too often" in refused.content.decode()
    assert Report.objects.count() == 1


def test_reports_are_limited_with_json_in_the_api(tight, bob, two_targets):
    from moderation.models import Report

    tight(report="1/h/user")
    video, comment = two_targets
    api = APIClient()
    api.force_authenticate(bob)
    assert (
        api.post("/api/v1/reports", {"video": video.short_id, "reason": "spam"}).status_code == 201
    )

    refused = api.post("/api/v1/reports", {"comment": comment.pk, "reason": "spam"})

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "too often" in refused.json()["detail"]
    assert Report.objects.count() == 1
