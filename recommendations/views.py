from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from recommendations.services import InvalidEvents, events_rate_limited, watch_events_record


@require_POST
def watch_events(request):
    """Batches of player events, sent with navigator.sendBeacon (a form post with the CSRF
    token). 204 when stored, 400 for a malformed batch, 429 when flooding."""
    client = request.META.get("REMOTE_ADDR", "")
    key = f"user:{request.user.pk}" if request.user.is_authenticated else f"ip:{client}"
    if events_rate_limited(key=key, limit=settings.WATCH_EVENTS_RATE_PER_MINUTE):
        return JsonResponse({"error": "too many event batches"}, status=429)
    try:
        watch_events_record(
            user=request.user,
            viewer_id=request.POST.get("viewer", ""),
            raw_batch=request.POST.get("batch", ""),
        )
    except InvalidEvents as error:
        return JsonResponse({"error": str(error)}, status=400)
    return HttpResponse(status=204)
