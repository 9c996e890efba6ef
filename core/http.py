"""HTTP helpers shared by the apps' views: htmx fragments, safe redirects, log-in first."""

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def wants_fragment(request) -> bool:
    """An htmx request for a piece of a page.

    Boosted and history-restore requests are htmx requests too, but they swap the whole
    page, so they get the full page.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def safe_next_url(request, fallback: str) -> str:
    """The form's or query's `next` if it points at this site, else `fallback`."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def navigate(request, url: str):
    """Send the browser to `url`: a plain request gets a redirect; an htmx request, which
    cannot follow a redirect to a whole page, is told to navigate there (`HX-Redirect`)."""
    if getattr(request, "htmx", None):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def login_first(request, next_url: str):
    """Send an anonymous visitor to the log-in page, back to `next_url` afterwards."""
    if getattr(request, "htmx", None):
        return navigate(request, f"{reverse('account_login')}?{urlencode({'next': next_url})}")
    return redirect_to_login(next_url)


def absolute_url(request, url: str) -> str:
    """`url` as an absolute URL for links that leave the site (share links, Open Graph,
    oEmbed). Media on S3 or a CDN is absolute already and is returned unchanged; a path
    gets this request's scheme and host. Every absolute URL is built here."""
    if not url:
        return ""
    return request.build_absolute_uri(url)


def with_fragment(url: str, fragment: str) -> str:
    """`url` pointing at the element `fragment` (replacing a fragment it had), so that a plain
    form post comes back to the control that was used."""
    return f"{url.split('#', 1)[0]}#{fragment}"
