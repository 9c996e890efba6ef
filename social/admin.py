from django.contrib import admin

from social import services
from social.models import Comment, Follow, Like, Notification, NotificationPreference


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["body", "author", "video", "parent", "moderation_state", "created_at"]
    list_filter = ["moderation_state"]
    readonly_fields = ["moderation_state"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["video", "author", "parent", "mentions"]
    list_select_related = ["author", "video"]

    # Deletions go through the service: counters and open pages stay right.
    def delete_model(self, request, obj):
        services.comment_delete(user=request.user, comment=obj)

    def delete_queryset(self, request, queryset):
        for comment in queryset.select_related("video"):
            services.comment_delete(user=request.user, comment=comment)


@admin.register(Like)
class LikeAdmin(admin.ModelAdmin):
    list_display = ["user", "video", "created_at"]
    raw_id_fields = ["user", "video"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["follower", "followee", "created_at"]
    raw_id_fields = ["follower", "followee"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "actor", "verb", "created_at", "read_at"]
    list_filter = ["verb"]
    raw_id_fields = ["recipient", "actor", "video", "comment"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest", "last_digest_at"]
    raw_id_fields = ["user"]
