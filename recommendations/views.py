import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.http import login_first, safe_next_url, wants_fragment
from core.net import client_ip
from core.ratelimit import RateLimited, limit, ratelimit, too_many_requests
from core.viewer import issue_viewer_cookie, viewer_from_cookie
from recommendations import selectors, services
from recommendations.forms import TOPICS_DONE_SESSION_KEY, TopicsForm
from recommendations.services import InvalidEvents, watch_events_record


@require_POST
@ratelimit("events")
def watch_events(request):
    """Batches of player events, sent with navigator.sendBeacon (a form post with the CSRF
    token). 204 when stored, 400 for a malformed batch, 429 when flooding.

    The anonymous viewer id is the server's signed cookie (core.viewer), issued here on the
    first batch; until the browser sends it back, the viewer is its address."""
    viewer = viewer_from_cookie(request)
    issued = viewer is None
    address = client_ip(request)
    if issued:
        viewer = uuid.uuid4()
    viewer_key = f"ip:{address}" if issued else f"c:{viewer.hex}"
    try:
        watch_events_record(
            user=request.user,
            viewer_id=viewer,
            viewer_key=viewer_key,
            alias_key=f"c:{viewer.hex}" if issued else "",
            address=address,
            raw_batch=request.POST.get("batch", ""),
        )
    except InvalidEvents as error:
        return JsonResponse({"error": str(error)}, status=400)
    response = HttpResponse(status=204)
    if issued:
        issue_viewer_cookie(response, viewer)
    return response


# --- For You feedback ------------------------------------------------------------------------
def _video_unavailable(request, next_url):
    """The video was deleted, made private or unpublished meanwhile: say so, no error."""
    message = _("That video is no longer available.")
    if wants_fragment(request):
        return render(
            request, "recommendations/_feedback.html#gone", {"message": message, "next": next_url}
        )
    messages.info(request, message)
    return redirect(next_url)


FEEDBACK = {
    # action: (service, undo service, message when done, message when undone)
    "not_interested": (
        services.not_interested_create,
        services.not_interested_delete,
        gettext_lazy("Hidden: you will not see “%(title)s” again."),
        gettext_lazy("“%(title)s” is back in your feed."),
    ),
    "show_fewer": (
        services.show_fewer_create,
        services.show_fewer_delete,
        gettext_lazy("You will see fewer videos from %(creator)s."),
        gettext_lazy("Videos from %(creator)s are back to normal."),
    ),
}


def _feedback(request, short_id, action, *, undo: bool):
    if not request.user.is_authenticated:
        return login_first(request, safe_next_url(request, reverse("feeds:for_you")))
    try:
        limit(request, "feedback")
    except RateLimited as error:
        return too_many_requests(request, error)
    next_url = safe_next_url(request, reverse("feeds:for_you"))
    video = selectors.video_for_feedback(short_id=short_id, user=request.user)
    if video is None:
        return _video_unavailable(request, next_url)
    create, delete, done, undone = FEEDBACK[action]
    target = {"video": video} if action == "not_interested" else {"creator": video.owner}
    names = {"title": video.title, "creator": video.owner.name}
    context = {"video": video, "action": action, "next": next_url}
    if undo:
        if not delete(user=request.user, **target):
            raise Http404  # nothing of this viewer's to undo
        if wants_fragment(request):
            from social.selectors import viewer_video_states

            # The card again, with what it shows of the viewer (liked, followed).
            context.update(viewer_video_states(user=request.user, videos=[video]), undone=True)
            return render(request, "recommendations/_feedback.html#item", context)
        messages.success(request, undone % names)
        return redirect(next_url)
    try:
        create(user=request.user, **target)
    except services.InvalidFeedback as error:
        if wants_fragment(request):
            context["message"] = error.message
            return render(request, "recommendations/_feedback.html#gone", context)
        messages.error(request, error.message)
        return redirect(next_url)
    context["message"] = done % names
    if wants_fragment(request):
        return render(request, "recommendations/_feedback.html#hidden", context)
    # Without scripts: back to the feed, with the Undo button in the message.
    # A rendered template is already safe HTML (its variables were escaped), and the message
    # storage keeps it so.
    notice = render_to_string("recommendations/_feedback.html#undo_message", context, request)
    messages.success(request, notice)
    return redirect(next_url)


@require_POST
def not_interested(request, short_id):
    return _feedback(request, short_id, "not_interested", undo=False)


@require_POST
def not_interested_undo(request, short_id):
    return _feedback(request, short_id, "not_interested", undo=True)


@require_POST
def show_fewer(request, short_id):
    return _feedback(request, short_id, "show_fewer", undo=False)


@require_POST
def show_fewer_undo(request, short_id):
    return _feedback(request, short_id, "show_fewer", undo=True)


@login_required
@require_POST
@ratelimit("feedback")
def topics(request):
    """The first-visit topic picker: store the picks, or remember that it was skipped."""
    if "skip" in request.POST:
        request.session[TOPICS_DONE_SESSION_KEY] = True
        return redirect("feeds:for_you")
    form = TopicsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick at least one topic, or skip."))
        return redirect("feeds:for_you")
    services.topic_interests_set(user=request.user, hashtags=form.cleaned_data["topics"])
    request.session[TOPICS_DONE_SESSION_KEY] = True
    messages.success(request, _("Thanks! Your feed starts with those topics."))
    return redirect("feeds:for_you")
