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
from search.models import SearchHistory
from search.selectors import (
    MAX_QUERY_LENGTH,
    VIDEO_PAGE_SIZE,
    parse_query,
    popular_hashtags,
    search_creators,
    search_did_you_mean,
    search_suggestions,
    search_videos,
)


def _history(user):
    if not services.search_history_enabled(user=user):
        return []
    return list(
        SearchHistory.objects.filter(user=user)
        .order_by("-searched_at", "-pk")
        .values_list("query", flat=True)
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
    if params["type"] == "creators":
        results = search_creators(query=params["q"], page=params["page"], viewer=request.user)
    else:
        results = search_videos(
            query=params["q"],
            date_filter=params["date"],
            sort=params["sort"],
            page=params["page"],
            viewer=request.user,
        )
    parsed = results.query
    params["q"] = parsed.text  # links carry the cleaned, shortened text
    did_you_mean = None
    if not parsed.is_empty and not results.items and results.page == 1:
        did_you_mean = search_did_you_mean(query=parsed.text, viewer=request.user)
    notice = ""
    if parsed.truncated:
        notice = _("Searches are limited to %(count)d characters; yours was shortened.") % {
            "count": MAX_QUERY_LENGTH
        }
    elif parsed.text and parsed.is_empty:
        notice = _("Type some letters or numbers: punctuation alone finds nothing.")
    context = {
        "form": SearchForm(initial=params),
        "q": parsed.text,
        "tab": params["type"],
        "results": results,
        "notice": notice,
        "did_you_mean": did_you_mean,
        "did_you_mean_url": _search_url(params, q=did_you_mean, page=None) if did_you_mean else "",
        "popular_hashtags": popular_hashtags() if parsed.is_empty else [],
        "videos_url": _search_url(params, type="videos", page=None),
        "creators_url": _search_url(params, type="creators", page=None),
        "next_url": _search_url(params, page=results.next_page) if results.has_next else "",
        "previous_url": (
            _search_url(params, page=results.previous_page) if results.has_previous else ""
        ),
        "rank_offset": (results.page - 1) * VIDEO_PAGE_SIZE,
        "history": _history(request.user) if parsed.is_empty else [],
        "history_on": services.search_history_enabled(user=request.user),
        "history_available": settings.SEARCH_HISTORY_ENABLED,
    }
    if not parsed.is_empty and results.page == 1:
        search_performed.send(
            sender=None, query=parsed.text, kind=params["type"], results=len(results.items)
        )
        services.search_history_record(user=request.user, query=parsed.text)
    if not wants_fragment(request):
        return render(request, "feeds/search.html", context)
    response = render(request, "feeds/search.html#results", context)
    # The address bar shows this search's short, canonical URL (the form would push every
    # field, defaults and all).
    response["HX-Push-Url"] = _search_url(params, page=results.page)
    return response


# The search boxes with autocomplete: the one on /search and the one in the site header.
LISTBOXES = ("search-suggestions", "site-search-suggestions")


@require_GET
@vary_on_headers("HX-Request")
@ratelimit("suggest")
def suggest(request):
    """Autocomplete options for a search box (htmx); without htmx, the search itself.

    The options' ids and the live status message belong to the listbox htmx swaps them into
    (its id comes in the HX-Target header), so that two boxes never share an id."""
    text = str(request.GET.get("q", ""))
    if not wants_fragment(request):
        return redirect(_search_url(dict(DEFAULTS), q=parse_query(text).text, page=None))
    listbox = request.htmx.target if request.htmx.target in LISTBOXES else LISTBOXES[0]
    context = {
        "suggestions": search_suggestions(query=text, viewer=request.user),
        "listbox": listbox,
    }
    return render(request, "feeds/search.html#suggestions", context)


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
