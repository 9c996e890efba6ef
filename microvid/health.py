"""Reachability checks of the services the site depends on, for /healthz."""

import logging
import time

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def _timed(check):
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        logger.warning("health check %s failed: %s", check.__name__, exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just written")


def check_broker():
    from microvid.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def service_health() -> dict:
    """Return each service's state, and whether all of them are reachable."""
    checks = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "broker": _timed(check_broker),
    }
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


def database_health() -> dict:
    """The database alone: what a page cannot be served without."""
    checks = {"database": _timed(check_database)}
    return {"ok": checks["database"]["ok"], "checks": checks}
