"""Staff's platform analytics in the admin: the "Platform analytics" entry (hung on the
roll-up state's single row, whose list it replaces) shows the plan's success metrics and the
search analytics; the roll-up rows are browsable read-only."""

from datetime import timedelta

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics import platform
from analytics.models import CreatorStats, RollupState, SearchClick, SearchLog, VideoStats


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RollupState)
class PlatformAnalyticsAdmin(_ReadOnly):
    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        now = timezone.now()
        month_ago = now - timedelta(days=30)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Platform analytics"),
            "opts": self.model._meta,
            "state": RollupState.objects.filter(pk=1).first(),
            "session_seconds": platform.average_session_seconds(since=now - timedelta(days=7)),
            "uploads": platform.uploads_per_month(now=now),
            "active": platform.active_viewers(now=now),
            "cohorts": platform.retention_cohorts(now=now),
            "top_queries": platform.search_top_queries(since=month_ago),
            "empty_queries": platform.search_top_queries(since=month_ago, no_results=True),
            "click_through": platform.search_click_through(since=month_ago),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/analytics/platform.html", context)


@admin.register(VideoStats)
class VideoStatsAdmin(_ReadOnly):
    list_display = ["video", "granularity", "period_start", "plays", "engaged_plays", "completions"]
    list_filter = ["granularity"]
    raw_id_fields = ["video", "creator"]
    date_hierarchy = "period_start"


@admin.register(CreatorStats)
class CreatorStatsAdmin(_ReadOnly):
    list_display = ["creator", "granularity", "period_start", "plays", "unique_viewers", "uploads"]
    list_filter = ["granularity"]
    raw_id_fields = ["creator"]
    date_hierarchy = "period_start"


@admin.register(SearchLog)
class SearchLogAdmin(_ReadOnly):
    list_display = ["query", "results", "created_at"]
    search_fields = ["query"]


@admin.register(SearchClick)
class SearchClickAdmin(_ReadOnly):
    list_display = ["query", "rank", "created_at"]
