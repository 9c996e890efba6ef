"""Writes of moderation: reports, decisions (dismiss, remove, limit, warn, suspend, restore),
appeals and the audit log.

Every decision acts through the services of the lower apps (videos.services, social.services,
accounts.services), so files, counters, the search index and live pages stay right, and
resolves every open report on what it decided about. Who may decide: a user with the
`moderation.act_on_report` permission (the Moderators group); staff status alone is not enough.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import User
from core import ratelimit
from moderation import notify
from moderation.models import (
    Appeal,
    AuditLog,
    Fingerprint,
    ModerationAction,
    Report,
    ReportReason,
    TargetType,
    target_key,
)
from moderation.selectors import action_can_be_appealed, reason_get_active, report_quota_left
from social import services as social_services
from social.models import Comment
from videos import selectors as video_selectors
from videos import services as video_services
from videos.models import Video

PERMISSION = "moderation.act_on_report"
NOTE_MAX_LENGTH = 1000


class ModerationError(Exception):
    """A rule said no; `message` says why in words for the person, `code` for the API."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


class QuotaExceeded(ModerationError):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message, code="quota")
        self.retry_after = retry_after


class RateLimited(QuotaExceeded):
    """Too many report attempts in a short while (`settings.RATELIMITS["report"]`, counted by
    core.ratelimit whether or not the report is filed); answered like the quotas, with 429."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, retry_after)
        self.code = "rate_limited"


def _require_moderator(user) -> None:
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


def _describe(*, video=None, comment=None, account=None) -> str:
    if video is not None:
        return f"“{video.title}” (/v/{video.short_id})"[:200]
    if comment is not None:
        return f"“{comment.body[:80]}” (@{comment.author.username})"[:200]
    return f"@{account.username}"


def _target(*, video=None, comment=None, account=None) -> tuple[str, int, User]:
    """(target type, target pk, the account concerned) for exactly one target."""
    given = [value for value in (video, comment, account) if value is not None]
    if len(given) != 1:
        raise ModerationError(_("Report one video, comment or account."), code="target")
    if video is not None:
        return TargetType.VIDEO, video.pk, video.owner
    if comment is not None:
        return TargetType.COMMENT, comment.pk, comment.author
    return TargetType.ACCOUNT, account.pk, account


def audit(*, actor, verb: str, key: str, target_repr: str = "", note: str = "") -> AuditLog:
    return AuditLog.objects.create(
        actor=actor, verb=verb, target_key=key, target_repr=target_repr[:200], note=note
    )


def admin_change_record(
    *, actor: User, verb: str, video=None, comment=None, account=None, note: str = ""
) -> AuditLog:
    """Audit an edit ("admin_edit", the note naming the changed fields) or a deletion
    ("admin_delete") of a video, a comment or an account made in Django admin. Called by the
    admin before a deletion, in its transaction, while the target can still be described."""
    if verb not in ("admin_edit", "admin_delete"):
        raise ValueError(f"Unknown admin change {verb!r}")
    target_type, pk, _owner = _target(video=video, comment=comment, account=account)
    return audit(
        actor=actor,
        verb=verb,
        key=target_key(target_type, pk),
        target_repr=_describe(video=video, comment=comment, account=account),
        note=note,
    )


# --- reports -----------------------------------------------------------------------------------
def _target_is_gone(*, reporter, video, comment, account) -> bool:
    if video is not None:
        return not video_selectors.video_is_visible_to(video=video, user=reporter)
    if comment is not None:
        if comment.moderation_state != Comment.ModerationState.VISIBLE:
            return True
        return not video_selectors.video_is_visible_to(video=comment.video, user=reporter)
    return not account.is_active or account.is_suspended


def report_create(
    *,
    reporter: User,
    reason_code: str,
    video: Video | None = None,
    comment: Comment | None = None,
    account: User | None = None,
    note: str = "",
    language: str = "",
) -> Report:
    """File a report of a video, a comment or an account.

    Refused with a clear message, creating nothing: an unknown reason, a note over 1,000
    characters, your own content, a target that is gone, a second open report of the same
    thing, or past the quotas (`QuotaExceeded`, shown as 429) or the request rate limit
    (`RateLimited`, a `QuotaExceeded` too). A report on something a
    moderator already judged fine, unchanged since, is folded into that decision instead of
    queued again. A limited reporter's report is filed at low priority, never dropped.
    """
    if reporter is None or not reporter.is_authenticated:
        raise PermissionDenied
    account_services.user_require_not_suspended(user=reporter)
    try:
        ratelimit.limit(reporter, "report")
    except ratelimit.RateLimited as error:
        raise RateLimited(error.message, retry_after=error.retry_after) from None
    target_type, pk, concerned = _target(video=video, comment=comment, account=account)
    note = (note or "").strip()
    reason = reason_get_active(code=reason_code or "")
    if reason is None:
        raise ModerationError(_("Choose one of the reasons offered."), code="reason")
    if len(note) > NOTE_MAX_LENGTH:
        raise ModerationError(
            _("The note is at most %(max)d characters (this one has %(length)d).")
            % {"max": NOTE_MAX_LENGTH, "length": len(note)},
            code="note",
        )
    if concerned.pk == reporter.pk:
        raise ModerationError(_("You cannot report your own content."), code="own")
    if _target_is_gone(reporter=reporter, video=video, comment=comment, account=account):
        raise ModerationError(_("This is no longer available, so there is nothing to report."))
    key = target_key(target_type, pk)
    with transaction.atomic():
        # The reporter's row lock makes the duplicate and quota checks hold under double clicks.
        User.objects.select_for_update().filter(pk=reporter.pk).first()
        if Report.objects.filter(
            reporter=reporter, target_key=key, status=Report.Status.OPEN
        ).exists():
            raise ModerationError(
                _("You already reported this. Moderators will look at it soon."),
                code="duplicate",
            )
        left, retry_after = report_quota_left(reporter=reporter)
        if left <= 0:
            raise QuotaExceeded(
                _(
                    "You have sent many reports lately. Thank you: you can send more in "
                    "%(hours)d hours."
                )
                % {"hours": max(1, round(retry_after / 3600))},
                retry_after=retry_after,
            )
        report = Report(
            reporter=reporter,
            reason=reason,
            note=note,
            target_type=target_type,
            target_key=key,
            video=video,
            comment=comment,
            account=concerned,
            low_priority=reporter.is_limited,
            language=language or reporter.language,
        )
        decided = _standing_dismissal(key=key, video=video)
        if decided is not None:
            report.status = Report.Status.DISMISSED
            report.decision = decided
            report.resolved_at = timezone.now()
            report.save()
            return report
        open_on_target = Report.objects.filter(target_key=key, status=Report.Status.OPEN)
        upheld = Report.objects.filter(reporter=reporter, status=Report.Status.RESOLVED).count()
        report.priority = (
            10 * (open_on_target.count() + 1) + min(upheld, 10) - (1000 * report.low_priority)
        )
        report.save()
        open_on_target.exclude(pk=report.pk).update(priority=F("priority") + 10)
    return report


def _standing_dismissal(*, key: str, video: Video | None) -> ModerationAction | None:
    """The dismissal that still covers this target: the latest decision on it was "fine", and
    (for a video) it has not been edited since."""
    latest = ModerationAction.objects.filter(target_key=key).order_by("-created_at").first()
    if latest is None or latest.kind != ModerationAction.Kind.DISMISS:
        return None
    if video is not None and video.updated_at > latest.created_at:
        return None
    return latest


def report_assign(*, report: Report, moderator: User, to: User | None) -> Report:
    """Assign a report to a moderator (or to nobody)."""
    _require_moderator(moderator)
    Report.objects.filter(pk=report.pk).update(assigned_to=to)
    report.assigned_to = to
    audit(
        actor=moderator,
        verb="assign",
        key=report.target_key,
        target_repr=f"report {report.pk}",
        note=to.username if to else "",
    )
    return report


# --- decisions ---------------------------------------------------------------------------------
def _check_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ModerationError(_("Write a note: why this decision?"), code="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise ModerationError(
            _("The note is at most %(max)d characters (this one has %(length)d).")
            % {"max": NOTE_MAX_LENGTH, "length": len(note)},
            code="note",
        )
    return note


def _resolve_reports(*, reports, action: ModerationAction) -> list[int]:
    status = (
        Report.Status.DISMISSED
        if action.kind == ModerationAction.Kind.DISMISS
        else Report.Status.RESOLVED
    )
    ids = list(reports.filter(status=Report.Status.OPEN).values_list("pk", flat=True))
    Report.objects.filter(pk__in=ids).update(
        status=status, decision=action, resolved_at=action.created_at
    )
    return ids


def action_take(
    *,
    moderator: User,
    kind: str,
    note: str,
    video: Video | None = None,
    comment: Comment | None = None,
    account: User | None = None,
    reason: ReportReason | None = None,
    duration: timedelta | None = None,
) -> ModerationAction:
    """Decide about a video, a comment or an account, and resolve every open report on it.

    - dismiss: nothing wrong (later reports of the unchanged target fold into this decision);
    - remove: a video or comment is taken down (a video's files move, so old URLs die);
      for an account, it is suspended until lifted;
    - limit: a video or account leaves discovery (still reachable by link);
    - warn: a strike, nothing hidden;
    - suspend: the account concerned (the target's author) is hidden for `duration` (None:
      until lifted); every open report on the account and its content is resolved;
    - restore: the latest strike on the target is reversed.
    """
    _require_moderator(moderator)
    note = _check_note(note)
    kinds = ModerationAction.Kind
    if kind not in kinds.values:
        raise ModerationError(_("Unknown action."), code="kind")
    target_type, pk, concerned = _target(video=video, comment=comment, account=account)
    if concerned.pk == moderator.pk and kind != kinds.DISMISS:
        raise ModerationError(_("Another moderator must decide about your own content."))
    if kind == kinds.RESTORE:
        strike = (
            ModerationAction.objects.filter(
                target_key=target_key(target_type, pk),
                kind__in=ModerationAction.STRIKES,
                reversed_at=None,
            )
            .order_by("-created_at")
            .first()
        )
        if strike is None:
            raise ModerationError(_("There is nothing to restore here."), code="nothing")
        return action_reverse(action=strike, moderator=moderator, note=note)
    if kind == kinds.LIMIT and comment is not None:
        raise ModerationError(_("A comment cannot be limited: remove it instead."))
    key = target_key(target_type, pk)
    with transaction.atomic():
        action = ModerationAction.objects.create(
            kind=kind,
            moderator=moderator,
            target_type=target_type,
            target_key=key,
            video=video,
            comment=comment,
            account=concerned,
            reason=reason,
            note=note,
            target_repr=_describe(video=video, comment=comment, account=account),
        )
        _apply(action=action, video=video, comment=comment, account=account, duration=duration)
        reports = Report.objects.filter(target_key=key)
        if kind == kinds.SUSPEND or (kind == kinds.REMOVE and account is not None):
            # Beyond a warning on the person: every open report on them and theirs.
            reports = Report.objects.filter(Q(target_key=key) | Q(account=concerned))
        resolved = _resolve_reports(reports=reports, action=action)
        audit(
            actor=moderator,
            verb=kind,
            key=key,
            target_repr=action.target_repr,
            note=note,
        )
        action_id = action.pk
        transaction.on_commit(
            lambda: notify.decision_made(action_id=action_id, report_ids=resolved)
        )
    return action


def _apply(*, action, video, comment, account, duration) -> None:
    kinds = ModerationAction.Kind
    if action.kind == kinds.REMOVE:
        if video is not None:
            if video.poster_hash is not None:
                Fingerprint.objects.create(poster_hash=video.poster_hash, video=video)
            video_services.video_set_moderation_state(
                video=video, state=Video.ModerationState.REMOVED
            )
        elif comment is not None:
            social_services.comment_set_moderation_state(
                comment=comment, state=Comment.ModerationState.REMOVED
            )
        else:
            account_services.user_suspend(user=account, until=None)
    elif action.kind == kinds.LIMIT:
        if video is not None:
            video_services.video_set_moderation_state(
                video=video, state=Video.ModerationState.LIMITED
            )
        else:
            account_services.user_limit(user=account)
    elif action.kind == kinds.SUSPEND:
        until = timezone.now() + duration if duration else None
        account_services.user_suspend(user=action.account, until=until)
        action.suspended_until = until
        action.save(update_fields=["suspended_until"])


def action_reverse(*, action: ModerationAction, moderator: User, note: str) -> ModerationAction:
    """Undo a strike (restore, or an approved appeal): the video or comment is visible again,
    the suspension or limit is lifted. Returns the "restore" action recorded."""
    _require_moderator(moderator)
    note = _check_note(note)
    if not action.is_strike or action.reversed_at is not None:
        raise ModerationError(_("This decision was already reversed."), code="nothing")
    kinds = ModerationAction.Kind
    with transaction.atomic():
        now = timezone.now()
        ModerationAction.objects.filter(pk=action.pk).update(reversed_at=now)
        action.reversed_at = now
        if action.kind in (kinds.REMOVE, kinds.LIMIT) and action.video_id:
            video_services.video_set_moderation_state(
                video=action.video, state=Video.ModerationState.VISIBLE
            )
        elif action.kind == kinds.REMOVE and action.comment_id:
            social_services.comment_set_moderation_state(
                comment=action.comment, state=Comment.ModerationState.VISIBLE
            )
        elif action.kind == kinds.LIMIT:
            account_services.user_unlimit(user=action.account)
        elif action.kind in (kinds.SUSPEND, kinds.REMOVE):
            account_services.user_unsuspend(user=action.account)
        restore = ModerationAction.objects.create(
            kind=kinds.RESTORE,
            moderator=moderator,
            target_type=action.target_type,
            target_key=action.target_key,
            video=action.video,
            comment=action.comment,
            account=action.account,
            note=note,
            target_repr=action.target_repr,
        )
        audit(
            actor=moderator,
            verb="restore",
            key=action.target_key,
            target_repr=action.target_repr,
            note=note,
        )
        restore_id = restore.pk
        transaction.on_commit(lambda: notify.decision_made(action_id=restore_id, report_ids=[]))
    return restore


def reports_dismiss_account(*, account: User, moderator: User, note: str) -> ModerationAction:
    """Dismiss every open report on an account and on its videos and comments."""
    _require_moderator(moderator)
    note = _check_note(note)
    key = target_key(TargetType.ACCOUNT, account.pk)
    with transaction.atomic():
        action = ModerationAction.objects.create(
            kind=ModerationAction.Kind.DISMISS,
            moderator=moderator,
            target_type=TargetType.ACCOUNT,
            target_key=key,
            account=account,
            note=note,
            target_repr=f"@{account.username}",
        )
        resolved = _resolve_reports(reports=Report.objects.filter(account=account), action=action)
        audit(
            actor=moderator,
            verb="dismiss_all",
            key=key,
            target_repr=action.target_repr,
            note=note,
        )
        transaction.on_commit(
            lambda: notify.decision_made(action_id=action.pk, report_ids=resolved)
        )
    return action


def held_release(
    *, moderator: User, note: str, video: Video | None = None, comment: Comment | None = None
) -> None:
    """Approve a held video or comment: it becomes visible (the decision is logged)."""
    _require_moderator(moderator)
    note = _check_note(note)
    with transaction.atomic():
        if video is not None:
            if video.moderation_state != Video.ModerationState.HELD:
                raise ModerationError(_("This video is not held."))
            video_services.video_set_moderation_state(
                video=video, state=Video.ModerationState.VISIBLE
            )
            key, name = target_key(TargetType.VIDEO, video.pk), _describe(video=video)
        else:
            if comment.moderation_state != Comment.ModerationState.HELD:
                raise ModerationError(_("This comment is not held."))
            social_services.comment_set_moderation_state(
                comment=comment, state=Comment.ModerationState.VISIBLE
            )
            key, name = target_key(TargetType.COMMENT, comment.pk), _describe(comment=comment)
        audit(actor=moderator, verb="release", key=key, target_repr=name, note=note)


# --- appeals -----------------------------------------------------------------------------------
def appeal_create(*, user: User, action: ModerationAction, text: str) -> Appeal:
    """Appeal one of your strikes, within the appeal window, once."""
    if user is None or not user.is_authenticated or action.account_id != user.pk:
        raise PermissionDenied
    text = (text or "").strip()
    limit = settings.MODERATION_APPEAL_MAX_LENGTH
    if not text:
        raise ModerationError(_("Tell the moderators why the decision should change."))
    if len(text) > limit:
        raise ModerationError(
            _("An appeal is at most %(max)d characters (this one has %(length)d).")
            % {"max": limit, "length": len(text)},
            code="text",
        )
    if not action_can_be_appealed(action=action):
        raise ModerationError(
            _("This decision can no longer be appealed (appeals are open for %(days)d days).")
            % {"days": settings.MODERATION_APPEAL_WINDOW_DAYS},
            code="closed",
        )
    with transaction.atomic():
        appeal = Appeal.objects.create(action=action, appellant=user, text=text)
        audit(actor=user, verb="appeal", key=action.target_key, target_repr=action.target_repr)
    return appeal


def appeal_decide(*, appeal: Appeal, moderator: User, approve: bool, note: str) -> Appeal:
    """Approve (reversing the action) or reject an appeal; the appellant is told."""
    _require_moderator(moderator)
    note = _check_note(note)
    if appeal.status != Appeal.Status.OPEN:
        raise ModerationError(_("This appeal was already decided."), code="decided")
    with transaction.atomic():
        if approve:
            action_reverse(action=appeal.action, moderator=moderator, note=note)
        appeal.status = Appeal.Status.APPROVED if approve else Appeal.Status.REJECTED
        appeal.decided_by = moderator
        appeal.decision_note = note
        appeal.decided_at = timezone.now()
        appeal.save()
        audit(
            actor=moderator,
            verb="appeal_approved" if approve else "appeal_rejected",
            key=appeal.action.target_key,
            target_repr=appeal.action.target_repr,
            note=note,
        )
        appeal_id = appeal.pk
        transaction.on_commit(lambda: notify.appeal_decided(appeal_id=appeal_id))
    return appeal


# --- the Moderators group ----------------------------------------------------------------------
MODERATORS_GROUP = "Moderators"
# Exactly what the console needs; nothing lets a moderator edit accounts or grant rights.
MODERATOR_PERMISSIONS = [
    "moderation.act_on_report",
    "moderation.view_report",
    "moderation.change_report",
    "moderation.view_moderationaction",
    "moderation.view_appeal",
    "moderation.change_appeal",
    "moderation.view_auditlog",
    "moderation.view_reportreason",
    "moderation.add_reportreason",
    "moderation.change_reportreason",
    "moderation.view_communityrule",
    "moderation.add_communityrule",
    "moderation.change_communityrule",
    "moderation.view_watchedwordlist",
    "moderation.add_watchedwordlist",
    "moderation.change_watchedwordlist",
    "moderation.delete_watchedwordlist",
    "moderation.view_watchedword",
    "moderation.add_watchedword",
    "moderation.change_watchedword",
    "moderation.delete_watchedword",
    "moderation.view_heldvideo",
    "moderation.view_heldcomment",
    "videos.view_video",
    "videos.change_video",
    "videos.delete_video",
    "social.view_comment",
    "social.delete_comment",
    "accounts.view_user",
]


def moderators_group_sync(**kwargs):
    """Create the Moderators group with exactly MODERATOR_PERMISSIONS (run after every
    migrate, once the permissions exist)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = Q()
    for name in MODERATOR_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


# --- the moderators' digest ----------------------------------------------------------------------
DIGEST_CACHE_KEY = "moderation:last-digest-at"


def moderator_digest_send(*, now=None) -> int:
    """Email every moderator (the Moderators group, with an address) one message listing the
    reports filed since the last digest, if there are any. Returns how many were listed."""
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.mail import send_mail
    from django.urls import reverse

    now = now or timezone.now()
    since = cache.get(DIGEST_CACHE_KEY) or now - timedelta(hours=1)
    new = list(
        Report.objects.filter(created_at__gt=since, created_at__lte=now)
        .select_related("reason")
        .order_by("-priority", "created_at")[:50]
    )
    cache.set(DIGEST_CACHE_KEY, now, timeout=None)
    group = Group.objects.filter(name=MODERATORS_GROUP).first()
    if not new or group is None:
        return 0
    recipients = list(
        group.user_set.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        return 0
    queue_url = settings.SITE_URL + reverse("admin:moderation_report_changelist")
    lines = [f"- {report.get_target_type_display()} · {report.reason.code}" for report in new]
    body = "\n".join(
        [
            _("%(count)d new reports since the last digest:") % {"count": len(new)},
            *lines,
            "",
            _("The queue: %(url)s") % {"url": queue_url + "?status__exact=open"},
        ]
    )
    send_mail(_("Microvid: %(count)d new reports") % {"count": len(new)}, body, None, recipients)
    return len(new)
