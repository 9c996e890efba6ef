from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from microvid.health import database_health, service_health


@never_cache
@require_GET
def healthz(request):
    health = service_health()
    payload = {"status": "ok" if health["ok"] else "unavailable", "checks": health["checks"]}
    return JsonResponse(payload, status=200 if health["ok"] else 503)


@never_cache
@require_GET
def healthz_ready(request):
    """Readiness: the database answers. Without it no page can be served; without Redis pages
    still are (the cache and sessions degrade), so Redis must not take every pod out of the
    load balancer at once. /healthz reports every service, for monitoring."""
    health = database_health()
    payload = {"status": "ok" if health["ok"] else "unavailable", "checks": health["checks"]}
    return JsonResponse(payload, status=200 if health["ok"] else 503)


@never_cache
@require_GET
def healthz_live(request):
    """Liveness: the process answers. No service is checked, so that an outage of the
    database or Redis does not make Kubernetes restart every web pod at once."""
    return JsonResponse({"status": "ok"})
