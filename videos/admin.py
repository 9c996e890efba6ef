from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from videos import services
from videos.models import Hashtag, Rendition, Video


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    can_delete = False
    fields = ("width", "height", "bandwidth", "average_bandwidth", "codecs", "playlist")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "status", "visibility", "published_at", "created_at")
    list_filter = ("status", "visibility", "moderation_state", "comments_enabled")
    search_fields = ("title", "description", "short_id", "owner__username")
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    raw_id_fields = ("owner", "mentions")
    filter_horizontal = ("hashtags",)
    inlines = [RenditionInline]
    actions = ["reprocess"]
    readonly_fields = (
        "short_id", "moderation_state", "status", "failure_reason", "source", "source_duration",
        "trim_start", "duration", "width", "height", "has_audio", "output_prefix", "hls_master",
        "mp4", "poster", "output_bytes", "processing_attempts", "processing_started_at",
        "processed_at", "created_at", "updated_at",
    )  # fmt: skip

    # Edits and deletions go through the services, so that files, counters, the search index
    # and open pages stay right (moderation decisions are taken in the reports queue).
    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        services.video_update(
            video=obj,
            by=request.user,
            title=form.cleaned_data.get("title", obj.title),
            description=form.cleaned_data.get("description", obj.description),
            visibility=form.cleaned_data.get("visibility", obj.visibility),
            comments_enabled=form.cleaned_data.get("comments_enabled", obj.comments_enabled),
        )

    def delete_model(self, request, obj):
        services.video_delete(video=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for video in queryset:
            services.video_delete(video=video, by=request.user)

    @admin.action(description=_("Process the selected videos again"))
    def reprocess(self, request, queryset):
        count = 0
        for video in queryset:
            services.video_reprocess(video=video, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d video queued for processing.",
                "%(count)d videos queued for processing.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    search_fields = ("name",)
