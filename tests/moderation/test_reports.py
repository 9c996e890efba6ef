"""Filing reports: what is accepted, and what is refused with a message, creating nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts import services as account_services
from moderation import services
from moderation.models import ModerationAction, Report
from videos.models import Video

pytestmark = pytest.mark.django_db


def test_the_catalogue_has_the_seeded_reasons_in_three_languages():
    from django.utils import translation

    from moderation.selectors import reasons_active

    codes = [reason.code for reason in reasons_active()]
    assert codes[:3] == ["spam", "harassment", "hate"] and "other" in codes
    assert len(codes) == 11
    with translation.override("es"):
        assert reasons_active().get(code="spam").label == "Spam o estafa"
    with translation.override("ar"):
        assert reasons_active().get(code="hate").label == "خطاب كراهية"


def test_reporting_a_video_files_an_open_report_about_its_creator(bob, alice, video):
    report = services.report_create(reporter=bob, reason_code="spam", video=video, note="Ads")

    assert report.status == Report.Status.OPEN
    assert (report.target_type, report.target_key) == ("video", f"video:{video.pk}")
    assert report.account == alice and report.note == "Ads"


def test_comments_and_accounts_can_be_reported(bob, carol, comment):
    on_comment = services.report_create(reporter=bob, reason_code="hate", comment=comment)
    on_account = services.report_create(reporter=bob, reason_code="spam", account=carol)

    assert on_comment.account == carol and on_comment.target_key == f"comment:{comment.pk}"
    assert on_account.account == carol and on_account.target_key == f"account:{carol.pk}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason_code": "nonsense"}, "Choose one of the reasons"),
        ({"reason_code": "spam", "note": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message(bob, video, kwargs, message):
    with pytest.raises(services.ModerationError, match=message):
        services.report_create(reporter=bob, video=video, **kwargs)
    assert not Report.objects.exists()


def test_a_retired_reason_is_refused(bob, video):
    from moderation.models import ReportReason

    ReportReason.objects.filter(code="spam").update(is_active=False)
    with pytest.raises(services.ModerationError, match="Choose one"):
        services.report_create(reporter=bob, reason_code="spam", video=video)


def test_reporting_your_own_content_is_refused(alice, video, carol, comment):
    with pytest.raises(services.ModerationError, match="your own"):
        services.report_create(reporter=alice, reason_code="spam", video=video)
    with pytest.raises(services.ModerationError, match="your own"):
        services.report_create(reporter=carol, reason_code="spam", comment=comment)
    with pytest.raises(services.ModerationError, match="your own"):
        services.report_create(reporter=carol, reason_code="spam", account=carol)
    assert not Report.objects.exists()


def test_reporting_something_gone_is_refused(bob, alice, video):
    Video.objects.filter(pk=video.pk).update(visibility=Video.Visibility.PRIVATE)
    video.refresh_from_db()
    with pytest.raises(services.ModerationError, match="no longer available"):
        services.report_create(reporter=bob, reason_code="spam", video=video)
    account_services.user_suspend(user=alice)
    with pytest.raises(services.ModerationError, match="no longer available"):
        services.report_create(reporter=bob, reason_code="spam", account=alice)
    assert not Report.objects.exists()


def test_a_second_open_report_of_the_same_thing_is_refused(bob, video):
    services.report_create(reporter=bob, reason_code="spam", video=video)

    with pytest.raises(services.ModerationError, match="already reported") as refused:
        services.report_create(reporter=bob, reason_code="hate", video=video)

    assert refused.value.code == "duplicate"
    assert Report.objects.count() == 1


def test_past_the_daily_quota_reports_are_refused_with_a_retry_time(bob, alice, settings):
    from tests.factories import published_video

    settings.MODERATION_REPORTS_PER_DAY = 2
    videos = [published_video(alice, title=f"Clip {n}") for n in range(3)]
    for video in videos[:2]:
        services.report_create(reporter=bob, reason_code="spam", video=video)

    with pytest.raises(services.QuotaExceeded) as refused:
        services.report_create(reporter=bob, reason_code="spam", video=videos[2])

    assert 0 < refused.value.retry_after <= 24 * 3600 + 1
    assert Report.objects.count() == 2
    # A day later the quota is back.
    Report.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    services.report_create(reporter=bob, reason_code="spam", video=videos[2])


def test_the_30_day_quota_counts_older_reports_too(bob, alice, settings):
    from tests.factories import published_video

    settings.MODERATION_REPORTS_PER_30_DAYS = 1
    first, second = published_video(alice), published_video(alice)
    services.report_create(reporter=bob, reason_code="spam", video=first)
    Report.objects.update(created_at=timezone.now() - timedelta(days=10))

    with pytest.raises(services.QuotaExceeded):
        services.report_create(reporter=bob, reason_code="spam", video=second)


def test_a_limited_reporter_is_filed_at_low_priority_not_dropped(bob, carol, video):
    account_services.user_limit(user=bob)

    low = services.report_create(reporter=bob, reason_code="spam", video=video)
    normal = services.report_create(reporter=carol, reason_code="spam", video=video)
    low.refresh_from_db()

    assert low.status == Report.Status.OPEN and low.low_priority
    assert low.priority < 0 < normal.priority


def test_more_reports_on_one_target_raise_its_priority(bob, carol, video):
    first = services.report_create(reporter=bob, reason_code="spam", video=video)
    services.report_create(reporter=carol, reason_code="spam", video=video)
    first.refresh_from_db()

    assert first.priority == 20


def test_a_report_on_content_judged_fine_folds_into_that_decision(bob, carol, mod, video):
    services.report_create(reporter=bob, reason_code="spam", video=video)
    decision = services.action_take(moderator=mod, kind="dismiss", note="Fine", video=video)

    again = services.report_create(reporter=carol, reason_code="spam", video=video)

    assert again.status == Report.Status.DISMISSED and again.decision == decision
    assert not Report.objects.filter(status=Report.Status.OPEN).exists()


def test_visitors_cannot_report(video):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.report_create(reporter=AnonymousUser(), reason_code="spam", video=video)
    assert not ModerationAction.objects.exists()
