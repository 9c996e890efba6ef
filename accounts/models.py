import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from accounts.validators import username_validator

BIO_MAX_LENGTH = 160
DISPLAY_NAME_MAX_LENGTH = 50


def avatar_upload_to(instance, filename):
    # A fresh random name per upload: avatars are cached for long, so a new avatar needs a
    # new URL, and the uploaded file name (which can be anything) is never used.
    return f"avatars/{uuid.uuid4().hex}.webp"


class User(AbstractUser):
    """A Microvid account: creators, viewers and moderators are all users."""

    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        validators=[username_validator],
        help_text=_("3 to 30 characters: letters, digits and underscores."),
        error_messages={"unique": _("That username is taken.")},
    )
    display_name = models.CharField(
        _("display name"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True
    )
    bio = models.CharField(_("bio"), max_length=BIO_MAX_LENGTH, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True)
    # The language the person last used the site in: emails to them are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    # Moderation state, set only by the moderation services (through accounts.services). A
    # suspended account's content is hidden from everyone; `suspended_until` empty means
    # "until a moderator lifts it". A limited account's videos stay reachable by link but
    # leave discovery, and its reports are filed at low priority.
    suspended_at = models.DateTimeField(_("suspended since"), null=True, blank=True)
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    limited_at = models.DateTimeField(_("limited since"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_ci_unique"
            ),
        ]

    def __str__(self):
        return self.username

    @property
    def name(self) -> str:
        """The name to show: the display name, else the username."""
        return self.display_name or self.username

    @property
    def avatar_url(self) -> str:
        return self.avatar.url if self.avatar else static("img/avatar-default.svg")

    def is_suspended_at(self, now) -> bool:
        """Whether a suspension is in force at `now`."""
        if self.suspended_at is None:
            return False
        return self.suspended_until is None or self.suspended_until > now

    @property
    def is_suspended(self) -> bool:
        from django.utils import timezone

        return self.is_suspended_at(timezone.now())

    @property
    def is_limited(self) -> bool:
        return self.limited_at is not None


class Block(models.Model):
    """`blocker` blocked `blocked`: both are hidden from each other everywhere, and nothing
    (comments, likes, follows, mentions, notifications) passes between them."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]
        # The other direction of the pair, for "who blocked me" (the unique index covers
        # "whom did I block").
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_blocked_blocker")]

    def __str__(self):
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class Mute(models.Model):
    """`muter` muted `muted`: the muted person's videos and news leave the muter's feeds and
    notifications; links still open, and the muted person notices nothing."""

    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_made")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="mute_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(muter=models.F("muted")), name="mute_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.muter_id} ∅ {self.muted_id}"
