"""Rate limits, written once: `limit(request_or_user_or_address, action)` and the
`@ratelimit(action)` view decorator, on django-ratelimit's counters (kept in the cache: Redis
in production, so they are shared between processes).

Each action's limits are in `settings.RATELIMITS`, as a list of `"amount/period/per"` rules
(`per` is `user`, `ip` or `user_or_ip`; a period is `s`, `m`, `h`, `d`, optionally with a
number: `10/5m/user`). A rule keyed by IP uses `core.net.client_ip`, which trusts only our
own proxies. Past any rule, `RateLimited` is raised; `RateLimitMiddleware` (and the decorator)
turn it into a friendly 429: a page, an htmx fragment, or JSON for the API and for scripts.
"""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from core.http import wants_fragment
from core.net import client_ip

SCOPES = ("user", "ip", "user_or_ip")


class RateLimited(Exception):
    """Too many `action`s; `retry_after` seconds until the next one is allowed."""

    def __init__(self, action: str, retry_after: int):
        self.action = action
        self.retry_after = max(1, int(retry_after))
        self.message = _(
            "You are doing that too often. Wait %(seconds)d seconds, then try again."
        ) % {"seconds": self.retry_after}
        super().__init__(self.message)


@dataclass(frozen=True)
class Rule:
    rate: str  # django-ratelimit's "amount/period"
    per: str


def rules_for(action: str) -> list[Rule]:
    try:
        configured = settings.RATELIMITS[action]
    except KeyError:
        raise KeyError(f"No rate limit for {action!r}: add it to settings.RATELIMITS") from None
    if isinstance(configured, str):
        configured = [part for part in configured.split(",") if part.strip()]
    rules = []
    for text in configured:
        amount, period, per = text.strip().split("/")
        if per not in SCOPES:
            raise ValueError(f"RATELIMITS[{action!r}]: unknown scope {per!r} in {text!r}")
        rules.append(Rule(rate=f"{amount}/{period}", per=per))
    return rules


def _subject_keys(subject, per: str) -> str | None:
    """The counter's key for one rule, or None when the rule does not apply to `subject`."""
    request = address = None
    if hasattr(subject, "_request"):  # DRF's Request: its user may come from a token
        request, user = subject._request, subject.user
    elif isinstance(subject, HttpRequest):
        request, user = subject, getattr(subject, "user", None)
    elif isinstance(subject, str):  # a client address, as core.net.client_ip gave it
        user, address = None, subject
    else:
        user = subject
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if per == "user" or (per == "user_or_ip" and signed_in):
        return f"user:{user.pk}" if signed_in else None
    if request is not None:
        address = client_ip(request)
    if address is None:
        return None  # an IP rule, but only a user was given (a task, a socket)
    return f"ip:{address}"


def limit(subject, action: str, *, count: bool = True, target: str = "") -> None:
    """Count one `action` by a request (its user and client IP), by a user alone, or by a
    client address alone (a string, from `core.net.client_ip`).

    Raises `RateLimited` when any of the action's rules is over its limit. Every rule is
    counted, so a user switching IP addresses, or several accounts on one address, are both
    held back. A `target` (such as `f"video:{pk}"`) keeps a separate count per object: the
    limit is then on doing `action` to that one object.
    """
    retry_after = 0
    for rule in rules_for(action):
        key = _subject_keys(subject, rule.per)
        if key is None:
            continue
        usage = get_usage(
            None,
            group=f"microvid:{action}:{rule.per}" + (f":{target}" if target else ""),
            key=lambda _group, _request, key=key: key,
            rate=rule.rate,
            increment=count,
        )
        if usage is not None and usage["should_limit"]:
            retry_after = max(retry_after, usage["time_left"])
    if retry_after:
        raise RateLimited(action, retry_after)


def too_many_requests(request, error: RateLimited):
    """The friendly 429: JSON for the API and scripts, a fragment for htmx, else a page."""
    accept = request.headers.get("Accept", "")
    if request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    ):
        response = JsonResponse({"detail": error.message, "retry_after": error.retry_after})
        response.status_code = 429
    elif wants_fragment(request):
        response = render(request, "_429.html", {"error": error}, status=429)
    else:
        response = render(request, "429.html", {"error": error}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def ratelimit(action: str):
    """View decorator: count the request against `action` before the view runs."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                limit(request, action)
            except RateLimited as error:
                return too_many_requests(request, error)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RateLimitMiddleware:
    """Answers a `RateLimited` raised anywhere below a view (a service) with the 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return too_many_requests(request, exception)
        return None
