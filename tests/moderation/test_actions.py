"""Moderators' decisions: what each does, that it resolves the open reports on its target,
that people are told, and that nobody else can take them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from moderation import services
from moderation.models import Appeal, AuditLog, ModerationAction, Report
from social.models import Comment, Notification
from tests.factories import UserFactory
from videos import selectors as video_selectors
from videos.models import Video

pytestmark = pytest.mark.django_db


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_removing_a_video_hides_it_resolves_its_reports_and_tells_everyone(
    bob, carol, alice, mod, video, django_capture_on_commit_callbacks
):
    services.report_create(reporter=bob, reason_code="spam", video=video, language="es")
    services.report_create(reporter=carol, reason_code="hate", video=video)

    with django_capture_on_commit_callbacks(execute=True):
        action = services.action_take(moderator=mod, kind="remove", note="Spam ads", video=video)

    assert reload(video).moderation_state == Video.ModerationState.REMOVED
    assert not video_selectors.videos_public().filter(pk=video.pk).exists()
    assert not video_selectors.video_is_visible_to(video=reload(video), user=bob)
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}
    assert set(Report.objects.values_list("decision", flat=True)) == {action.pk}
    log = AuditLog.objects.get(verb="remove")
    assert (log.actor, log.note) == (mod, "Spam ads")
    notices = Notification.objects.filter(verb="notice")
    assert {n.recipient for n in notices} == {bob, carol, alice}
    # Bob reported in Spanish: his email is in Spanish (the reason's label, translated in
    # admin, shows it without compiled catalogs); Carol's is in English.
    to_bob = next(message for message in mail.outbox if message.to == [bob.email])
    to_carol = next(message for message in mail.outbox if message.to == [carol.email])
    assert "Spam o estafa" in to_bob.body
    assert "Hate speech" in to_carol.body
    assert len(mail.outbox) == 3


def test_removing_a_video_moves_its_files_so_old_urls_die(
    client, mod, video, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    root = f"videos/{video.short_id}-{video.storage_token}/"
    Video.objects.filter(pk=video.pk).update(
        output_prefix=root + "v1/", mp4=root + "v1/fallback.mp4", poster=root + "v1/poster.jpg"
    )
    default_storage.save(root + "v1/fallback.mp4", ContentFile(b"mp4"))
    default_storage.save(root + "v1/poster.jpg", ContentFile(b"jpg"))
    old_token, old_mp4 = video.storage_token, root + "v1/fallback.mp4"
    assert client.get(f"/media/{old_mp4}").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        services.action_take(moderator=mod, kind="remove", note="Gone", video=reload(video))

    moved = reload(video)
    assert moved.storage_token != old_token
    assert moved.mp4 == f"videos/{video.short_id}-{moved.storage_token}/v1/fallback.mp4"
    assert default_storage.exists(moved.mp4) and default_storage.exists(moved.poster)
    assert not default_storage.exists(old_mp4)
    assert client.get(f"/media/{old_mp4}").status_code == 404


def test_limiting_keeps_the_link_but_leaves_discovery(bob, mod, video):
    services.action_take(moderator=mod, kind="limit", note="Borderline", video=video)

    assert not video_selectors.videos_public().filter(pk=video.pk).exists()
    assert video_selectors.video_is_visible_to(video=reload(video), user=bob)


def test_removing_a_comment_hides_it_and_fixes_the_count(mod, video, comment):
    Video.objects.filter(pk=video.pk).update(comment_count=1)

    services.action_take(moderator=mod, kind="remove", note="Rude", comment=comment)

    assert reload(comment).moderation_state == Comment.ModerationState.REMOVED
    assert reload(video).comment_count == 0
    services.action_take(moderator=mod, kind="restore", note="Was fine", comment=comment)
    assert reload(comment).moderation_state == Comment.ModerationState.VISIBLE
    assert reload(video).comment_count == 1


def test_suspending_hides_the_person_and_resolves_all_their_open_reports(
    bob, carol, alice, mod, video
):
    services.report_create(reporter=bob, reason_code="spam", video=video)
    services.report_create(reporter=carol, reason_code="spam", account=alice)

    services.action_take(
        moderator=mod, kind="suspend", note="Repeated", account=alice, duration=timedelta(days=3)
    )

    alice.refresh_from_db()
    assert alice.is_suspended
    assert alice.suspended_until > timezone.now() + timedelta(days=2)
    assert not video_selectors.videos_public().filter(pk=video.pk).exists()
    assert not Report.objects.filter(status=Report.Status.OPEN).exists()


def test_a_warning_is_a_strike_that_hides_nothing(alice, mod, video):
    action = services.action_take(moderator=mod, kind="warn", note="Careful", video=video)

    assert action.is_strike and action.account == alice
    assert video_selectors.videos_public().filter(pk=video.pk).exists()


def test_dismissing_resolves_every_open_report_on_the_target_only(bob, carol, mod, video, alice):
    from tests.factories import published_video

    other = published_video(alice, title="Other")
    services.report_create(reporter=bob, reason_code="spam", video=video)
    services.report_create(reporter=carol, reason_code="spam", video=video)
    kept = services.report_create(reporter=bob, reason_code="spam", video=other)

    services.action_take(moderator=mod, kind="dismiss", note="Fine", video=video)

    assert Report.objects.filter(status=Report.Status.DISMISSED).count() == 2
    assert reload(kept).status == Report.Status.OPEN


def test_dismissing_all_on_an_account_covers_its_content(bob, carol, mod, video, alice, comment):
    services.report_create(reporter=bob, reason_code="spam", video=video)
    services.report_create(reporter=carol, reason_code="spam", account=alice)
    on_carol = services.report_create(reporter=bob, reason_code="spam", comment=comment)

    services.reports_dismiss_account(account=alice, moderator=mod, note="All fine")

    assert Report.objects.filter(status=Report.Status.DISMISSED).count() == 2
    assert reload(on_carol).status == Report.Status.OPEN


def test_restoring_reverses_the_latest_strike(bob, mod, video):
    services.action_take(moderator=mod, kind="remove", note="Oops", video=video)

    services.action_take(moderator=mod, kind="restore", note="Mistake", video=video)

    assert reload(video).moderation_state == Video.ModerationState.VISIBLE
    assert video_selectors.videos_public().filter(pk=video.pk).exists()
    assert ModerationAction.objects.get(kind="remove").reversed_at is not None
    with pytest.raises(services.ModerationError, match="nothing to restore"):
        services.action_take(moderator=mod, kind="restore", note="Again", video=video)


@pytest.mark.parametrize("who", ["stranger", "target", "staff"])
def test_only_moderators_decide_and_nothing_changes_otherwise(who, bob, alice, staff, video):
    services.report_create(reporter=bob, reason_code="spam", video=video)
    user = {"stranger": bob, "target": alice, "staff": staff}[who]

    for kind in ("dismiss", "remove", "limit", "warn", "suspend", "restore"):
        with pytest.raises(PermissionDenied):
            services.action_take(moderator=user, kind=kind, note="No", video=video)
    with pytest.raises(PermissionDenied):
        services.reports_dismiss_account(account=alice, moderator=user, note="No")

    assert reload(video).moderation_state == Video.ModerationState.VISIBLE
    assert not ModerationAction.objects.exists() and not AuditLog.objects.exists()
    assert Report.objects.get().status == Report.Status.OPEN


@pytest.mark.parametrize(("note", "message"), [("", "Write a note"), ("x" * 1001, "at most")])
def test_a_decision_needs_a_note_of_at_most_1000_characters(mod, video, note, message):
    with pytest.raises(services.ModerationError, match=message):
        services.action_take(moderator=mod, kind="remove", note=note, video=video)
    assert reload(video).moderation_state == Video.ModerationState.VISIBLE
    assert not ModerationAction.objects.exists()


def test_a_moderator_cannot_strike_their_own_content(mod):
    from tests.factories import published_video

    own = published_video(mod)
    with pytest.raises(services.ModerationError, match="Another moderator"):
        services.action_take(moderator=mod, kind="remove", note="Me", video=own)


# --- appeals -----------------------------------------------------------------------------------
def test_an_approved_appeal_reverses_the_removal_and_the_creator_is_told(
    alice, mod, video, django_capture_on_commit_callbacks
):
    strike = services.action_take(moderator=mod, kind="remove", note="Spam", video=video)
    appeal = services.appeal_create(user=alice, action=strike, text="It is my own cat")

    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(appeal=appeal, moderator=mod, approve=True, note="Agreed")

    assert reload(appeal).status == Appeal.Status.APPROVED
    assert reload(video).moderation_state == Video.ModerationState.VISIBLE
    assert reload(strike).reversed_at is not None
    assert Notification.objects.filter(recipient=alice, data__kind="moderation.appeal").exists()


def test_a_rejected_appeal_keeps_the_decision(alice, mod, video):
    strike = services.action_take(moderator=mod, kind="remove", note="Spam", video=video)
    appeal = services.appeal_create(user=alice, action=strike, text="Please")

    services.appeal_decide(appeal=appeal, moderator=mod, approve=False, note="No")

    assert reload(video).moderation_state == Video.ModerationState.REMOVED
    with pytest.raises(services.ModerationError, match="already decided"):
        services.appeal_decide(appeal=reload(appeal), moderator=mod, approve=True, note="Hm")


def test_appeals_are_refused_when_too_long_too_late_twice_or_not_yours(alice, bob, mod, video):
    strike = services.action_take(moderator=mod, kind="warn", note="Careful", video=video)

    with pytest.raises(PermissionDenied):
        services.appeal_create(user=bob, action=strike, text="Not mine")
    with pytest.raises(services.ModerationError, match="at most 2000"):
        services.appeal_create(user=alice, action=strike, text="x" * 2001)
    with pytest.raises(services.ModerationError, match="why"):
        services.appeal_create(user=alice, action=strike, text="  ")
    ModerationAction.objects.filter(pk=strike.pk).update(
        created_at=timezone.now() - timedelta(days=21)
    )
    with pytest.raises(services.ModerationError, match="no longer be appealed"):
        services.appeal_create(user=alice, action=reload(strike), text="Late")
    assert not Appeal.objects.exists()

    fresh = services.action_take(moderator=mod, kind="warn", note="Again", video=video)
    services.appeal_create(user=alice, action=fresh, text="Once")
    with pytest.raises(services.ModerationError, match="no longer be appealed"):
        services.appeal_create(user=alice, action=fresh, text="Twice")
    assert Appeal.objects.count() == 1


def test_only_moderators_decide_appeals(alice, bob, staff, mod, video):
    strike = services.action_take(moderator=mod, kind="remove", note="Spam", video=video)
    appeal = services.appeal_create(user=alice, action=strike, text="Please")

    for user in (alice, bob, staff):
        with pytest.raises(PermissionDenied):
            services.appeal_decide(appeal=appeal, moderator=user, approve=True, note="Yes")

    assert reload(appeal).status == Appeal.Status.OPEN
    assert reload(video).moderation_state == Video.ModerationState.REMOVED


def test_the_moderators_group_has_the_console_permissions_and_staff_alone_has_none(mod, staff):
    assert mod.has_perm("moderation.act_on_report")
    assert mod.has_perm("moderation.view_report") and mod.has_perm("videos.change_video")
    assert not mod.has_perm("accounts.change_user")
    fresh_staff = UserFactory(is_staff=True)
    assert not fresh_staff.has_perm("moderation.act_on_report")
    assert not staff.has_perm("videos.change_video")


def test_the_moderators_digest_lists_new_reports_once(bob, mod, video):
    services.report_create(reporter=bob, reason_code="spam", video=video)

    assert services.moderator_digest_send() == 1
    assert mail.outbox[-1].to == [mod.email] and "spam" in mail.outbox[-1].body
    assert services.moderator_digest_send() == 0
    assert len(mail.outbox) == 1
