"""Telling people about moderation decisions: in-app notices (through social's notices, whose
renderers are registered here in AppConfig.ready) and emails, each in the person's language.

Runs after the decision has committed (the services queue it with `transaction.on_commit`);
a mail server that is down never undoes a decision.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from social import notices
from social import services as social_services

logger = logging.getLogger(__name__)

REPORT_OUTCOME = "moderation.report_outcome"
STRIKE = "moderation.strike"
APPEAL = "moderation.appeal"


def _standing_url() -> str:
    return reverse("moderation:standing")


def render_report_outcome(data: dict) -> tuple[str, str]:
    values = {"target": data.get("target", "")}
    if data.get("outcome") == "dismissed":
        text = _(
            "Thank you for your report of %(target)s. A moderator looked at it and found it "
            "within the community rules."
        )
    else:
        text = _("Thank you for your report of %(target)s. A moderator took action on it.")
    text = text % values
    if data.get("reason"):
        text += " " + _("You reported it as: %(reason)s.") % {
            "reason": _reason_label(data["reason"])
        }
    return text, reverse("social:notifications")


def render_strike(data: dict) -> tuple[str, str]:
    kind, values = data.get("action"), {"target": data.get("target", "")}
    reason = data.get("reason") or ""
    texts = {
        "remove": _("A moderator removed %(target)s."),
        "limit": _("A moderator limited %(target)s: it no longer appears in feeds and search."),
        "warn": _("A moderator warned you about %(target)s."),
        "suspend": _("A moderator suspended your account."),
        "restore": _("A moderator restored %(target)s."),
    }
    text = texts.get(kind, _("A moderator decided about %(target)s.")) % values
    if reason and kind != "restore":
        text += " " + _("Reason: %(reason)s.") % {"reason": _reason_label(reason)}
    if kind != "restore":
        text += " " + _("You can appeal from your account standing page.")
    return text, _standing_url()


def render_appeal(data: dict) -> tuple[str, str]:
    if data.get("approved"):
        text = _("Your appeal about %(target)s was approved, and the decision reversed.")
    else:
        text = _("Your appeal about %(target)s was rejected.")
    return text % {"target": data.get("target", "")}, _standing_url()


def _reason_label(code: str) -> str:
    from moderation.models import ReportReason

    reason = ReportReason.objects.filter(code=code).first()
    return reason.label if reason else code


def register_renderers() -> None:
    notices.register(REPORT_OUTCOME, render_report_outcome)
    notices.register(STRIKE, render_strike)
    notices.register(APPEAL, render_appeal)


RENDERERS = {REPORT_OUTCOME: render_report_outcome, STRIKE: render_strike, APPEAL: render_appeal}


def _tell(*, user, language: str, data: dict) -> None:
    """One in-app notice and, if the person has an email address, one email in their language."""
    social_services.notice_create(recipient=user, data=data)
    if not user.email or not user.is_active:
        return
    with translation.override(language or user.language or settings.LANGUAGE_CODE):
        text, url = RENDERERS[data["kind"]](data)
        subject = _("Microvid moderation: an update for you")
        body = "\n\n".join(
            [_("Hello %(name)s,") % {"name": user.name}, text, settings.SITE_URL + url]
        )
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:
        logger.exception("Could not email user %s about a moderation decision", user.pk)


def decision_made(*, action_id: int, report_ids: list[int]) -> None:
    """Tell the reporters of the resolved reports the outcome, and the creator of a strike."""
    from moderation.models import ModerationAction, Report

    action = ModerationAction.objects.select_related("account", "reason").filter(pk=action_id)
    action = action.first()
    if action is None:
        return
    outcome = "dismissed" if action.kind == ModerationAction.Kind.DISMISS else "action"
    told = set()
    for report in Report.objects.filter(pk__in=report_ids).select_related("reporter", "reason"):
        if report.reporter_id in told:
            continue
        told.add(report.reporter_id)
        _tell(
            user=report.reporter,
            language=report.language,
            data={
                "kind": REPORT_OUTCOME,
                "outcome": outcome,
                "target": action.target_repr,
                "reason": report.reason.code,
            },
        )
    if action.account is not None and action.kind != ModerationAction.Kind.DISMISS:
        _tell(
            user=action.account,
            language=action.account.language,
            data={
                "kind": STRIKE,
                "action": action.kind,
                "target": action.target_repr,
                "reason": action.reason.code if action.reason else "",
            },
        )


def appeal_decided(*, appeal_id: int) -> None:
    from moderation.models import Appeal

    appeal = Appeal.objects.select_related("appellant", "action").filter(pk=appeal_id).first()
    if appeal is None:
        return
    _tell(
        user=appeal.appellant,
        language=appeal.appellant.language,
        data={
            "kind": APPEAL,
            "approved": appeal.status == Appeal.Status.APPROVED,
            "target": appeal.action.target_repr,
        },
    )
