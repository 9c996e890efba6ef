from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from videos.models import Hashtag

# Set once a viewer picked topics or skipped the picker: it is not offered again.
TOPICS_DONE_SESSION_KEY = "recs_topics_done"
MAX_TOPICS = 10


class TopicsForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Hashtag.objects.all(),
        to_field_name="name",
        widget=forms.CheckboxSelectMultiple,
        label=_("Topics"),
    )

    def clean_topics(self):
        topics = self.cleaned_data["topics"]
        if len(topics) > MAX_TOPICS:
            raise forms.ValidationError(
                ngettext("Pick at most %(n)d topic.", "Pick at most %(n)d topics.", MAX_TOPICS)
                % {"n": MAX_TOPICS}
            )
        return topics
