from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class WatchEvent(models.Model):
    """What a player saw happen, as reported in batches: append-only.

    Analytics and the recommender read these rows; nothing ever updates one. Deleting a
    video deletes its events with it, and analytics' roll-up deletes rows older than
    ANALYTICS_RAW_RETENTION_DAYS once they are rolled up (docs/analytics.md). No IP address
    is ever stored. Anonymous viewers are told apart only by a
    random id their browser made, never by anything personal.
    """

    class Kind(models.TextChoices):
        IMPRESSION = "impression", _("impression")
        PLAY = "play", _("play")
        WATCH = "watch", _("watch time")
        COMPLETE = "complete", _("completion")
        LOOP = "loop", _("loop")
        SKIP = "skip", _("skip")
        SHARE = "share", _("share")
        # The viewer moved on (swiped away, scrolled, left the page) while it played:
        # position_ms is the swipe-away point.
        LEAVE = "leave", _("swipe away")

    class Source(models.TextChoices):
        """Where the viewer found the video (the player works it out; see docs/analytics.md)."""

        UNKNOWN = "", _("unknown")
        FOR_YOU = "for_you", _("For You")
        FOLLOWING = "following", _("Following")
        PROFILE = "profile", _("profile")
        SEARCH = "search", _("search")
        HASHTAG = "hashtag", _("hashtag")
        LINK = "link", _("shared link or embed")
        WATCH = "watch", _("watch page")
        OTHER = "other", _("other")

    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewer_id = models.UUIDField(_("anonymous viewer id"), db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    watch_ms = models.PositiveIntegerField(default=0)
    position_ms = models.PositiveIntegerField(default=0)
    source = models.CharField(
        _("traffic source"), max_length=12, choices=Source.choices, default="", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("watch event")
        verbose_name_plural = _("watch events")
        indexes = [
            models.Index(fields=["video", "created_at"]),
            models.Index(fields=["user", "created_at"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.video_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Watch events are append-only.")
        super().save(*args, **kwargs)


class NotInterested(models.Model):
    """A viewer's "Not interested" on a video: never shown to them again, and look-alikes
    ranked lower. Deleting the row is the undo."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="not_interested"
    )
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("not interested")
        verbose_name_plural = _("not interested")
        constraints = [
            models.UniqueConstraint(fields=["user", "video"], name="not_interested_unique"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} ✕ {self.video_id}"


class ShowFewer(models.Model):
    """A viewer's "Show fewer from this creator": that creator's videos are demoted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="show_fewer"
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("show fewer from a creator")
        verbose_name_plural = _("show fewer from creators")
        constraints = [
            models.UniqueConstraint(fields=["user", "creator"], name="show_fewer_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} ↓ {self.creator_id}"


class TopicInterest(models.Model):
    """A hashtag a new viewer picked on their first visit: a cold-start user feature."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_interests"
    )
    hashtag = models.ForeignKey("videos.Hashtag", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic interest")
        verbose_name_plural = _("topic interests")
        constraints = [
            models.UniqueConstraint(fields=["user", "hashtag"], name="topic_interest_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} #{self.hashtag_id}"


class RecModelVersion(models.Model):
    """A trained For You model: its file in Django storage and what it was trained on.

    The newest row is the one web processes serve; older rows (and files) are kept a while
    for rolling back and are pruned by the training job.
    """

    version = models.CharField(max_length=40, unique=True)
    path = models.CharField(max_length=200)
    users = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    train_seconds = models.FloatField(default=0.0)
    # Events up to this moment are in the model; later ones are folded in online.
    trained_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recommender model version")
        verbose_name_plural = _("recommender model versions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.version
