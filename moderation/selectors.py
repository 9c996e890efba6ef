"""Reads of moderation: the community rules, the reasons catalogue, report quotas, a person's
standing, the console's overview numbers."""

from datetime import timedelta
from statistics import median

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.shortcuts import get_object_or_404
from django.utils import timezone

from moderation.models import Appeal, CommunityRule, ModerationAction, Report, ReportReason


def community_rules():
    """The community rules, in order (their text in the active language, English if a
    translation is missing)."""
    return CommunityRule.objects.order_by("position", "code")


def reasons_active():
    """The reasons a reporter may choose, in catalogue order."""
    return ReportReason.objects.filter(is_active=True).order_by("position", "code")


def reason_get_active(*, code: str) -> ReportReason | None:
    return reasons_active().filter(code=code).first()


def report_quota_left(*, reporter, now=None) -> tuple[int, int]:
    """(reports left today, seconds until one more is allowed). One query.

    This is a business rule on the Report rows (Loops' 15 a day and 200 in 30 days), not a
    request rate limit: it counts what the person has filed, wherever they filed it from.
    """
    now = now or timezone.now()
    day_ago, month_ago = now - timedelta(days=1), now - timedelta(days=30)
    counts = Report.objects.filter(reporter=reporter, created_at__gt=month_ago).aggregate(
        day=Count("pk", filter=Q(created_at__gt=day_ago)), month=Count("pk")
    )
    per_day = settings.MODERATION_REPORTS_PER_DAY
    per_month = settings.MODERATION_REPORTS_PER_30_DAYS
    left = min(per_day - counts["day"], per_month - counts["month"])
    if left > 0:
        return left, 0
    window_start = month_ago if counts["month"] >= per_month else day_ago
    window = timedelta(days=30) if counts["month"] >= per_month else timedelta(days=1)
    oldest = (
        Report.objects.filter(reporter=reporter, created_at__gt=window_start)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    retry_after = int(((oldest + window) - now).total_seconds()) + 1 if oldest else 60
    return 0, max(retry_after, 1)


def open_report_count() -> int:
    return Report.objects.filter(status=Report.Status.OPEN).count()


def strikes_of(*, user):
    """The person's strikes (warnings, limits, removals, suspensions), newest first, with
    their appeal if any."""
    return (
        ModerationAction.objects.filter(account=user, kind__in=ModerationAction.STRIKES)
        .select_related("reason", "video", "comment", "appeal")
        .order_by("-created_at")
    )


def strike_get_for_appeal(*, user, pk: int) -> ModerationAction:
    """A strike of this user's; 404 for anyone else's, so nobody learns of others' strikes."""
    return get_object_or_404(strikes_of(user=user), pk=pk)


def action_can_be_appealed(*, action: ModerationAction, now=None) -> bool:
    now = now or timezone.now()
    if not action.is_strike or action.reversed_at is not None:
        return False
    if Appeal.objects.filter(action=action).exists():
        return False
    return now <= action.appeal_deadline


def standing_of(*, user, now=None) -> dict:
    """What the "Account standing" page and `/api/v1/me/standing` show."""
    now = now or timezone.now()
    strikes = list(strikes_of(user=user))
    for strike in strikes:
        strike.can_appeal = action_can_be_appealed(action=strike, now=now)
    active = [strike for strike in strikes if strike.reversed_at is None]
    return {
        "strikes": strikes,
        "active_strike_count": len(active),
        "suspended": user.is_suspended_at(now),
        "suspended_until": user.suspended_until if user.is_suspended_at(now) else None,
        "limited": user.is_limited,
    }


def overview(*, now=None, weeks: int = 8) -> dict:
    """The console's overview page: open reports, median time to a decision, reports per
    reason and per week, actions per moderator."""
    now = now or timezone.now()
    since = now - timedelta(weeks=weeks)
    decided = Report.objects.filter(resolved_at__isnull=False, created_at__gte=since)
    durations = [
        (resolved - created).total_seconds()
        for created, resolved in decided.values_list("created_at", "resolved_at")[:5000]
    ]
    return {
        "open": Report.objects.filter(status=Report.Status.OPEN).count(),
        "open_appeals": Appeal.objects.filter(status=Appeal.Status.OPEN).count(),
        "median_hours_to_decision": (median(durations) / 3600 if durations else None),
        "per_reason": list(
            Report.objects.filter(created_at__gte=since)
            .values("reason__code")
            .annotate(n=Count("pk"))
            .order_by("-n", "reason__code")
        ),
        "per_week": list(
            Report.objects.filter(created_at__gte=since)
            .annotate(week=TruncWeek("created_at"))
            .values("week")
            .annotate(n=Count("pk"))
            .order_by("week")
        ),
        "per_moderator": list(
            ModerationAction.objects.filter(created_at__gte=since)
            .values("moderator__username")
            .annotate(n=Count("pk"))
            .order_by("-n", "moderator__username")
        ),
        "weeks": weeks,
    }
