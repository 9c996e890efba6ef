from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "social"
    verbose_name = _("Social")

    def ready(self):
        from social import (
            realtime,
            receivers,  # noqa: F401 - connects the receivers
        )
        from videos.signals import video_access_changed

        def recheck_sockets(sender, video_id, **kwargs):
            realtime.video_access_changed(video_id=video_id)

        self._recheck_sockets = recheck_sockets  # signals hold receivers weakly
        video_access_changed.connect(recheck_sockets, dispatch_uid="social-recheck-sockets")
