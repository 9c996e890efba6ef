from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from social.models import Comment
from videos.models import Video


class TargetType(models.TextChoices):
    VIDEO = "video", _("Video")
    COMMENT = "comment", _("Comment")
    ACCOUNT = "account", _("Account")


def target_key(target_type: str, pk: int) -> str:
    """The one string that names a reported thing, e.g. "video:42" (grouping, duplicates)."""
    return f"{target_type}:{pk}"


class ReportReason(models.Model):
    """One entry of the reasons catalogue (tied to a community rule); label and description
    are translated in admin (django-modeltranslation, see moderation/translation.py)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered to reporters"), default=True)

    class Meta:
        verbose_name = _("report reason")
        verbose_name_plural = _("report reasons")
        ordering = ["position", "code"]

    def __str__(self):
        return self.label


class CommunityRule(models.Model):
    """One of the community rules (the public rules page, /rules); title and body are
    translated in admin (django-modeltranslation, see moderation/translation.py). `code`
    names the report reason the rule stands behind, and is the rule's anchor on the page."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=2000)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("community rule")
        verbose_name_plural = _("community rules")
        ordering = ["position", "code"]

    def __str__(self):
        return self.title


class Report(models.Model):
    """One person's report of a video, a comment or an account."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Action taken")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_filed",
        verbose_name=_("reporter"),
    )
    reason = models.ForeignKey(
        ReportReason, on_delete=models.PROTECT, related_name="reports", verbose_name=_("reason")
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    target_type = models.CharField(_("target type"), max_length=10, choices=TargetType.choices)
    target_key = models.CharField(max_length=40, editable=False)
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    # The reported account, or the author of the reported video or comment.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_received",
        verbose_name=_("account"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # Higher first in the queue: other open reports on the same target and the reporter's
    # record; a reporter whose account is limited files at low priority (never dropped).
    priority = models.IntegerField(_("priority"), default=0)
    low_priority = models.BooleanField(_("low priority"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_assigned",
        verbose_name=_("assigned to"),
    )
    # The language the reporter used: they are told the outcome in it.
    language = models.CharField(max_length=10, blank=True, editable=False)
    decision = models.ForeignKey(
        "ModerationAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("decision"),
    )
    created_at = models.DateTimeField(_("filed"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        permissions = [("act_on_report", _("Can take moderation actions"))]
        indexes = [
            models.Index(fields=["target_key", "status"]),
            models.Index(fields=["reporter", "-created_at"]),
            models.Index(fields=["status", "-priority", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_target_type_display()} {self.target_key} ({self.reason_id})"


class ModerationAction(models.Model):
    """A moderator's decision on a video, a comment or an account. Everything but a dismissal
    and a restore is a strike on the account concerned, which its owner may appeal."""

    class Kind(models.TextChoices):
        DISMISS = "dismiss", _("Dismiss")
        REMOVE = "remove", _("Remove")
        LIMIT = "limit", _("Limit")
        WARN = "warn", _("Warn")
        SUSPEND = "suspend", _("Suspend")
        RESTORE = "restore", _("Restore")

    STRIKES = (Kind.REMOVE, Kind.LIMIT, Kind.WARN, Kind.SUSPEND)

    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_actions_taken",
        verbose_name=_("moderator"),
    )
    target_type = models.CharField(_("target type"), max_length=10, choices=TargetType.choices)
    target_key = models.CharField(max_length=40, editable=False, db_index=True)
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moderation_actions",
        verbose_name=_("account"),
    )
    reason = models.ForeignKey(
        ReportReason, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("reason")
    )
    note = models.TextField(_("note"), max_length=1000)
    # What the target was called when decided (it may be deleted later).
    target_repr = models.CharField(max_length=200, blank=True)
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    created_at = models.DateTimeField(_("decided"), auto_now_add=True, db_index=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target_key}"

    @property
    def is_strike(self) -> bool:
        return self.kind in self.STRIKES

    @property
    def appeal_deadline(self):
        return self.created_at + timedelta(days=settings.MODERATION_APPEAL_WINDOW_DAYS)


class Appeal(models.Model):
    """A creator's request to reverse a strike; approving it reverses the action."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        APPROVED = "approved", _("Approved: the action was reversed")
        REJECTED = "rejected", _("Rejected")

    action = models.OneToOneField(
        ModerationAction, on_delete=models.CASCADE, related_name="appeal", verbose_name=_("action")
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals"
    )
    text = models.TextField(_("your appeal"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals_decided",
    )
    decision_note = models.TextField(_("decision note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.appellant_id}: {self.action}"


class AuditLog(models.Model):
    """Everything a moderator did: who, what, to what, why, when. Written only by services."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    verb = models.CharField(_("what"), max_length=40)
    target_key = models.CharField(_("target"), max_length=40)
    target_repr = models.CharField(_("target name"), max_length=200, blank=True)
    note = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.actor_id} {self.verb} {self.target_key}"


class WatchedWordList(models.Model):
    """Words or patterns that hold for review or refuse what contains them (titles,
    descriptions, hashtags, comments, display names, bios)."""

    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for review")
        REFUSE = "refuse", _("Refuse with a message")

    name = models.CharField(_("name"), max_length=80)
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, default=Action.HOLD
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("watched-word list")
        verbose_name_plural = _("watched-word lists")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WatchedWord(models.Model):
    word_list = models.ForeignKey(WatchedWordList, on_delete=models.CASCADE, related_name="words")
    text = models.CharField(_("word or pattern"), max_length=200)
    is_pattern = models.BooleanField(
        _("regular expression"),
        default=False,
        help_text=_("Off: the text matches as a whole word. On: a Python regular expression."),
    )
    case_sensitive = models.BooleanField(_("case sensitive"), default=False)

    class Meta:
        verbose_name = _("watched word")
        verbose_name_plural = _("watched words")

    def __str__(self):
        return self.text


class Fingerprint(models.Model):
    """The poster hash of a removed video: a re-upload that looks the same is held."""

    poster_hash = models.BigIntegerField()
    video = models.ForeignKey(Video, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fingerprint")
        verbose_name_plural = _("fingerprints")

    def __str__(self):
        return f"{self.poster_hash & 0xFFFFFFFFFFFFFFFF:016x}"


class HeldVideo(Video):
    """The queue of videos held for review (a re-upload of a removed clip, a new account's
    first uploads, watched words)."""

    class Meta:
        proxy = True
        verbose_name = _("held video")
        verbose_name_plural = _("held videos")


class HeldComment(Comment):
    """The queue of comments held for review by a watched-word list."""

    class Meta:
        proxy = True
        verbose_name = _("held comment")
        verbose_name_plural = _("held comments")
