from django import forms
from django.utils.translation import gettext_lazy as _

from social.models import COMMENT_MAX_LENGTH, NotificationPreference


class CommentForm(forms.Form):
    # No maxlength on the textarea: the server gives the clear message, the counter warns.
    body = forms.CharField(
        label=_("Add a comment"),
        widget=forms.Textarea(attrs={"rows": 2, "data-max-length": COMMENT_MAX_LENGTH}),
        help_text=_("Up to %(max)d characters. Mention people with @username.")
        % {"max": COMMENT_MAX_LENGTH},
        strip=True,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, video=None, **kwargs):
        # Several videos' forms can share a page (feeds): their ids must differ.
        if video is not None:
            kwargs.setdefault("auto_id", f"id_{video.short_id}_%s")
        super().__init__(*args, **kwargs)

    def clean_body(self):
        body = self.cleaned_data["body"]
        if len(body) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                _("Comments are at most %(max)d characters (this one has %(length)d).")
                % {"max": COMMENT_MAX_LENGTH, "length": len(body)}
            )
        return body


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = [
            "daily_digest",
            "digest_likes",
            "digest_comments",
            "digest_follows",
            "digest_mentions",
        ]
