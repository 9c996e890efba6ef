import secrets
import string

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.storage import PRIVATE_PREFIX

TITLE_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 500
SHORT_ID_ALPHABET = string.ascii_letters + string.digits


def new_short_id() -> str:
    """A short public id for /v/<short_id>: 10 characters, about 59 bits of randomness."""
    return "".join(secrets.choice(SHORT_ID_ALPHABET) for _ in range(10))


def new_storage_token() -> str:
    # Part of every file name of a video, so that files of private and unlisted videos
    # cannot be found by guessing URLs.
    return secrets.token_urlsafe(18)


def captions_upload_to(instance, filename):
    # Under the video's unguessable folder, with a new name per upload (cached for good).
    return f"{instance.media_root}captions-{secrets.token_hex(4)}.vtt"


def source_upload_to(instance, filename):
    # The uploaded name is never used: it can be anything, including "../../etc/passwd".
    return f"uploads/{instance.short_id}-{instance.storage_token}/source"


class Hashtag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("hashtag")
        verbose_name_plural = _("hashtags")
        ordering = ["name"]

    def __str__(self):
        return f"#{self.name}"


class Video(models.Model):
    """A 5-second clip: its metadata, its processing state and where its files are."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        NEEDS_TRIM = "needs_trim", _("Waiting for a start time")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class ModerationState(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        LIMITED = "limited", _("Limited: reachable by link, not in discovery")
        REMOVED = "removed", _("Removed by a moderator")
        HELD = "held", _("Held for review: only its creator sees it")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can find and watch it")
        UNLISTED = "unlisted", _("Unlisted: only people with the link")
        PRIVATE = "private", _("Private: only you")

    short_id = models.CharField(max_length=10, unique=True, default=new_short_id, editable=False)
    storage_token = models.CharField(max_length=32, default=new_storage_token, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="videos",
        verbose_name=_("creator"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    comments_enabled = models.BooleanField(_("comments on"), default=True)
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="videos")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_videos"
    )

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    failure_reason = models.TextField(_("why processing failed"), blank=True)
    # The form's one-time token: a second submit of the same upload form finds this video.
    upload_token = models.CharField(max_length=64, blank=True)

    source = models.FileField(_("uploaded file"), upload_to=source_upload_to, blank=True)
    source_duration = models.FloatField(null=True, blank=True)
    trim_start = models.FloatField(_("start time (seconds)"), null=True, blank=True)
    # The trim step's strip of frames of a clip waiting for a start time: [{"time": seconds,
    # "name": storage name, "width", "height"}], always in private storage (see
    # `trim_frames_root`); None when there is none. Nullable without a default so that SQLite
    # adds the column in place: remaking the table would drop search's FTS5 triggers on it.
    trim_frames = models.JSONField(null=True, blank=True, editable=False)

    duration = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    has_audio = models.BooleanField(default=False)
    output_prefix = models.CharField(max_length=200, blank=True)
    hls_master = models.CharField(max_length=250, blank=True)
    mp4 = models.CharField(max_length=250, blank=True)
    poster = models.CharField(max_length=250, blank=True)
    # A tiny blurred poster as a data: URI, shown at once while the real frames arrive.
    poster_inline = models.TextField(blank=True, editable=False)
    output_bytes = models.PositiveBigIntegerField(default=0)
    captions = models.FileField(_("captions (WebVTT)"), upload_to=captions_upload_to, blank=True)
    captions_language = models.CharField(_("captions language"), max_length=10, blank=True)
    # Views counted from the players' events: once per viewer per video per hour.
    view_count = models.PositiveBigIntegerField(_("views"), default=0)
    # Kept by the social services, so that cards and feeds need no counting queries.
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    # Recomputed periodically by the discovery app; never per request.
    trending_score = models.FloatField(default=0.0, db_index=True)
    # Title, hashtags and description, weighted; kept up to date on save (PostgreSQL).
    search_vector = SearchVectorField(null=True, editable=False)

    # Set only through the videos services that moderation calls (video_remove, ...).
    moderation_state = models.CharField(
        _("moderation state"),
        max_length=10,
        choices=ModerationState.choices,
        default=ModerationState.VISIBLE,
    )
    # A perceptual hash (64-bit dHash) of the poster, to recognise a removed clip uploaded again.
    poster_hash = models.BigIntegerField(null=True, blank=True, editable=False)

    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    # The processing attempt that holds the video (a fresh id per attempt), the Celery task
    # (message) it runs in, and until when its lease holds: the attempt renews it while it
    # works, so a dead attempt is recognised by an expired lease, or at once when its own
    # message comes back (a worker lost mid-task redelivers the same task id).
    processing_attempt_id = models.CharField(max_length=32, blank=True, editable=False)
    processing_task_id = models.CharField(max_length=64, blank=True, editable=False)
    processing_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    # Scheduled publication: a periodic task publishes the draft when the time comes.
    publish_at = models.DateTimeField(_("scheduled for"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "upload_token"],
                condition=~models.Q(upload_token=""),
                name="video_unique_upload_token",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "processing_started_at"]),
            # A creator's public videos, newest first: Following (the creators one follows),
            # For You's followed-creators stream and a profile read only this index (an
            # index-only scan per creator) to rank ids, then fetch the page's rows by id.
            models.Index(
                "owner",
                F("published_at").desc(),
                F("id").desc(),
                condition=Q(status="ready", visibility="public", published_at__isnull=False),
                name="video_owner_public_recent",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_scheduled(self) -> bool:
        return self.publish_at is not None and self.published_at is None

    @property
    def is_processing(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.PROCESSING)

    @property
    def media_root(self) -> str:
        """The folder of this video's files: public storage (plain, cacheable URLs) only for
        a public video, else private storage (signed URLs that expire); see core.storage.
        A new `storage_token` (a privacy change) makes a new folder."""
        folder = f"videos/{self.short_id}-{self.storage_token}/"
        return folder if self.visibility == self.Visibility.PUBLIC else PRIVATE_PREFIX + folder

    @property
    def trim_frames_root(self) -> str:
        """The folder of the trim step's frames: private storage whatever the visibility, as
        they are frames of a draft that only its creator may see."""
        return f"{PRIVATE_PREFIX}videos/{self.short_id}-{self.storage_token}/trim/"

    @property
    def is_portrait(self) -> bool:
        return bool(self.width and self.height and self.height > self.width)


class Rendition(models.Model):
    """One rung of a video's HLS ladder."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="renditions")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bandwidth = models.PositiveIntegerField(help_text=_("peak bits per second"))
    average_bandwidth = models.PositiveIntegerField(help_text=_("average bits per second"))
    codecs = models.CharField(max_length=100)
    playlist = models.CharField(max_length=250)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        ordering = ["video", "height"]

    def __str__(self):
        return f"{self.width}x{self.height}"

    @property
    def quality_label(self) -> str:
        """ "720p" for 720x1280 as for 1280x720: quality is named after the short side."""
        return f"{min(self.width, self.height)}p"
