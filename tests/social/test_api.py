"""The social JSON API under /api/v1/: the same rules as the site, as JSON."""

import pytest
from rest_framework.test import APIClient

from social import services
from social.models import Comment, Follow, Like, Notification
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(enforce_csrf_checks=True)


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_like_and_unlike(api, video, bob):
    url = f"/api/v1/videos/{video.short_id}/like"
    as_user(api, bob)

    liked = api.post(url)
    twice = api.post(url)
    unliked = api.delete(url)

    assert (liked.status_code, liked.data) == (201, {"liked": True, "like_count": 1})
    assert twice.status_code == 409 and twice.data["detail"] == "You already like this video."
    assert (unliked.status_code, unliked.data) == (200, {"liked": False, "like_count": 0})
    assert api.delete(url).status_code == 409


def test_like_needs_an_account_and_a_visible_video(api, video, private_video, carol):
    assert api.post(f"/api/v1/videos/{video.short_id}/like").status_code in (401, 403)
    as_user(api, carol)
    assert api.post(f"/api/v1/videos/{private_video.short_id}/like").status_code == 404
    assert api.post("/api/v1/videos/missing/like").status_code == 404
    assert not Like.objects.exists()


def test_rate_limit_is_429(api, video, bob, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "like": "1/1h/user"}
    as_user(api, bob)
    api.post(f"/api/v1/videos/{video.short_id}/like")

    response = api.delete(f"/api/v1/videos/{video.short_id}/like")

    assert response.status_code == 429
    assert "too often" in response.data["detail"]
    assert "Retry-After" in response
    assert Like.objects.count() == 1


def test_comments_list_post_reply_and_delete(api, video, bob, carol):
    url = f"/api/v1/videos/{video.short_id}/comments"
    as_user(api, bob)

    created = api.post(url, {"body": "Hi @carol <b>"}, format="json")
    assert created.status_code == 201
    assert created.data["body"] == "Hi @carol <b>"
    assert created.data["mentions"] == ["carol"]
    as_user(api, carol)
    reply = api.post(url, {"body": "Hey", "parent": created.data["id"]}, format="json")
    assert reply.status_code == 201

    listing = APIClient().get(url)
    assert listing.status_code == 200
    assert listing.data["count"] == 1 and listing.data["comments_open"] is True
    assert listing.data["results"][0]["replies"][0]["body"] == "Hey"

    assert api.delete(f"/api/v1/comments/{created.data['id']}").status_code == 403
    as_user(api, bob)
    assert api.delete(f"/api/v1/comments/{created.data['id']}").status_code == 204
    assert not Comment.objects.exists()
    assert Video.objects.get(pk=video.pk).comment_count == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "This field may not be blank."),
        ({"body": "x" * 201}, "at most 200 characters"),
        ({"body": "Hi", "parent": 999}, "That comment does not exist."),
    ],
)
def test_bad_comments_are_400(api, video, bob, data, message):
    as_user(api, bob)

    response = api.post(f"/api/v1/videos/{video.short_id}/comments", data, format="json")

    assert response.status_code == 400
    assert message in str(response.data)
    assert not Comment.objects.exists()


def test_no_comments_when_off_or_on_replies(api, video, bob, carol):
    comment = services.comment_create(user=bob, video=video, body="Top")
    reply = services.comment_create(user=carol, video=video, body="Re", parent=comment)
    as_user(api, bob)
    url = f"/api/v1/videos/{video.short_id}/comments"

    nested = api.post(url, {"body": "Deep", "parent": reply.pk}, format="json")
    Video.objects.filter(pk=video.pk).update(comments_enabled=False)
    off = api.post(url, {"body": "Hello"}, format="json")

    assert nested.status_code == 400 and "not to a reply" in nested.data["detail"]
    assert off.status_code == 400 and "turned off" in off.data["detail"]
    assert Comment.objects.count() == 2


def test_follow_unfollow_and_lists(api, alice, bob):
    as_user(api, bob)

    followed = api.post("/api/v1/users/alice/follow")
    again = api.post("/api/v1/users/alice/follow")
    self_follow = api.post("/api/v1/users/bob/follow")
    missing = api.post("/api/v1/users/nobody/follow")
    followers = APIClient().get("/api/v1/users/alice/followers")
    following = APIClient().get("/api/v1/users/bob/following")

    assert (followed.status_code, followed.data) == (201, {"following": True, "followers": 1})
    assert again.status_code == 409
    assert self_follow.status_code == 400 and "yourself" in self_follow.data["detail"]
    assert missing.status_code == 404
    assert [u["username"] for u in followers.data["results"]] == ["bob"]
    assert [u["username"] for u in following.data["results"]] == ["alice"]
    assert api.delete("/api/v1/users/alice/follow").data == {"following": False, "followers": 0}
    assert not Follow.objects.exists()


def test_notifications_are_grouped_and_marked_read(api, video, alice, bob, carol):
    services.like_create(user=bob, video=video)
    services.like_create(user=carol, video=video)
    as_user(api, alice)

    listing = api.get("/api/v1/notifications")
    [group] = listing.data["results"]
    assert group["text"] == "Carol and 1 other liked your video “Sunset in five”"
    assert listing.data["unread_count"] == 2

    as_user(api, bob)
    assert (
        api.post("/api/v1/notifications/read", {"ids": group["ids"]}, format="json").data["marked"]
        == 0
    )  # not bob's
    as_user(api, alice)
    marked = api.post("/api/v1/notifications/read", {"ids": group["ids"][:1]}, format="json")
    assert marked.data == {"marked": 1, "unread_count": 1}
    assert api.post("/api/v1/notifications/read", {}, format="json").data["unread_count"] == 0
    assert not Notification.objects.filter(read_at=None).exists()


@pytest.mark.django_db
def test_marking_notifications_read_refuses_ids_past_a_database_key(bob):
    # Schemathesis sent such a number: it was a 500 (SQLite cannot hold it), now a 400.
    api = APIClient()
    api.force_authenticate(bob)
    response = api.post("/api/v1/notifications/read", {"ids": [2**70]}, format="json")

    assert response.status_code == 400
    assert "ids" in response.json()
