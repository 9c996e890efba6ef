from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from videos.models import Video

COMMENT_MAX_LENGTH = 200


class Like(models.Model):
    """One user's like of one video. Video.like_count is the denormalised count."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("like")
        verbose_name_plural = _("likes")
        constraints = [
            models.UniqueConstraint(fields=["user", "video"], name="like_unique_user_video"),
        ]
        indexes = [models.Index(fields=["video", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} ♥ {self.video_id}"


class Comment(models.Model):
    """A comment on a video, or a reply to one (one level only: replies have no replies)."""

    class ModerationState(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HELD = "held", _("Held for review: only its author sees it")
        REMOVED = "removed", _("Removed by a moderator")

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.CharField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_comments"
    )
    # Kept by the services, for the "top" order without counting per request.
    reply_count = models.PositiveIntegerField(default=0)
    # Set only by the social services that moderation calls; not counted while not visible.
    moderation_state = models.CharField(
        _("moderation state"),
        max_length=10,
        choices=ModerationState.choices,
        default=ModerationState.VISIBLE,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["video", "parent", "-created_at"]),
            models.Index(fields=["video", "parent", "-reply_count", "-created_at"]),
        ]

    def __str__(self):
        return self.body[:50]


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="follow_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["followee", "-created_at"]),
            models.Index(fields=["follower", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.follower_id} → {self.followee_id}"


class Notification(models.Model):
    """Something that happened to a user's videos, comments or account. Grouped when shown."""

    class Verb(models.TextChoices):
        LIKE = "like", _("liked your video")
        COMMENT = "comment", _("commented on your video")
        REPLY = "reply", _("replied to your comment")
        FOLLOW = "follow", _("followed you")
        MENTION = "mention", _("mentioned you")
        # From the site itself (a moderation outcome...): `data` says what, and the app that
        # sends it renders it (social.notices).
        NOTICE = "notice", _("a notice")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=10, choices=Verb.choices)
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at=None), name="notification_unread"
            ),
        ]

    def __str__(self):
        return f"{self.actor_id} {self.verb} → {self.recipient_id}"


class NotificationPreference(models.Model):
    """A user's email choices. No row means the defaults: no email at all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(
        _("Send me a daily email with my unread notifications"), default=False
    )
    digest_likes = models.BooleanField(_("Likes"), default=True)
    digest_comments = models.BooleanField(_("Comments and replies"), default=True)
    digest_follows = models.BooleanField(_("New followers"), default=True)
    digest_mentions = models.BooleanField(_("Mentions"), default=True)
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user_id)

    @property
    def digest_verbs(self) -> list[str]:
        verbs = []
        if self.digest_likes:
            verbs.append(Notification.Verb.LIKE)
        if self.digest_comments:
            verbs += [Notification.Verb.COMMENT, Notification.Verb.REPLY]
        if self.digest_follows:
            verbs.append(Notification.Verb.FOLLOW)
        if self.digest_mentions:
            verbs.append(Notification.Verb.MENTION)
        return verbs
