"""Roll-ups of the players' watch events (docs/analytics.md defines every measure).

Raw events stay in `recommendations.WatchEvent`; the roll-up job turns them into one row per
video (and per creator) per hour and per day. Rows are recomputed whole from the raw events,
so re-running a period gives the same rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The traffic sources a play is counted under, in the order the dashboard shows them.
SOURCES = ["for_you", "following", "profile", "search", "hashtag", "link", "watch", "other"]
# Retention points: the share of plays that reached 10%, 20%, ... 100% of the clip.
RETENTION_POINTS = 10


class Granularity(models.TextChoices):
    HOUR = "hour", _("hour")
    DAY = "day", _("day")


class _Measures(models.Model):
    granularity = models.CharField(max_length=4, choices=Granularity.choices)
    period_start = models.DateTimeField()
    plays = models.PositiveIntegerField(default=0)
    engaged_plays = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    loops = models.PositiveIntegerField(default=0)
    leaves = models.PositiveIntegerField(default=0)
    watch_ms = models.BigIntegerField(default=0)
    unique_viewers = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    follows_gained = models.PositiveIntegerField(default=0)
    src_for_you = models.PositiveIntegerField(default=0)
    src_following = models.PositiveIntegerField(default=0)
    src_profile = models.PositiveIntegerField(default=0)
    src_search = models.PositiveIntegerField(default=0)
    src_hashtag = models.PositiveIntegerField(default=0)
    src_link = models.PositiveIntegerField(default=0)
    src_watch = models.PositiveIntegerField(default=0)
    src_other = models.PositiveIntegerField(default=0)
    ret_10 = models.PositiveIntegerField(default=0)
    ret_20 = models.PositiveIntegerField(default=0)
    ret_30 = models.PositiveIntegerField(default=0)
    ret_40 = models.PositiveIntegerField(default=0)
    ret_50 = models.PositiveIntegerField(default=0)
    ret_60 = models.PositiveIntegerField(default=0)
    ret_70 = models.PositiveIntegerField(default=0)
    ret_80 = models.PositiveIntegerField(default=0)
    ret_90 = models.PositiveIntegerField(default=0)
    ret_100 = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class VideoStats(_Measures):
    """One video's measures over one hour or one day (UTC)."""

    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="+")
    # The video's owner, copied so a creator's dashboard reads one index range.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("video statistics")
        verbose_name_plural = _("video statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["video", "granularity", "period_start"], name="video_stats_period"
            )
        ]
        indexes = [models.Index(fields=["creator", "granularity", "period_start"])]
        permissions = [("view_any_stats", _("Can read any creator's analytics"))]

    def __str__(self):
        return f"{self.video_id} {self.granularity} {self.period_start:%Y-%m-%d %H:%M}"


class CreatorStats(_Measures):
    """All of one creator's videos over one hour or one day; unique viewers and follows are
    counted across the creator's videos (a viewer of two videos is one viewer here)."""

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploads = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("creator statistics")
        verbose_name_plural = _("creator statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "granularity", "period_start"], name="creator_stats_period"
            )
        ]

    def __str__(self):
        return f"{self.creator_id} {self.granularity} {self.period_start:%Y-%m-%d %H:%M}"


class RollupState(models.Model):
    """How far the roll-up has gone: one row. Hours before `rolled_until` are final."""

    rolled_until = models.DateTimeField(null=True, blank=True)
    # Raw events before this moment were deleted: periods before it cannot be rolled again.
    purged_before = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The admin's "Platform analytics" page is hung on this model (analytics/admin.py).
        verbose_name = _("platform analytics")
        verbose_name_plural = _("platform analytics")

    def __str__(self):
        return f"rolled until {self.rolled_until}"


class SearchLog(models.Model):
    """One search that someone ran (from search's `search_performed` signal): the query as
    typed, normalised; how many results; never who searched."""

    query = models.CharField(max_length=200, db_index=True)
    results = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")

    def __str__(self):
        return self.query


class SearchClick(models.Model):
    """A click on a search result at a rank (1 = first), from `search_result_clicked`."""

    query = models.CharField(max_length=200, db_index=True)
    rank = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("search result click")
        verbose_name_plural = _("search result clicks")

    def __str__(self):
        return f"{self.query} #{self.rank}"
