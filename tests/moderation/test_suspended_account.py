"""A suspended account reads, manages its own things and appeals; it cannot add anything in
other people's sight: no upload, comment, like, follow or report (a 403 saying why), on the
site and in the API, until the suspension is lifted."""

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from moderation import selectors, services
from moderation.models import Appeal, Report
from social.models import Comment, Follow, Like
from tests.conftest import csrf_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended_bob(bob, mod, alice, video):
    # bob's own comment is what the moderator suspends him for (a strike he may appeal).
    comment = Comment.objects.create(video=video, author=bob, body="Spam spam")
    services.action_take(moderator=mod, kind="suspend", note="Spam", comment=comment)
    bob.refresh_from_db()
    assert bob.is_suspended
    return bob


def test_a_suspended_account_still_watches_and_reads(client, suspended_bob, video):
    client.force_login(suspended_bob)

    assert client.get(f"/v/{video.short_id}").status_code == 200
    assert client.get(f"/v/{video.short_id}/comments").status_code == 200
    assert client.get("/@alice").status_code == 200


def test_a_suspended_account_cannot_like_comment_or_follow_on_the_site(
    client, suspended_bob, video
):
    client.force_login(suspended_bob)

    like = csrf_post(client, f"/v/{video.short_id}/like")
    comment = csrf_post(client, f"/v/{video.short_id}/comments", {"body": "Hello again"})
    follow = csrf_post(client, "/@alice/follow")

    assert like.status_code == comment.status_code == follow.status_code == 403
    assert "Your account is suspended" in follow.content.decode()
    assert "/standing" in follow.content.decode()
    assert not Like.objects.exists() and not Follow.objects.exists()
    assert not Comment.objects.filter(body="Hello again").exists()


def test_a_suspended_account_cannot_like_comment_or_follow_in_the_api(suspended_bob, video):
    api = APIClient()
    api.force_authenticate(suspended_bob)

    like = api.post(f"/api/v1/videos/{video.short_id}/like")
    comment = api.post(f"/api/v1/videos/{video.short_id}/comments", {"body": "Hello again"})
    follow = api.post("/api/v1/users/alice/follow")

    assert like.status_code == comment.status_code == follow.status_code == 403
    assert "suspended" in follow.json()["detail"]
    assert not Like.objects.exists() and not Follow.objects.exists()


def test_a_suspended_account_cannot_upload_or_report(client, suspended_bob, video):
    client.force_login(suspended_bob)
    api = APIClient()
    api.force_authenticate(suspended_bob)

    upload_page = client.get("/upload/")
    report_page = client.get(f"/report/video/{video.short_id}")
    report = csrf_post(client, f"/report/video/{video.short_id}", {"reason": "spam"})
    report_api = api.post("/api/v1/reports", {"video": video.short_id, "reason": "spam"})

    assert upload_page.status_code == report_page.status_code == report.status_code == 403
    assert report_api.status_code == 403
    assert not Report.objects.filter(reporter=suspended_bob).exists()


def test_a_suspended_account_may_block_mute_see_its_standing_and_appeal(
    client, suspended_bob, carol
):
    client.force_login(suspended_bob)
    strike = selectors.standing_of(user=suspended_bob)["strikes"][0]

    block = csrf_post(client, "/@carol/block")
    standing = client.get("/settings/standing/")
    appeal = csrf_post(client, f"/settings/standing/{strike.pk}/appeal", {"text": "Not spam"})

    assert block.status_code == 302
    assert standing.status_code == 200
    assert appeal.status_code == 302
    assert Appeal.objects.filter(action=strike, appellant=suspended_bob).exists()


def test_lifting_the_suspension_gives_the_account_back_its_voice(client, suspended_bob, video):
    account_services.user_unsuspend(user=suspended_bob)
    client.force_login(suspended_bob)

    assert csrf_post(client, f"/v/{video.short_id}/like").status_code == 302
    assert Like.objects.filter(user=suspended_bob).exists()
