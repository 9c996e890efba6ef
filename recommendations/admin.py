from django.contrib import admin

from recommendations.models import RecModelVersion


@admin.register(RecModelVersion)
class RecModelVersionAdmin(admin.ModelAdmin):
    """Trained For You models: the newest is served; delete it to roll back."""

    list_display = ["version", "created_at", "trained_until", "users", "items", "interactions"]
    readonly_fields = [
        "version", "path", "users", "items", "interactions", "train_seconds", "trained_until",
        "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False
