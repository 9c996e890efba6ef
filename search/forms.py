"""The search page's GET parameters."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from search.selectors import SORTS
from videos.selectors import DATE_CHOICES

TABS = ("videos", "creators")
SORT_CHOICES = list(zip(SORTS, [_("Relevance"), _("Newest"), _("Most liked")], strict=True))
# `exact`: search these very words, without showing a spelling correction's results instead.
DEFAULTS = {"q": "", "type": "videos", "date": "", "sort": "relevance", "page": 1, "exact": False}


class SearchForm(forms.Form):
    """Search parameters from a URL. Nothing here is ever an error to show: a bad value
    (a hand-edited URL) falls back to its default, and a long query is shortened by the
    search itself, which says so."""

    q = forms.CharField(label=_("Search"), required=False)
    type = forms.ChoiceField(choices=[(tab, tab) for tab in TABS], required=False)
    date = forms.ChoiceField(
        label=pgettext_lazy("filter: when the video was uploaded", "Uploaded"),
        choices=DATE_CHOICES,
        required=False,
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    # No upper bound: a page past the end (or past MAX_PAGE) is an empty page, not an error.
    page = forms.IntegerField(min_value=1, required=False)
    exact = forms.BooleanField(required=False)

    def params(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        params = {name: cleaned.get(name) or default for name, default in DEFAULTS.items()}
        # The text as typed (a NUL character would make the field invalid and lose it all);
        # search.selectors.parse_query cleans it.
        params["q"] = str(self.data.get("q", ""))
        return params
