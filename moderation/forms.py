from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from moderation.selectors import reasons_active


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Anything the moderators should know? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Up to %(max)d characters.") % {"max": 1000},
        strip=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(reason.code, reason.label) for reason in reasons_active()]
        self.fields["reason"].error_messages["invalid_choice"] = _(
            "Choose one of the reasons offered."
        )

    def clean_note(self):
        note = self.cleaned_data["note"]
        if len(note) > 1000:
            raise forms.ValidationError(
                _("The note is at most %(max)d characters (this one has %(length)d).")
                % {"max": 1000, "length": len(note)}
            )
        return note


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should this decision change?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Up to %(max)d characters.") % {"max": settings.MODERATION_APPEAL_MAX_LENGTH},
        strip=True,
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        limit = settings.MODERATION_APPEAL_MAX_LENGTH
        if len(text) > limit:
            raise forms.ValidationError(
                _("An appeal is at most %(max)d characters (this one has %(length)d).")
                % {"max": limit, "length": len(text)}
            )
        return text


class ActionNoteForm(forms.Form):
    """The admin's intermediate page for an action: a required note, and for a suspension
    how long."""

    note = forms.CharField(
        label=_("Note (required): why this decision?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        strip=True,
    )
    days = forms.IntegerField(
        label=_("Suspend for how many days? (empty: until lifted)"),
        required=False,
        min_value=1,
        max_value=3650,
    )
