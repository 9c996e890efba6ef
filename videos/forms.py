import uuid

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text_checks import refuse_validator
from videos.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Video

ACCEPT = "video/mp4,video/quicktime,video/webm,.mp4,.mov,.webm"


def accepted_files_text() -> str:
    return _(
        "MP4, MOV or WebM, up to %(size)s and 5 seconds long. Longer clips (up to "
        "%(trimmable)s seconds) can be trimmed to 5 seconds."
    ) % {
        "size": filesizeformat(settings.VIDEO_MAX_UPLOAD_BYTES),
        "trimmable": int(settings.VIDEO_MAX_TRIMMABLE_DURATION_S),
    }


class VideoDetailsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        validators=[refuse_validator],
        help_text=_("Up to %(max)s characters.") % {"max": TITLE_MAX_LENGTH},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        validators=[refuse_validator],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Up to %(max)s characters. #hashtags and @mentions become links.")
        % {"max": DESCRIPTION_MAX_LENGTH},
    )
    visibility = forms.ChoiceField(
        label=_("Who can watch it"),
        choices=Video.Visibility.choices,
        initial=Video.Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )
    comments_enabled = forms.BooleanField(label=_("Allow comments"), required=False, initial=True)


class VideoUploadForm(VideoDetailsForm):
    file = forms.FileField(
        label=_("Video file"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    start = forms.FloatField(
        label=_("Start time (seconds)"),
        required=False,
        min_value=0,
        help_text=_("Only for clips longer than 5 seconds: where the 5 seconds to keep begin."),
    )
    upload_token = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["file", "title", "description", "visibility", "comments_enabled", "start"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = accepted_files_text()
        self.fields["file"].error_messages["empty"] = (
            _("The file is empty.") + " " + accepted_files_text()
        )
        self.fields["file"].error_messages["required"] = (
            _("Choose a video file.") + " " + accepted_files_text()
        )
        if not self.is_bound:
            self.initial.setdefault("upload_token", uuid.uuid4().hex)


class TrimForm(forms.Form):
    """Where the 5 seconds to keep begin: a frame of the strip, or an exact time (which wins,
    so that the range control and the field can fine-tune a frame's time)."""

    frame = forms.TypedChoiceField(
        label=_("Choose the frame the 5 seconds begin at"),
        coerce=float,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    start = forms.FloatField(label=_("Start time (seconds)"), min_value=0, required=False)

    def __init__(self, *args, max_start: float | None = None, frames=(), **kwargs):
        super().__init__(*args, **kwargs)
        # `frames`: the video's strip (videos.selectors.video_trim_frames).
        self.fields["frame"].choices = [(frame.value, frame.time) for frame in frames]
        if frames and not self.is_bound:
            self.initial.setdefault("frame", frames[0].value)
        field = self.fields["start"]
        if max_start is not None:
            field.validators.append(MaxValueValidator(round(max_start, 2)))
            field.widget.attrs.update({"max": f"{max_start:.2f}", "step": "0.1"})
            field.help_text = _("From 0 to %(max)s: the clip keeps the 5 seconds from there.") % {
                "max": f"{max_start:.1f}"
            }
        if frames:
            field.help_text += " " + _("Leave it empty to begin at the chosen frame.")

    def clean(self):
        data = super().clean()
        if data.get("start") is None and "start" not in self.errors:
            if data.get("frame") is not None:
                data["start"] = data["frame"]
            elif "frame" not in self.errors:
                self.add_error("start", _("Choose a frame or give a start time."))
        return data


class CaptionsForm(forms.Form):
    captions = forms.FileField(
        label=_("Captions file (WebVTT)"),
        widget=forms.FileInput(attrs={"accept": ".vtt,text/vtt"}),
        help_text=_("A .vtt file in UTF-8, up to 200 KB."),
    )
    language = forms.ChoiceField(label=_("Language of the captions"), choices=settings.LANGUAGES)


class PublishForm(forms.Form):
    """Publish now, or schedule for later (in the site's time zone)."""

    NOW, LATER = "now", "later"
    when = forms.ChoiceField(
        label=_("When"),
        choices=[(NOW, _("Publish now")), (LATER, _("Schedule for later"))],
        initial=NOW,
        required=False,
        widget=forms.RadioSelect,
    )
    publish_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].help_text = _("Time zone: %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }

    def clean(self):
        data = super().clean()
        data["when"] = data.get("when") or self.NOW
        if data["when"] == self.LATER:
            when = data.get("publish_at")
            if when is None:
                self.add_error("publish_at", _("Choose the date and time to publish it."))
            elif when <= timezone.now():
                self.add_error("publish_at", _("Choose a time in the future."))
        return data
