"""The one rate-limit helper (core.ratelimit): rules per action from settings, counted per
user and per client address, answered with a friendly 429 in the form the client reads."""

from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIClient

from core.ratelimit import RateLimited, limit, ratelimit, rules_for
from tests.conftest import csrf_post

pytestmark = pytest.mark.django_db


def _request(user=None, remote="203.0.113.5", headers=None):
    request = RequestFactory().post("/somewhere", REMOTE_ADDR=remote, **(headers or {}))
    request.user = user or AnonymousUser()
    request.htmx = False
    return request


def test_rules_come_from_settings_per_action(settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "upload": "2/h/user,5/10m/ip"}

    rules = rules_for("upload")

    assert [(rule.rate, rule.per) for rule in rules] == [("2/h", "user"), ("5/10m", "ip")]


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        limit(_request(), "no-such-action")


def test_a_user_is_held_back_past_the_limit_and_told_when_to_retry(settings, alice, monkeypatch):
    # The counters' clock stands still, so that the three calls share one window.
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1.7e9))
    settings.RATELIMITS = {**settings.RATELIMITS, "like": "2/m/user"}
    limit(alice, "like")
    limit(alice, "like")

    with pytest.raises(RateLimited) as refused:
        limit(alice, "like")

    assert 1 <= refused.value.retry_after <= 60
    assert "Wait" in refused.value.message


def test_limits_are_per_user(settings, alice, bob):
    settings.RATELIMITS = {**settings.RATELIMITS, "like": "1/h/user"}
    limit(alice, "like")

    limit(bob, "like")  # bob has his own allowance


def test_an_address_alone_is_counted_per_target(settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "view": "1/h/ip"}
    limit("198.51.100.7", "view", target="video:1")

    limit("198.51.100.7", "view", target="video:2")  # another video: its own count
    limit("198.51.100.8", "view", target="video:1")  # another address: its own count
    with pytest.raises(RateLimited):
        limit("198.51.100.7", "view", target="video:1")


def test_an_ip_rule_holds_back_many_accounts_from_one_address(settings, alice, bob, carol):
    settings.RATELIMITS = {**settings.RATELIMITS, "upload": "10/h/user,2/h/ip"}
    limit(_request(alice), "upload")
    limit(_request(bob), "upload")

    with pytest.raises(RateLimited):
        limit(_request(carol), "upload")
    limit(_request(carol, remote="198.51.100.1"), "upload")  # another address


def test_ip_rules_see_the_client_behind_our_proxy_not_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATELIMITS = {**settings.RATELIMITS, "search": "1/h/ip"}
    through_proxy = {"HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    limit(_request(remote="10.0.0.1", headers=through_proxy), "search")

    # Another client through the same proxy is not locked out ...
    limit(_request(remote="10.0.0.1", headers={"HTTP_X_FORWARDED_FOR": "198.51.100.2"}), "search")
    # ... and the first one cannot escape by writing a header of its own in front.
    with pytest.raises(RateLimited):
        limit(
            _request(remote="10.0.0.1", headers={"HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.1"}),
            "search",
        )


def test_user_or_ip_counts_anonymous_visitors_by_address(settings, alice):
    settings.RATELIMITS = {**settings.RATELIMITS, "search": "1/h/user_or_ip"}
    limit(_request(), "search")
    limit(_request(alice), "search")  # signed in: her own counter

    with pytest.raises(RateLimited):
        limit(_request(), "search")


@pytest.mark.parametrize(
    ("headers", "content_type", "marker"),
    [
        ({}, "text/html", "<html"),
        ({"HTTP_HX_REQUEST": "true"}, "text/html", 'role="alert"'),
        ({"HTTP_ACCEPT": "application/json"}, "application/json", '"retry_after"'),
    ],
)
def test_the_decorator_answers_a_friendly_429_in_the_clients_format(
    settings, headers, content_type, marker
):
    from django_htmx.middleware import HtmxDetails

    settings.RATELIMITS = {**settings.RATELIMITS, "feedback": "0/m/user_or_ip"}
    view = ratelimit("feedback")(lambda request: HttpResponse("done"))
    request = _request(headers=headers)
    request.htmx = HtmxDetails(request)

    response = view(request)

    assert response.status_code == 429
    assert response["Content-Type"].startswith(content_type)
    assert marker in response.content.decode()
    assert int(response["Retry-After"]) >= 1
    if "HTTP_HX_REQUEST" in headers:
        assert "<html" not in response.content.decode()


def test_profile_edit_is_limited_and_keeps_what_was_typed(settings, client, alice):
    settings.RATELIMITS = {**settings.RATELIMITS, "profile_edit": "1/h/user"}
    client.force_login(alice)
    assert (
        csrf_post(client, "/settings/profile/", {"display_name": "A1", "bio": ""}).status_code
        == 302
    )

    response = csrf_post(client, "/settings/profile/", {"display_name": "Typed", "bio": "kept"})

    assert response.status_code == 429
    body = response.content.decode()
    assert "too often" in body
    assert 'value="Typed"' in body
    alice.refresh_from_db()
    assert alice.display_name == "A1"


def test_api_profile_edit_is_limited_with_json(settings, alice):
    settings.RATELIMITS = {**settings.RATELIMITS, "profile_edit": "1/h/user"}
    api = APIClient()
    api.force_authenticate(alice)
    assert api.patch("/api/v1/me", {"bio": "one"}, format="json").status_code == 200

    response = api.patch("/api/v1/me", {"bio": "two"}, format="json")

    assert response.status_code == 429
    assert response.json()["retry_after"] >= 1
    alice.refresh_from_db()
    assert alice.bio == "one"
