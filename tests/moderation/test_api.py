"""The moderation API under /api/v1/: reasons, reports, blocks and mutes, standing, appeals."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Block, Mute
from moderation import services
from moderation.models import Appeal, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(enforce_csrf_checks=True)


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_reasons_are_listed_with_codes_and_labels_in_the_request_language(api):
    english = api.get("/api/v1/moderation/reasons")
    arabic = api.get("/api/v1/moderation/reasons", HTTP_ACCEPT_LANGUAGE="ar")

    assert english.status_code == 200
    assert english.data[0] == {"code": "spam", "label": "Spam or scam", "description": ""}
    assert arabic.data[0]["label"] == "رسائل مزعجة أو احتيال"


def test_reporting_a_video_a_comment_and_an_account(api, bob, carol, video, comment):
    as_user(api, bob)

    on_video = api.post("/api/v1/reports", {"video": video.short_id, "reason": "spam"})
    on_comment = api.post(
        "/api/v1/reports", {"comment": comment.pk, "reason": "hate", "note": "Slur"}
    )
    on_account = api.post("/api/v1/reports", {"account": "carol", "reason": "spam"})

    assert on_video.status_code == on_comment.status_code == on_account.status_code == 201
    assert on_video.data["status"] == "open" and on_video.data["reason"] == "spam"
    assert Report.objects.count() == 3


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"reason": "nonsense"}, "Choose one of the reasons"),
        ({"reason": "spam", "note": "x" * 1001}, "at most 1000"),
    ],
)
def test_bad_reports_get_a_400_with_the_reason_and_create_nothing(
    api, bob, video, payload, message
):
    as_user(api, bob)
    response = api.post("/api/v1/reports", {"video": video.short_id, **payload})

    assert response.status_code == 400 and message in response.data["detail"]
    assert not Report.objects.exists()


def test_own_duplicate_and_targetless_reports_are_refused(api, alice, bob, video):
    as_user(api, alice)
    own = api.post("/api/v1/reports", {"video": video.short_id, "reason": "spam"})
    as_user(api, bob)
    first = api.post("/api/v1/reports", {"video": video.short_id, "reason": "spam"})
    again = api.post("/api/v1/reports", {"video": video.short_id, "reason": "spam"})
    nothing = api.post("/api/v1/reports", {"reason": "spam"})
    two = api.post("/api/v1/reports", {"video": video.short_id, "account": "a", "reason": "spam"})
    missing = api.post("/api/v1/reports", {"video": "nope", "reason": "spam"})

    assert own.status_code == 400 and own.data["code"] == "own"
    assert first.status_code == 201
    assert again.status_code == 400 and again.data["code"] == "duplicate"
    assert nothing.status_code == two.status_code == 400
    assert missing.status_code == 404
    assert Report.objects.count() == 1


def test_past_the_quota_a_report_is_429_with_retry_after(api, bob, video, settings):
    settings.MODERATION_REPORTS_PER_DAY = 0
    as_user(api, bob)

    response = api.post("/api/v1/reports", {"video": video.short_id, "reason": "spam"})

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "many reports" in response.data["detail"]
    assert not Report.objects.exists()


def test_visitors_cannot_report_block_or_read_a_standing(api, video, alice):
    assert api.post("/api/v1/reports", {"video": video.short_id, "reason": "spam"}).status_code in (
        401,
        403,
    )
    assert api.post("/api/v1/users/alice/block").status_code in (401, 403)
    assert api.get("/api/v1/me/standing").status_code in (401, 403)
    assert not Report.objects.exists() and not Block.objects.exists()


def test_block_and_mute_then_undo(api, bob, alice):
    as_user(api, bob)

    blocked = api.post("/api/v1/users/alice/block")
    twice = api.post("/api/v1/users/alice/block")
    muted = api.post("/api/v1/users/alice/mute")
    unblocked = api.delete("/api/v1/users/alice/block")
    unmuted = api.delete("/api/v1/users/alice/mute")

    assert blocked.status_code == 201 and blocked.data == {
        "username": "alice",
        "blocked": True,
        "muted": False,
    }
    assert twice.status_code == 409
    assert muted.status_code == 201 and muted.data["muted"] is True
    assert unblocked.status_code == 200 and unblocked.data["blocked"] is False
    assert unmuted.status_code == 200
    assert api.delete("/api/v1/users/alice/mute").status_code == 409
    assert api.post("/api/v1/users/nobody/block").status_code == 404
    assert api.post("/api/v1/users/bob/block").status_code == 409
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_standing_and_appeal(api, alice, bob, mod, video):
    strike = services.action_take(moderator=mod, kind="remove", note="Spam", video=video)
    as_user(api, alice)

    standing = api.get("/api/v1/me/standing")
    too_long = api.post("/api/v1/appeals", {"strike": strike.pk, "text": "x" * 2001})
    appealed = api.post("/api/v1/appeals", {"strike": strike.pk, "text": "My own clip"})
    again = api.post("/api/v1/appeals", {"strike": strike.pk, "text": "Again"})

    assert standing.status_code == 200 and standing.data["active_strike_count"] == 1
    assert standing.data["strikes"][0]["action"] == "remove"
    assert standing.data["strikes"][0]["can_appeal"] is True
    assert too_long.status_code == 400 and "at most 2000" in too_long.data["detail"]
    assert appealed.status_code == 201 and appealed.data["status"] == "open"
    assert again.status_code == 400
    assert api.get("/api/v1/me/standing").data["strikes"][0]["appeal_status"] == "open"
    # Someone else's strike is not found.
    as_user(api, bob)
    assert api.post("/api/v1/appeals", {"strike": strike.pk, "text": "Hi"}).status_code == 404
    assert Appeal.objects.count() == 1


def test_the_schema_describes_the_moderation_routes(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    for route in (
        "/api/v1/moderation/reasons",
        "/api/v1/reports",
        "/api/v1/me/standing",
        "/api/v1/appeals",
        "/api/v1/users/{username}/block",
        "/api/v1/users/{username}/mute",
    ):
        assert route in schema["paths"], route
