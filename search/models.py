from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

HISTORY_KEEP = 10


class SearchHistory(models.Model):
    """A signed-in user's recent search: private to them, clearable, and only kept while
    both SEARCH_HISTORY_ENABLED and their own setting allow it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="search_history"
    )
    query = models.CharField(max_length=200)
    searched_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recent search")
        verbose_name_plural = _("recent searches")
        constraints = [
            models.UniqueConstraint(fields=["user", "query"], name="search_history_unique")
        ]
        indexes = [models.Index(fields=["user", "-searched_at"])]

    def __str__(self):
        return self.query


class SearchPreference(models.Model):
    """A user's own switch for search history (on unless they turned it off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="search_preference"
    )
    history_enabled = models.BooleanField(_("remember my searches"), default=True)

    class Meta:
        verbose_name = _("search preference")
        verbose_name_plural = _("search preferences")

    def __str__(self):
        return f"{self.user_id}: history {'on' if self.history_enabled else 'off'}"
