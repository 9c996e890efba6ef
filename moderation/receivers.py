"""Moderation's hooks into the lower apps, connected in apps.py: the lower apps send signals
and never import moderation."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from moderation.models import AuditLog, Fingerprint
from videos import services as video_services
from videos.models import Video
from videos.signals import video_processed


def hold_reuploads_and_first_uploads(sender, video, **kwargs):
    """Hold for review a processed video that looks like a removed one (its poster's
    perceptual hash is within a few bits), or one of a new account's first uploads."""
    if video.moderation_state != Video.ModerationState.VISIBLE:
        return
    why = ""
    if video.poster_hash is not None:
        limit = settings.MODERATION_FINGERPRINT_DISTANCE
        for known in Fingerprint.objects.values_list("poster_hash", flat=True).iterator():
            if video_services.dhash_distance(known, video.poster_hash) <= limit:
                why = "looks like a removed video"
                break
    first_uploads = settings.MODERATION_HOLD_FIRST_UPLOADS
    if not why and first_uploads:
        owner = video.owner
        new_since = timezone.now() - timedelta(days=settings.MODERATION_NEW_ACCOUNT_DAYS)
        earlier = Video.objects.filter(owner=owner, pk__lt=video.pk).count()
        if owner.date_joined >= new_since and earlier < first_uploads:
            why = "first uploads of a new account"
    if why:
        video_services.video_set_moderation_state(video=video, state=Video.ModerationState.HELD)
        AuditLog.objects.create(
            actor=None,
            verb="hold",
            target_key=f"video:{video.pk}",
            target_repr=f"“{video.title}” (/v/{video.short_id})"[:200],
            note=why,
        )


def connect() -> None:
    video_processed.connect(
        hold_reuploads_and_first_uploads, sender=Video, dispatch_uid="moderation-hold-videos"
    )
