"""The accounts API: JWT tokens beside session auth, and /api/v1/me."""

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(enforce_csrf_checks=True)


def obtain_tokens(api, username, password=PASSWORD):
    return api.post("/api/v1/auth/token/", {"username": username, "password": password})


def test_token_is_issued_and_accepted(api, alice):
    response = obtain_tokens(api, "alice")

    assert response.status_code == 200
    access, refresh = response.data["access"], response.data["refresh"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    assert me.data["username"] == "alice"
    assert me.data["avatar_url"].endswith("img/avatar-default.svg")

    refreshed = api.post("/api/v1/auth/token/refresh/", {"refresh": refresh})
    assert refreshed.status_code == 200
    assert refreshed.data["access"]


def test_wrong_password_gets_no_token(api, alice):
    response = obtain_tokens(api, "alice", "wrong")

    assert response.status_code == 401
    assert "access" not in response.data


def test_unverified_account_gets_no_token(api):
    UserFactory(username="newbie", verified=False)

    response = obtain_tokens(api, "newbie")

    assert response.status_code == 403
    assert "Verify your email" in str(response.data["detail"])


def test_forged_token_is_refused(api, alice):
    api.credentials(HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged")

    assert api.get("/api/v1/me").status_code == 401


def test_me_needs_authentication(api):
    assert api.get("/api/v1/me").status_code == 401


def test_me_works_with_the_session_too(api, alice):
    api.force_authenticate(alice)

    assert api.get("/api/v1/me").data["username"] == "alice"


def test_patch_me_updates_only_my_profile(api, alice, bob):
    access = obtain_tokens(api, "bob").data["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = api.patch("/api/v1/me", {"bio": "<b>hi</b>", "username": "alice"}, format="json")

    assert response.status_code == 200
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert bob.bio == "<b>hi</b>"  # stored as text; templates escape it
    assert bob.username == "bob"
    assert alice.bio == ""


def test_patch_me_refuses_a_too_long_bio(api, bob):
    api.force_authenticate(bob)

    response = api.patch("/api/v1/me", {"bio": "x" * 161}, format="json")

    assert response.status_code == 400
    assert "bio" in response.data
    bob.refresh_from_db()
    assert bob.bio == ""


def test_session_write_needs_csrf(alice):
    api = APIClient(enforce_csrf_checks=True)
    api.login(username="alice", password=PASSWORD)

    response = api.patch("/api/v1/me", {"bio": "x"}, format="json")

    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.bio == ""


def test_token_endpoint_is_rate_limited(api, alice):
    # Per address: 10 a minute, whatever the account.
    statuses = [obtain_tokens(api, f"someone{n}", "wrong").status_code for n in range(11)]

    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_token_endpoint_counts_failed_log_ins_per_account(api, alice):
    # allauth's per-account limit (5 in 5 minutes), shared with the site's log-in form.
    statuses = [obtain_tokens(api, "alice", "wrong").status_code for _ in range(6)]

    assert statuses == [401] * 5 + [429]


def test_openapi_schema_and_docs(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/me" in schema.json()["paths"]
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
