from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class WatchEvent(models.Model):
    """What a player saw happen, as reported in batches: append-only.

    Analytics and the recommender read these rows; nothing ever updates or deletes one
    (deleting a video deletes its events with it). Anonymous viewers are told apart only by a
    random id their browser made, never by anything personal.
    """

    class Kind(models.TextChoices):
        IMPRESSION = "impression", _("impression")
        PLAY = "play", _("play")
        WATCH = "watch", _("watch time")
        COMPLETE = "complete", _("completion")
        LOOP = "loop", _("loop")
        SKIP = "skip", _("skip")

    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewer_id = models.UUIDField(_("anonymous viewer id"), db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    watch_ms = models.PositiveIntegerField(default=0)
    position_ms = models.PositiveIntegerField(default=0)
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
