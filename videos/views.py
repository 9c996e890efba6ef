from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from core.headers import frameable
from core.http import navigate, wants_fragment
from core.ratelimit import RateLimited, limit, too_many_requests
from videos import selectors, services, sharing
from videos.forms import CaptionsForm, PublishForm, TrimForm, VideoDetailsForm, VideoUploadForm
from videos.probe import UploadRejected


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    account_services.user_require_not_suspended(user=request.user)  # the form too: a 403 page
    if request.method == "POST":
        try:
            # Per user and per address (settings.RATELIMITS), before the body is read.
            limit(request, "upload")
        except RateLimited as error:
            return too_many_requests(request, error)
        form = VideoUploadForm(request.POST, request.FILES)
        if getattr(request, "upload_too_large", False):
            form.is_valid()
            form.add_error(
                "file", _("The file is too large.") + " " + form.fields["file"].help_text
            )
        elif form.is_valid():
            data = form.cleaned_data
            try:
                video = services.video_create_from_upload(
                    owner=request.user,
                    uploaded_file=data["file"],
                    title=data["title"],
                    description=data["description"],
                    visibility=data["visibility"],
                    comments_enabled=data["comments_enabled"],
                    start=data["start"],
                    upload_token=data["upload_token"],
                )
            except UploadRejected as rejection:
                form.add_error("file", str(rejection))
            else:
                return navigate(request, reverse("videos:manage", args=[video.short_id]))
    else:
        form = VideoUploadForm()
    template = "videos/upload.html#upload-form" if wants_fragment(request) else "videos/upload.html"
    return render(request, template, {"form": form})


@login_required
@require_GET
def studio(request):
    videos = selectors.videos_of_owner(user=request.user)
    return render(request, "videos/studio.html", {"videos": videos})


@login_required
@require_GET
def manage(request, short_id):
    video = selectors.video_get_for_owner(short_id=short_id, user=request.user)
    if wants_fragment(request) and request.GET.get("poll"):
        # The status panel polls while the video is processing; once it is done the whole
        # page is reloaded, as its preview and actions change.
        if not video.is_processing:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "videos/manage.html#status", {"video": video})
    return render(request, "videos/manage.html", _manage_context(video))


def _max_start(video) -> float | None:
    if not video.source_duration:
        return None
    return max(0.0, video.source_duration - settings.VIDEO_MAX_DURATION_S)


def _manage_context(video, trim_form=None, captions_form=None, publish_form=None):
    trim_frames = selectors.video_trim_frames(video=video)
    return {
        "video": video,
        "renditions": video.renditions.all(),
        "trim_frames": trim_frames,
        "max_start": _max_start(video),
        "clip_seconds": f"{settings.VIDEO_MAX_DURATION_S:g}",
        "trim_form": trim_form or TrimForm(max_start=_max_start(video), frames=trim_frames),
        "captions_form": captions_form or CaptionsForm(),
        "publish_form": publish_form or _publish_form_for(video),
    }


def _publish_form_for(video):
    if video.is_scheduled:
        local = timezone.localtime(video.publish_at)
        return PublishForm(initial={"when": PublishForm.LATER, "publish_at": local})
    return PublishForm(initial={"when": PublishForm.NOW})


@login_required
@require_POST
def captions(request, short_id):
    video = selectors.video_get_for_owner(short_id=short_id, user=request.user)
    if request.POST.get("remove"):
        services.video_remove_captions(video=video, by=request.user)
        messages.success(request, _("The captions were removed."))
        return redirect("videos:manage", short_id=video.short_id)
    form = CaptionsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.video_set_captions(
                video=video,
                by=request.user,
                upload=form.cleaned_data["captions"],
                language=form.cleaned_data["language"],
            )
        except services.CaptionsRejected as rejection:
            form.add_error("captions", str(rejection))
        else:
            messages.success(request, _("The captions were added."))
            return redirect("videos:manage", short_id=video.short_id)
    return render(request, "videos/manage.html", _manage_context(video, captions_form=form))


