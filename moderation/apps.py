from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from core import text_checks
        from moderation import notify, receivers, services, watched_words

        notify.register_renderers()
        text_checks.register(watched_words.check)
        receivers.connect()
        post_migrate.connect(
            services.moderators_group_sync, sender=self, dispatch_uid="moderators-group"
        )
