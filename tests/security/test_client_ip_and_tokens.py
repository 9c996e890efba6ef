"""Finding 3 and 7 of issue 12: the client's address behind our proxies, the token endpoint's
limits, and tokens that can be revoked."""

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from core.net import client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def api():
    return APIClient(enforce_csrf_checks=True)


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_the_client_is_the_entry_it_added(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    # The client wrote "1.2.3.4" itself; our proxy appended the address it really saw.
    assert client_ip(_request("10.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_outermost_entry_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.1")) == "198.51.100.7"


def test_a_request_that_bypassed_the_proxies_is_keyed_by_its_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    assert client_ip(_request("203.0.113.9", "not-an-ip, 10.0.0.1")) == "203.0.113.9"


def test_every_layer_trusts_the_same_number_of_proxies(settings):
    from django.conf import settings as live

    assert live.REST_FRAMEWORK["NUM_PROXIES"] == live.TRUSTED_PROXY_COUNT
    assert live.ALLAUTH_TRUSTED_PROXY_COUNT == live.TRUSTED_PROXY_COUNT
    assert live.RATELIMIT_IP_META_KEY == "core.net.client_ip"


def test_rotating_x_forwarded_for_does_not_escape_the_token_endpoint_limit(api, alice, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
    }
    answers = [
        api.post(
            TOKEN_URL,
            {"username": f"nobody{n}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(12)
    ]

    assert answers[:10] == [401] * 10
    assert answers[10:] == [429, 429]


def test_token_endpoint_shares_the_per_account_failed_login_limit(api, alice, settings):
    # Guesses from many addresses (behind one proxy: every one is a different client)...
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "NUM_PROXIES": 1,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "1000/min", "auth": "1000/min"},
    }
    for n in range(5):
        wrong = api.post(
            TOKEN_URL,
            {"username": "alice", "password": f"guess{n}"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        assert wrong.status_code == 401

    # ... use up the account's allowance: even the right password waits now.
    blocked = api.post(
        TOKEN_URL, {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.1"
    )
    assert blocked.status_code == 429
    assert "access" not in blocked.data


def test_refresh_rotates_and_the_old_refresh_token_is_revoked(api, alice):
    tokens = api.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).data

    first = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    again = api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})

    assert first.status_code == 200
    assert first.data["refresh"] != tokens["refresh"]
    assert again.status_code == 401


def test_api_logout_revokes_the_refresh_token(api, alice):
    tokens = api.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).data
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    logout = api.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]})

    assert logout.status_code == 204
    api.credentials()
    assert (
        api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
    )


def test_api_logout_cannot_revoke_someone_elses_token(api, alice, bob):
    alices = api.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).data
    bobs = api.post(TOKEN_URL, {"username": "bob", "password": PASSWORD}).data
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {bobs['access']}")

    assert api.post("/api/v1/auth/logout/", {"refresh": alices["refresh"]}).status_code == 400
    api.credentials()
    assert (
        api.post("/api/v1/auth/token/refresh/", {"refresh": alices["refresh"]}).status_code == 200
    )


def test_logging_out_of_the_site_revokes_the_users_api_tokens(api, alice):
    from tests.conftest import csrf_post

    tokens = api.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).data
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    csrf_post(browser, "/accounts/logout/")

    assert (
        api.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 401
    )


def test_security_headers_on_every_page(client):
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_frameable_view_may_be_embedded():
    from django.http import HttpResponse
    from django.test import Client, override_settings
    from django.urls import path

    from core.headers import frameable

    urlpatterns = [path("embed", frameable(lambda request: HttpResponse("ok")))]
    with override_settings(ROOT_URLCONF=type("urls", (), {"urlpatterns": urlpatterns})):
        response = Client().get("/embed")

    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
