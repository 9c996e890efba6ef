from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "videos"
    verbose_name = _("Videos")

    def ready(self):
        from core.storage import register_media_types

        register_media_types()
        # Registers the Celery tasks by name for videos.queue (which must not import them).
        import videos.tasks  # noqa: F401
