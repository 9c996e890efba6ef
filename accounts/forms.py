from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.images import accepted_hint
from accounts.models import BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH
from core.text_checks import refuse_validator


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        required=False,
        validators=[refuse_validator],
        help_text=_("Shown instead of your username. Up to %(max)s characters.")
        % {"max": DISPLAY_NAME_MAX_LENGTH},
    )
    bio = forms.CharField(
        label=_("Bio"),
        max_length=BIO_MAX_LENGTH,
        required=False,
        validators=[refuse_validator],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Up to %(max)s characters.") % {"max": BIO_MAX_LENGTH},
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        help_text=_("A JPEG, PNG, WebP or GIF image. It is cropped to a square."),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["avatar"].error_messages["empty"] = (
            gettext("The file is empty.") + " " + accepted_hint()
        )


class LoginForm(allauth_forms.LoginForm):
    """allauth's log-in form, with a label that says both names work."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")
