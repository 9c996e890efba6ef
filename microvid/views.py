from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from microvid.health import service_health


@never_cache
@require_GET
def healthz(request):
    health = service_health()
    payload = {"status": "ok" if health["ok"] else "unavailable", "checks": health["checks"]}
    return JsonResponse(payload, status=200 if health["ok"] else 503)
