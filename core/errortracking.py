"""Error tracking with Sentry (sentry-sdk), switched on by SENTRY_DSN in settings.

settings.py reads the environment and calls `init_sentry` once; the function is here so that a
test can call it with a fake DSN and a transport that keeps the events (no network). Events
carry the request id (core/logging.py) as the `request_id` tag, so an error in Sentry leads to
its JSON log lines, and no personal data: no cookies, user, IP address (send_default_pii=False)
nor request body (max_request_body_size="never"), and no Redis commands (their keys include
session ids).
"""

from core.logging import request_id_var


def tag_request_id(event, hint):
    """before_send: tag the event with the request (or task) id it happened in."""
    if request_id := request_id_var.get():
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_sentry(
    dsn: str,
    *,
    environment: str,
    release: str | None = None,
    traces_sample_rate: float = 0.0,
    transport=None,
):
    """Initialise sentry-sdk with the Django and Celery integrations. `transport` is for tests
    (a sentry_sdk.transport.Transport that keeps the envelopes); None sends to the DSN."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    return sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Its breadcrumbs and spans name each key, and a session's cache key is its session
        # id (a credential): Redis commands are left out of the events.
        disabled_integrations=[RedisIntegration()],
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        # Without this sentry-sdk sends form fields (it masks only names like "password", so
        # an email address or a comment would go): no request body leaves the site.
        max_request_body_size="never",
        before_send=tag_request_id,
        transport=transport,
    )
