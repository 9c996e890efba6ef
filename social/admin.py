from django.contrib import admin

from social.models import Comment, Follow, Like, Notification, NotificationPreference


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["body", "author", "video", "parent", "created_at"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["video", "author", "parent", "mentions"]
    list_select_related = ["author", "video"]


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
