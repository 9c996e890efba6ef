"""Sentry, when SENTRY_DSN is set: an exception in a view reaches Sentry tagged with the
request id, and without personal data (no cookies, user, IP address or form fields)."""

import pytest
import sentry_sdk
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.transport import Transport

from core.errortracking import init_sentry


class KeepingTransport(Transport):
    """Keeps each envelope instead of sending it: nothing leaves the machine."""

    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        self.events += [item.payload.json for item in envelope.items if item.type == "event"]


@csrf_exempt
def boom(request):
    raise RuntimeError("the view broke")


urlpatterns = [path("boom/", boom), path("", include("microvid.urls"))]


@pytest.fixture
def sentry_events():
    transport = KeepingTransport()
    init_sentry(
        "http://public@127.0.0.1:9/1", environment="test", release="r1", transport=transport
    )
    try:
        yield transport.events
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)  # later tests run without Sentry


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_error_in_a_view_is_captured_with_its_request_id_and_no_personal_data(
    client, alice, sentry_events
):
    client.force_login(alice)
    client.raise_request_exception = False
    client.cookies["tracking"] = "secret-cookie-value"

    response = client.post(
        "/boom/?q=1",
        {"password": "hunter2", "email": "alice@example.com"},
        HTTP_X_REQUEST_ID="lb-7f3a9c2e-0042",
        HTTP_AUTHORIZATION="Bearer secret-token",
        REMOTE_ADDR="203.0.113.9",
    )
    sentry_sdk.flush()

    assert response.status_code == 500
    (event,) = sentry_events
    assert event["exception"]["values"][-1]["value"] == "the view broke"
    assert event["tags"]["request_id"] == "lb-7f3a9c2e-0042"
    assert event["environment"] == "test" and event["release"] == "r1"
    text = repr(event)
    for personal in (
        "secret-cookie-value",
        "hunter2",
        "alice@example.com",
        alice.username,
        "secret-token",
        "203.0.113.9",
        client.cookies["sessionid"].value,
    ):
        assert personal not in text
    assert "cookies" not in event["request"]
    assert not event.get("user", {}).get("id")
