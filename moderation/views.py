from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from core.http import login_first, safe_next_url, wants_fragment
from moderation import selectors, services
from moderation.forms import AppealForm, ReportForm
from social import presenters
from social import selectors as social_selectors
from social.models import Comment
from videos import selectors as video_selectors


def target_for_viewer(request, target_type: str, key: str) -> dict:
    """The reported thing, as the reporter may see it (else 404), with where to go back and
    whom the report is about."""
    viewer = request.user
    if target_type == "video":
        video = video_selectors.video_get_watchable(short_id=key, user=viewer)
        return {
            "kwargs": {"video": video},
            "back": presenters.video_url(video),
            "person": video.owner,
            "title": _("Report the video “%(title)s”") % {"title": video.title},
        }
    if target_type == "comment":
        if not key.isdigit():
            raise Http404
        comment = social_selectors.comment_get(pk=int(key))
        if comment.moderation_state != Comment.ModerationState.VISIBLE:
            raise Http404
        if not video_selectors.video_is_visible_to(video=comment.video, user=viewer):
            raise Http404
        if comment.author_id in account_selectors.hidden_user_ids(
            viewer=viewer, include_muted=False
        ):
            raise Http404
        return {
            "kwargs": {"comment": comment},
            "back": presenters.video_url(comment.video) + f"#comment-{comment.pk}",
            "person": comment.author,
            "title": _("Report a comment by %(name)s") % {"name": comment.author.name},
        }
    if target_type == "account":
        account = account_selectors.user_get_public_for(username=key, viewer=viewer)
        return {
            "kwargs": {"account": account},
            "back": reverse("accounts:profile", args=[account.username]),
            "person": account,
            "title": _("Report %(name)s (@%(username)s)")
            % {"name": account.name, "username": account.username},
        }
    raise Http404


@require_http_methods(["GET", "POST"])
def report(request, target_type, key):
    """The report form: a page of its own without JavaScript, the dialog's body with htmx.
    After reporting a person's content, it offers to block them."""
    target = target_for_viewer(request, target_type, key)
    back = safe_next_url(request, target["back"])
    if not request.user.is_authenticated:
        return login_first(request, request.get_full_path())
    account_services.user_require_not_suspended(user=request.user)  # the form too: a 403
    fragment = wants_fragment(request)
    template = "moderation/_report_form.html" if fragment else "moderation/report.html"
    context = {
        "target_type": target_type,
        "key": key,
        "title": target["title"],
        "person": target["person"],
        "next": back,
        "action_url": reverse("moderation:report", args=[target_type, key]),
    }
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.report_create(
                    reporter=request.user,
                    reason_code=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    language=get_language() or "",
                    **target["kwargs"],
                )
            except services.QuotaExceeded as exc:  # the quotas and the rate limit
                form.add_error(None, exc.message)
                status, retry_after = 429, exc.retry_after
            except services.ModerationError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                account_services.user_set_language(user=request.user, language=get_language())
                context["blocked"] = account_selectors.has_blocked(
                    blocker=request.user, blocked=target["person"]
                )
                done = (
                    "moderation/_report_done.html"
                    if wants_fragment(request)
                    else "moderation/report_done.html"
                )
                return render(request, done, context)
        else:
            status = 400
    else:
        form = ReportForm()
    context["form"] = form
    response = render(request, template, context, status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


@require_GET
def rules(request):
    """The community rules page, for everyone, in the viewer's language."""
    return render(request, "moderation/rules.html", {"rules": selectors.community_rules()})


@login_required
@require_GET
def standing(request):
    """The "Account standing" page: one's strikes, and an appeal form for each open one."""
    context = selectors.standing_of(user=request.user)
    context["form"] = AppealForm()
    return render(request, "moderation/standing.html", context)


@require_POST
def appeal(request, pk):
    if not request.user.is_authenticated:
        return login_first(request, reverse("moderation:standing"))
    strike = selectors.strike_get_for_appeal(user=request.user, pk=pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_create(user=request.user, action=strike, text=form.cleaned_data["text"])
        except services.ModerationError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, _("Your appeal was sent. A moderator will decide on it."))
            return redirect("moderation:standing")
    context = selectors.standing_of(user=request.user)
    context.update({"form": form, "failed_strike": strike.pk})
    return render(request, "moderation/standing.html", context, status=400)