@login_required
@require_POST
def trim(request, short_id):
    video = selectors.video_get_for_owner(short_id=short_id, user=request.user)
    form = TrimForm(
        request.POST,
        max_start=_max_start(video) or 0.0,
        frames=selectors.video_trim_frames(video=video),
    )
    if form.is_valid():
        try:
            services.video_set_trim(video=video, by=request.user, start=form.cleaned_data["start"])
        except UploadRejected as rejection:
            form.add_error("start", str(rejection))
        else:
            messages.success(request, _("Got it: your clip is being processed."))
            return redirect("videos:manage", short_id=video.short_id)
    return render(request, "videos/manage.html", _manage_context(video, trim_form=form))


@login_required
@require_POST
def publish(request, short_id):
    """Publish now, schedule for later, or keep as a draft ("Save draft")."""
    video = selectors.video_get_for_owner(short_id=short_id, user=request.user)
    if request.POST.get("action") == "draft":
        services.video_unschedule(video=video, by=request.user)
        messages.success(request, _("Saved as a draft: only you can see it until you publish it."))
        return redirect("videos:studio")
    form = PublishForm(request.POST)
    if not form.is_valid():
        context = _manage_context(video, publish_form=form)
        return render(request, "videos/manage.html", context, status=400)
    try:
        if form.cleaned_data["when"] == PublishForm.LATER:
            video = services.video_schedule(
                video=video, by=request.user, when=form.cleaned_data["publish_at"]
            )
            when = date_format(timezone.localtime(video.publish_at), "DATETIME_FORMAT")
            messages.success(
                request, _("Scheduled: it will be published on %(date)s.") % {"date": when}
            )
        else:
            services.video_publish(video=video, by=request.user)
            messages.success(request, _("Your video is published."))
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("videos:manage", short_id=video.short_id)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, short_id):
    video = selectors.video_get_for_owner(short_id=short_id, user=request.user)
    if request.method == "POST":
        form = VideoDetailsForm(request.POST)
        if form.is_valid():
            services.video_update(video=video, by=request.user, **form.cleaned_data)
            messages.success(request, _("Your changes were saved."))
            return redirect("videos:manage", short_id=video.short_id)
    else:
        form = VideoDetailsForm(
            initial={
                "title": video.title,
                "description": video.description,
                "visibility": video.visibility,
                "comments_enabled": video.comments_enabled,
            }
        )
    return render(request, "videos/edit.html", {"video": video, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, short_id):
    video = selectors.video_get_for_owner(short_id=short_id, user=request.user)
    if request.method == "POST":
        services.video_delete(video=video, by=request.user)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": video.title})
        return redirect("videos:studio")
    return render(request, "videos/delete.html", {"video": video})


@require_GET
@frameable
def embed(request, short_id):
    """A minimal player page that other sites may put in an iframe (the rest of the site
    sends X-Frame-Options: DENY). Only videos anyone may watch can be embedded."""
    video = selectors.video_get_watchable_by_anyone(short_id=short_id)
    return render(request, "videos/embed.html", {"video": video})


@require_GET
def oembed(request):
    """oEmbed (https://oembed.com) for video page URLs: `?url=<video page>&format=json`."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse(_("Only the JSON format is offered."), status=501)
    short_id = _short_id_from_url(request, request.GET.get("url", ""))
    if short_id is None:
        raise Http404
    video = selectors.video_get_watchable_by_anyone(short_id=short_id)
    data = sharing.oembed(
        request,
        video,
        maxwidth=_positive_int(request.GET.get("maxwidth")),
        maxheight=_positive_int(request.GET.get("maxheight")),
    )
    return JsonResponse(data)


def _short_id_from_url(request, url: str):
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.get_host():
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.view_name not in ("videos:watch", "videos:embed"):
        return None
    return match.kwargs.get("short_id")


def _positive_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
