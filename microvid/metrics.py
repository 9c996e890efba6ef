"""Wiring of the Prometheus metrics (core/metrics.py defines them): the per-request query
count, the Celery task timings and queue depth, the WebSocket gauge, and the protected
/metrics page. docs/monitoring.md says what each metric means and how to alert on it."""

import hmac
import ipaddress
import os
import time
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from core.metrics import (
    CELERY_QUEUE_DEPTH,
    CELERY_TASK_SECONDS,
    DB_QUERIES_PER_REQUEST,
    WEBSOCKET_CONNECTIONS,
)
from core.net import client_ip


class QueryCountMiddleware:
    """Counts the database queries of each request (microvid_db_queries_per_request): one
    integer increment per query, one histogram observation per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counting(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for alias in settings.DATABASES:
                stack.enter_context(connections[alias].execute_wrapper(counting))
            response = self.get_response(request)
        DB_QUERIES_PER_REQUEST.observe(count[0])
        return response


class WebSocketMetrics:
    """ASGI wrapper: microvid_websocket_connections counts the open sockets."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        WEBSOCKET_CONNECTIONS.inc()
        try:
            return await self.app(scope, receive, send)
        finally:
            WEBSOCKET_CONNECTIONS.dec()


# --- Celery ----------------------------------------------------------------------------------
_task_started: dict[str, float] = {}


def task_started(task_id=None, **kwargs):
    _task_started[task_id] = time.perf_counter()


def task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    if started is not None and task is not None:
        CELERY_TASK_SECONDS.labels(task.name, state or "UNKNOWN").observe(
            time.perf_counter() - started
        )


def connect_celery_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(task_started, weak=False)
    task_postrun.connect(task_finished, weak=False)


def update_queue_depth() -> None:
    """Read the length of each Celery queue from a Redis broker (one LLEN per queue); other
    brokers leave the gauge unset."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        for queue in settings.METRICS_CELERY_QUEUES:
            CELERY_QUEUE_DEPTH.labels(queue).set(client.llen(queue))
    except redis.RedisError:
        pass  # the broker's own health shows on /healthz; metrics must not fail for it


# --- /metrics --------------------------------------------------------------------------------
def _client_ip_allowed(request) -> bool:
    try:
        # The client as our own proxies saw it (TRUSTED_PROXY_COUNT): through the ingress that
        # is the visitor, never the ingress itself, and a written X-Forwarded-For is ignored.
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


def metrics_allowed(request) -> bool:
    """A scraper with the bearer token (METRICS_TOKEN), an address in METRICS_ALLOWED_NETWORKS,
    or a signed-in staff member."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    if _client_ip_allowed(request):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _registry():
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@never_cache
@require_GET
def metrics(request):
    # Not found, rather than forbidden: a stranger learns nothing about what is there.
    if not metrics_allowed(request):
        return HttpResponseNotFound()
    update_queue_depth()
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
