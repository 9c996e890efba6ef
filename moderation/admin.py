"""The moderation console, in Django admin: the reports queue, held items, appeals, the
reasons catalogue, watched words, and the read-only decisions and audit log.

Every action asks for a note on an intermediate page and goes through moderation.services,
which checks `moderation.act_on_report` and acts through the lower apps' services.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from modeltranslation.admin import TranslationAdmin

from accounts.admin import UserAdmin
from accounts.models import User
from moderation import selectors, services
from moderation.forms import ActionNoteForm
from moderation.models import (
    Appeal,
    AuditLog,
    CommunityRule,
    HeldComment,
    HeldVideo,
    ModerationAction,
    Report,
    ReportReason,
    WatchedWord,
    WatchedWordList,
)
from social.admin import CommentAdmin
from social.models import Comment
from videos.admin import VideoAdmin
from videos.models import Video

admin.site.index_template = "admin/moderation_index.html"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services: viewable, never edited or deleted in admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _note_step(modeladmin, request, queryset, *, title: str, perform, ask_days=False):
    """An admin action's intermediate page: a required note (and, for a suspension, how many
    days), then `perform(item, note, days)` per selected item through the services."""
    if "apply" in request.POST:
        form = ActionNoteForm(request.POST)
        if form.is_valid():
            done = failed = 0
            for item in queryset:
                try:
                    perform(item, form.cleaned_data["note"], form.cleaned_data.get("days"))
                except services.ModerationError as exc:
                    failed += 1
                    modeladmin.message_user(request, f"{item}: {exc.message}", messages.ERROR)
                else:
                    done += 1
            if done:
                modeladmin.message_user(
                    request,
                    ngettext("%(count)d item decided.", "%(count)d items decided.", done)
                    % {"count": done},
                    messages.SUCCESS,
                )
            return None
    else:
        form = ActionNoteForm()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "ask_days": ask_days,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/moderation/action_note.html", context)


def _target_of(report: Report) -> dict:
    return {report.target_type: getattr(report, report.target_type)}


def _once_per_target(queryset):
    seen, unique = set(), []
    for report in queryset.select_related("video", "comment", "account", "reason"):
        if report.target_key not in seen:
            seen.add(report.target_key)
            unique.append(report)
    return unique


def _decide(kind: str, description: str, *, ask_days=False):
    def action(modeladmin, request, queryset):
        def perform(report, note, days):
            target = _target_of(report)
            if kind == "suspend":
                target = {"account": report.account}
            if next(iter(target.values())) is None:
                raise services.ModerationError(_("What was reported no longer exists."))
            services.action_take(
                moderator=request.user,
                kind=kind,
                note=note,
                reason=report.reason,
                duration=timedelta(days=days) if days else None,
                **target,
            )

        return _note_step(
            modeladmin,
            request,
            _once_per_target(queryset),
            title=str(description),
            perform=perform,
            ask_days=ask_days,
        )

    action.__name__ = f"decide_{kind}"
    return admin.action(description=description, permissions=["act"])(action)


class AssignedToMeFilter(admin.SimpleListFilter):
    title = gettext_lazy("assigned")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", gettext_lazy("to me")), ("nobody", gettext_lazy("to nobody"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to=None)
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The queue: open reports first, by priority (other reports on the same target, the
    reporter's record), then oldest first."""

    list_display = (
        "summary",
        "reason",
        "status",
        "open_on_target",
        "reporter_record",
        "assigned_to",
        "created_at",
    )
    list_filter = ("status", "reason", "target_type", AssignedToMeFilter, "low_priority")
    list_select_related = ("reason", "reporter", "assigned_to", "video", "comment", "account")
    search_fields = ("note", "reporter__username", "account__username", "video__title")
    readonly_fields = (
        "target_preview", "reporter", "reason", "note", "target_type", "account", "status",
        "priority", "low_priority", "decision", "created_at", "resolved_at",
    )  # fmt: skip
    fields = ("target_preview", "assigned_to", *readonly_fields[1:])
    raw_id_fields = ("assigned_to",)
    actions = [
        "assign_to_me",
        _decide("dismiss", gettext_lazy("Dismiss: nothing wrong (all reports on the target)")),
        "dismiss_account",
        _decide("remove", gettext_lazy("Remove the content")),
        _decide("limit", gettext_lazy("Limit: hide from discovery, reachable by link")),
        _decide("warn", gettext_lazy("Warn the creator")),
        _decide("suspend", gettext_lazy("Suspend the account"), ask_days=True),
        _decide("restore", gettext_lazy("Restore: reverse the latest decision")),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_act_permission(self, request):
        return request.user.has_perm(services.PERMISSION)

    def get_queryset(self, request):
        open_on_target = (
            Report.objects.filter(target_key=OuterRef("target_key"), status=Report.Status.OPEN)
            .order_by()
            .values("target_key")
            .annotate(n=Count("pk"))
            .values("n")
        )
        reporter_upheld = (
            Report.objects.filter(reporter=OuterRef("reporter"), status=Report.Status.RESOLVED)
            .order_by()
            .values("reporter")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_reports_on_target=Coalesce(Subquery(open_on_target), 0),
                reporter_upheld=Coalesce(Subquery(reporter_upheld), 0),
            )
        )

    def get_ordering(self, request):
        # Open reports first, by priority, oldest first.
        is_closed = Case(
            When(status=Report.Status.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (is_closed.asc(), "-priority", "created_at")

    @admin.display(description=gettext_lazy("reported"))
    def summary(self, report):
        kind = report.get_target_type_display()
        if report.video is not None:
            return f"{kind}: {report.video.title}"
        if report.comment is not None:
            return f"{kind}: {report.comment.body[:60]}"
        if report.target_type == "account" and report.account is not None:
            return f"{kind}: @{report.account.username}"
        return f"{kind}: {_('(deleted)')}"

    @admin.display(description=gettext_lazy("open on target"), ordering="open_reports_on_target")
    def open_on_target(self, report):
        return report.open_reports_on_target

    @admin.display(description=gettext_lazy("reporter (upheld)"))
    def reporter_record(self, report):
        return f"@{report.reporter.username} ({report.reporter_upheld})"

    @admin.display(description=gettext_lazy("what was reported"))
    def target_preview(self, report):
        if report.video is not None:
            video = report.video
            from django.core.files.storage import default_storage

            player = format_html(
                '<video controls preload="none" width="240" poster="{}" src="{}" '
                'aria-label="{}"></video>',
                default_storage.url(video.poster) if video.poster else "",
                default_storage.url(video.mp4) if video.mp4 else "",
                _("Reported video: %(title)s") % {"title": video.title},
            )
            return format_html(
                "{}<p><strong>{}</strong> · @{} · {} · {}</p><p>{}</p>{}",
                player,
                video.title,
                video.owner.username,
                video.get_visibility_display(),
                video.get_moderation_state_display(),
                video.description,
                self._strikes(video.owner),
            )
        if report.comment is not None:
            comment = report.comment
            thread = comment.parent or comment
            replies = Comment.objects.filter(parent=thread).select_related("author")[:20]
            lines = [(thread.author.username, thread.body, thread.pk == comment.pk)] + [
                (reply.author.username, reply.body, reply.pk == comment.pk) for reply in replies
            ]
            items = format_html_join(
                "",
                "<li{}><strong>@{}</strong>: {}</li>",
                ((' class="reported"' if mine else "", who, body) for who, body, mine in lines),
            )
            return format_html(
                "<p>{}: {}</p><ol>{}</ol>{}",
                _("On the video"),
                comment.video.title,
                items,
                self._strikes(comment.author),
            )
        if report.account is not None:
            account = report.account
            return format_html(
                "<p><strong>{}</strong> (@{}) · {}</p><p>{}</p>{}",
                account.name,
                account.username,
                account.date_joined.date(),
                account.bio,
                self._strikes(account),
            )
        return _("(deleted)")

    def _strikes(self, account):
        strikes = list(selectors.strikes_of(user=account)[:10])
        if not strikes:
            return format_html("<p>{}</p>", _("No strikes."))
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            _("Strikes:"),
            format_html_join(
                "",
                "<li>{} · {} · {}{}</li>",
                (
                    (
                        strike.created_at.date(),
                        strike.get_kind_display(),
                        strike.target_repr,
                        _(" (reversed)") if strike.reversed_at else "",
                    )
                    for strike in strikes
                ),
            ),
        )

    @admin.action(description=gettext_lazy("Assign to me"), permissions=["act"])
    def assign_to_me(self, request, queryset):
        for report in queryset:
            services.report_assign(report=report, moderator=request.user, to=request.user)
        self.message_user(request, _("Assigned to you."), messages.SUCCESS)

    @admin.action(
        description=gettext_lazy("Dismiss all open reports on the account and its content"),
        permissions=["act"],
    )
    def dismiss_account(self, request, queryset):
        accounts = {report.account_id: report.account for report in queryset if report.account}

        def perform(account, note, days):
            services.reports_dismiss_account(account=account, moderator=request.user, note=note)

        return _note_step(
            self,
            request,
            list(accounts.values()),
            title=_("Dismiss all open reports on the account and its content"),
            perform=perform,
        )

    def save_model(self, request, obj, form, change):
        # Only the assignment can change here; it goes through the service (and the log).
        if "assigned_to" in form.changed_data:
            services.report_assign(
                report=obj, moderator=request.user, to=form.cleaned_data["assigned_to"]
            )

    def get_urls(self):
        overview = self.admin_site.admin_view(self.overview_view)
        return [path("overview/", overview, name="moderation_overview"), *super().get_urls()]

    def overview_view(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation overview"),
            "opts": self.model._meta,
            **selectors.overview(),
        }
        return TemplateResponse(request, "admin/moderation/overview.html", context)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("kind", "target_repr", "account", "moderator", "created_at", "reversed_at")
    list_filter = ("kind", "target_type")
    search_fields = ("target_repr", "note", "account__username", "moderator__username")
    list_select_related = ("account", "moderator")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "verb", "target_key", "target_repr", "note")
    list_filter = ("verb",)
    search_fields = ("target_key", "target_repr", "note", "actor__username")
    list_select_related = ("actor",)


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("action", "appellant", "status", "created_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("action", "appellant", "decided_by")
    readonly_fields = (
        "action", "appellant", "text", "status", "decided_by", "decision_note", "created_at",
        "decided_at",
    )  # fmt: skip
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_act_permission(self, request):
        return request.user.has_perm(services.PERMISSION)

    def _decide(self, request, queryset, approve: bool, title: str):
        def perform(appeal, note, days):
            services.appeal_decide(
                appeal=appeal, moderator=request.user, approve=approve, note=note
            )

        items = list(queryset.select_related("action__video", "action__comment", "action__account"))
        return _note_step(self, request, items, title=title, perform=perform)

    @admin.action(description=gettext_lazy("Approve: reverse the decision"), permissions=["act"])
    def approve(self, request, queryset):
        return self._decide(request, queryset, True, _("Approve: reverse the decision"))

    @admin.action(description=gettext_lazy("Reject: keep the decision"), permissions=["act"])
    def reject(self, request, queryset):
        return self._decide(request, queryset, False, _("Reject: keep the decision"))


@admin.register(ReportReason)
class ReportReasonAdmin(TranslationAdmin):
    list_display = ("code", "label", "position", "is_active")
    list_editable = ("position", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False  # reports keep their reason; retire one with "offered to reporters"


@admin.register(CommunityRule)
class CommunityRuleAdmin(TranslationAdmin):
    """The rules page (/rules), edited and translated here (one field per language)."""

    list_display = ("position", "title", "code")
    list_display_links = ("title",)
    list_editable = ("position",)


class WatchedWordInline(admin.TabularInline):
    model = WatchedWord
    extra = 3


@admin.register(WatchedWordList)
class WatchedWordListAdmin(admin.ModelAdmin):
    list_display = ("name", "action", "is_active")
    inlines = [WatchedWordInline]


class HeldQueueAdmin(admin.ModelAdmin):
    """A queue of held items: approve (visible) or remove, with a note."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_act_permission(self, request):
        return request.user.has_perm(services.PERMISSION)


@admin.register(HeldVideo)
class HeldVideoAdmin(HeldQueueAdmin):
    list_display = ("title", "owner", "created_at")
    list_select_related = ("owner",)
    actions = ["approve", "remove"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(moderation_state=Video.ModerationState.HELD)

    @admin.action(description=gettext_lazy("Approve: make visible"), permissions=["act"])
    def approve(self, request, queryset):
        def perform(video, note, days):
            services.held_release(moderator=request.user, note=note, video=video)

        return _note_step(self, request, list(queryset), title=_("Approve"), perform=perform)

    @admin.action(description=gettext_lazy("Remove"), permissions=["act"])
    def remove(self, request, queryset):
        def perform(video, note, days):
            services.action_take(moderator=request.user, kind="remove", note=note, video=video)

        return _note_step(self, request, list(queryset), title=_("Remove"), perform=perform)


@admin.register(HeldComment)
class HeldCommentAdmin(HeldQueueAdmin):
    list_display = ("body", "author", "video", "created_at")
    list_select_related = ("author", "video")
    actions = ["approve", "remove"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(moderation_state=Comment.ModerationState.HELD)

    @admin.action(description=gettext_lazy("Approve: make visible"), permissions=["act"])
    def approve(self, request, queryset):
        def perform(comment, note, days):
            services.held_release(moderator=request.user, note=note, comment=comment)

        return _note_step(self, request, list(queryset), title=_("Approve"), perform=perform)

    @admin.action(description=gettext_lazy("Remove"), permissions=["act"])
    def remove(self, request, queryset):
        def perform(comment, note, days):
            services.action_take(moderator=request.user, kind="remove", note=note, comment=comment)

        return _note_step(self, request, list(queryset), title=_("Remove"), perform=perform)


# --- the lower apps' admins, audited -----------------------------------------------------------
# Videos, comments and accounts are edited and deleted in their own apps' admins, through their
# services. Those apps sit below moderation and cannot write its audit log, so their admins are
# registered again here with that one addition: every edit and deletion there is audited.
class AuditedChangesMixin:
    audit_target = ""  # the keyword of services.admin_change_record: video, comment or account

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.admin_change_record(
                actor=request.user,
                verb="admin_edit",
                note=", ".join(form.changed_data),
                **{self.audit_target: obj},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():  # described while it exists; no entry if the deletion fails
            self._audit_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self._audit_deletion(request, obj)
            super().delete_queryset(request, queryset)

    def _audit_deletion(self, request, obj):
        services.admin_change_record(
            actor=request.user, verb="admin_delete", **{self.audit_target: obj}
        )


admin.site.unregister(Video)
admin.site.unregister(Comment)
admin.site.unregister(User)


@admin.register(Video)
class AuditedVideoAdmin(AuditedChangesMixin, VideoAdmin):
    audit_target = "video"


@admin.register(Comment)
class AuditedCommentAdmin(AuditedChangesMixin, CommentAdmin):
    audit_target = "comment"


@admin.register(User)
class AuditedUserAdmin(AuditedChangesMixin, UserAdmin):
    audit_target = "account"
