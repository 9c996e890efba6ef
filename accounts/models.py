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
