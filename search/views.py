"""The search page (/search) and its autocomplete (/search/suggest).

Plain requests get the whole page and work without JavaScript; htmx requests (the form, the
pagination links, the autocomplete) get just the part they swap in."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from core.http import safe_next_url, wants_fragment
from core.ratelimit import ratelimit
from core.signals import search_performed, search_result_clicked
from search import services
from search.forms import DEFAULTS, SearchForm
from search.selectors import (
    MAX_QUERY_LENGTH,
    VIDEO_PAGE_SIZE,
    parse_query,
    popular_hashtags,
    recent_search_suggestions,
    search_creators,
    search_did_you_mean,
    search_history_enabled,
    search_history_of,
    search_suggestions,
    search_videos,
)


def _search_url(params: dict, **changes) -> str:
    """/search with these parameters, leaving out the defaults so that links stay short."""
    merged = {**params, **changes}
    query = {
        name: value
        for name, value in merged.items()
        if value is not None and value != DEFAULTS.get(name)
    }
    return reverse("search:search") + (f"?{urlencode(query)}" if query else "")


# The same URL answers with a page or a fragment: caches must tell them apart.
@require_GET
@vary_on_headers("HX-Request")
@ratelimit("search")
def search(request):
    params = SearchForm(request.GET).params()
    asked = dict(params)  # this request's own URL, for the address bar
    results = _results(params, query=params["q"], viewer=request.user)
    parsed = results.query
    params["q"] = parsed.text  # links carry the cleaned, shortened text
    did_you_mean = None
    if not parsed.is_empty and not results.items and results.page == 1:
        did_you_mean = search_did_you_mean(query=parsed.text, viewer=request.user)
    if not parsed.is_empty and results.page == 1:
        # Analytics count what was asked and what it found (a typo finds nothing), before any
        # correction below.
        search_performed.send(
            sender=None, query=parsed.text, kind=params["type"], results=len(results.items)
        )
        services.search_history_record(user=request.user, query=parsed.text)
    corrected_from = ""
    if did_you_mean and params["type"] == "videos" and not params["exact"]:
        # A typo finds what was meant: the correction's results, said so, with a way back.
        corrected = _results(params, query=did_you_mean, viewer=request.user)
        if corrected.items:
            corrected_from, results, did_you_mean = parsed.text, corrected, None
            parsed = corrected.query
            params["q"] = parsed.text
    notice = ""
    if parsed.truncated:
        notice = _("Searches are limited to %(count)d characters; yours was shortened.") % {
            "count": MAX_QUERY_LENGTH
        }
    elif parsed.text and parsed.is_empty:
        notice = _("Type some letters or numbers: punctuation alone finds nothing.")
    context = {
        "form": SearchForm(initial={**params, "q": corrected_from or params["q"]}),
        "q": parsed.text,
        "tab": params["type"],
        "results": results,
        "notice": notice,
        "did_you_mean": did_you_mean,
        "did_you_mean_url": (
            _search_url(params, q=did_you_mean, page=None, exact=False) if did_you_mean else ""
        ),
        "corrected_from": corrected_from,
        "exact_url": (
            _search_url(params, q=corrected_from, page=None, exact=True) if corrected_from else ""
        ),
        "popular_hashtags": popular_hashtags() if parsed.is_empty else [],
        "videos_url": _search_url(params, type="videos", page=None),
        "creators_url": _search_url(params, type="creators", page=None),
        "next_url": _search_url(params, page=results.next_page) if results.has_next else "",
        "previous_url": (
            _search_url(params, page=results.previous_page) if results.has_previous else ""
        ),
        "rank_offset": (results.page - 1) * VIDEO_PAGE_SIZE,
        "history": search_history_of(user=request.user) if parsed.is_empty else [],
        "history_on": search_history_enabled(user=request.user),
        "history_available": settings.SEARCH_HISTORY_ENABLED,
    }
    if not wants_fragment(request):
        return render(request, "search/search.html", context)
    response = render(request, "search/search.html#results", context)
    # The address bar shows this search's short, canonical URL (the form would push every
    # field, defaults and all).
    response["HX-Push-Url"] = _search_url(asked, q=corrected_from or params["q"])
    return response


def _results(params: dict, *, query: str, viewer):
    if params["type"] == "creators":
        return search_creators(query=query, page=params["page"], viewer=viewer)
    return search_videos(
        query=query,
        date_filter=params["date"],
        sort=params["sort"],
        page=params["page"],
        viewer=viewer,
    )


# The search boxes with autocomplete: the one on /search and the one in the site header.
LISTBOXES = ("search-suggestions", "site-search-suggestions")
SUGGEST_LIMIT = 8


@require_GET
@vary_on_headers("HX-Request")
@ratelimit("suggest")
def suggest(request):
    """Autocomplete options for a search box (htmx); without htmx, the search itself. For
    an empty box (the header's, on focus) the options are the user's recent searches.

    The options' ids and the live status message belong to the listbox htmx swaps them into
    (its id comes in the HX-Target header), so that two boxes never share an id."""
    text = str(request.GET.get("q", ""))
    if not wants_fragment(request):
        return redirect(_search_url(dict(DEFAULTS), q=parse_query(text).text, page=None))
    listbox = request.htmx.target if request.htmx.target in LISTBOXES else LISTBOXES[0]
    if parse_query(text).is_empty:
        # An empty box, focused: the user's recent searches (none when signed out or off).
        recent = search_history_of(user=request.user)[:SUGGEST_LIMIT]
        suggestions = recent_search_suggestions(queries=recent)
    else:
        suggestions = search_suggestions(query=text, viewer=request.user)
    context = {"suggestions": suggestions, "listbox": listbox}
    return render(request, "search/search.html#suggestions", context)


@require_GET
def result_click(request):
    """A followed search result: counted (for click-through by rank), then on to it. The
    result links point here so that the count works without JavaScript."""
    target = safe_next_url(request, fallback=reverse("search:search"))
    try:
        rank = int(request.GET.get("rank", ""))
    except ValueError:
        rank = 0
    query = parse_query(str(request.GET.get("q", ""))).text
    if query and rank >= 1:
        search_result_clicked.send(sender=None, query=query, rank=rank)
    return redirect(target)


@login_required
@require_POST
def history_clear(request):
    services.search_history_clear(user=request.user)
    messages.success(request, _("Your recent searches are forgotten."))
    return redirect(safe_next_url(request, fallback=reverse("search:search")))


@login_required
@require_POST
def history_toggle(request):
    enabled = request.POST.get("enabled") == "1"
    services.search_history_set_enabled(user=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("Your searches will be remembered, for you only."))
    else:
        messages.success(request, _("Your searches are no longer remembered."))
    return redirect(safe_next_url(request, fallback=reverse("search:search")))
