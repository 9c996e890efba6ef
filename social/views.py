from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import user_get_public
from core.http import login_first, safe_next_url, wants_fragment
from social import presenters, selectors, services
from social.forms import CommentForm, NotificationPreferenceForm
from videos.selectors import video_get_visible


def _comments_url(video) -> str:
    return reverse("social:comments", args=[video.short_id])


def _flash_refusal(request, error: services.SocialError) -> None:
    """The refusal as a message on the next page (no-JavaScript posts)."""
    if isinstance(error, services.AlreadyDone):
        messages.info(request, error.message)
    else:
        messages.error(request, error.message)


# --- likes -------------------------------------------------------------------------------------
def _like_action(request, short_id, action):
    video = video_get_visible(short_id=short_id, user=request.user)
    back = safe_next_url(request, presenters.video_url(video))
    if not request.user.is_authenticated:
        return login_first(request, back)
    error = None
    try:
        video = action(user=request.user, video=video)
    except services.SocialError as exc:
        error = exc
        video.refresh_from_db(fields=["like_count"])
    if wants_fragment(request):
        context = {
            "video": video,
            "liked": selectors.like_exists(user=request.user, video=video),
            "error": error.message if error else "",
            "next": back,
            "compact": bool(request.POST.get("compact")),
        }
        return render(request, "social/_like_button.html", context)
    if error:
        _flash_refusal(request, error)
    return redirect(back)


@require_http_methods(["GET", "POST"])
def like(request, short_id):
    if request.method == "GET":
        # The button on its own: what the page polls when its socket is down.
        video = video_get_visible(short_id=short_id, user=request.user)
        if not wants_fragment(request):
            return redirect(presenters.video_url(video))
        liked = selectors.like_exists(user=request.user, video=video)
        context = {"video": video, "liked": liked, "next": request.GET.get("next", "")}
        return render(request, "social/_like_button.html", context)
    return _like_action(request, short_id, services.like_create)


@require_POST
def unlike(request, short_id):
    return _like_action(request, short_id, services.like_delete)


# --- comments ----------------------------------------------------------------------------------
def _comments_context(request, video, **extra) -> dict:
    context = selectors.video_social_context(
        video=video,
        user=request.user,
        sort=request.GET.get("sort", "newest"),
        page=request.GET.get("page", 1),
    )
    context.update(extra)
    return context


@require_http_methods(["GET", "POST"])
def comments(request, short_id):
    """The comments of a video on a page of their own (also the target of the comment
    forms, and, for htmx, the list alone: paging, sorting and polling)."""
    video = video_get_visible(short_id=short_id, user=request.user)
    if request.method == "GET":
        context = _comments_context(request, video)
        if wants_fragment(request):
            return render(request, "social/_comments.html#comment-list", context)
        return render(request, "social/comments_page.html", context)

    back = safe_next_url(request, _comments_url(video))
    if not request.user.is_authenticated:
        return login_first(request, back)
    form = CommentForm(request.POST, video=video)
    valid = form.is_valid()
    parent_id = form.cleaned_data.get("parent")
    parent = selectors.comment_reply_parent(video=video, parent_id=parent_id)
    status = 400
    if valid and parent_id and parent is None:
        form.add_error(None, _("That comment was deleted."))
    elif valid:
        try:
            comment = services.comment_create(
                user=request.user, video=video, body=form.cleaned_data["body"], parent=parent
            )
        except services.SocialError as exc:
            form.add_error("body", exc.message)
            status = 429 if isinstance(exc, services.RateLimited) else 400
        else:
            return _comment_saved(request, video, comment, parent, back)
    return _comment_refused(request, video, form, parent, status)


def _comment_refused(request, video, form, parent, status):
    """The form again with what was wrong: in its thread for a reply, else above the list."""
    video.refresh_from_db()
    thread_id = (parent.parent_id or parent.pk) if parent is not None else None
    if wants_fragment(request):
        if parent is not None:
            return _render_thread(request, video, thread_id, reply_form=form)
        return render(
            request, "social/_comments.html", _comments_context(request, video, form=form)
        )
    context = _comments_context(request, video)
    if parent is not None:
        context.update(reply_form=form, reply_to=thread_id)
    else:
        context["form"] = form
    return render(request, "social/comments_page.html", context, status=status)


def _render_thread(request, video, comment_pk, reply_form=None):
    thread = selectors.comment_with_replies(pk=comment_pk)
    context = {
        "video": video,
        "comment": thread,
        "reply_form": reply_form,
        "reply_to": comment_pk if reply_form is not None else None,
        "comments_open": selectors.video_comments_open(video),
    }
    html = render_to_string("social/_comment.html", context, request=request)
    html += render_to_string(
        "social/_comments.html#comment-count", {"video": video, "oob": True}, request=request
    )
    return HttpResponse(html)


def _comment_saved(request, video, comment, parent, back):
    video.refresh_from_db()
    if wants_fragment(request):
        if parent is not None:
            return _render_thread(request, video, parent.pk)
        context = selectors.video_social_context(video=video, user=request.user)
        return render(request, "social/_comments.html", context)
    messages.success(request, _("Your comment was posted."))
    return redirect(f"{back.split('#')[0]}#comment-{comment.pk}")


@login_required
@require_POST
def comment_delete(request, pk):
    comment = selectors.comment_get(pk=pk)
    video = video_get_visible(short_id=comment.video.short_id, user=request.user)
    services.comment_delete(user=request.user, comment=comment)
    video.refresh_from_db()
    if wants_fragment(request):
        # The comment's element is replaced by nothing; the count is swapped out of band.
        html = render_to_string(
            "social/_comments.html#comment-count", {"video": video, "oob": True}, request=request
        )
        return HttpResponse(html)
    messages.success(request, _("The comment was deleted."))
    return redirect(safe_next_url(request, _comments_url(video)))


# --- follows -----------------------------------------------------------------------------------
def _follow_button_scope(request) -> str:
    """The id suffix of a compact follow button (a video's short id), if it looks like one."""
    scope = request.POST.get("scope", "")[:20]
    return scope if scope.isascii() and scope.replace("-", "").replace("_", "").isalnum() else ""


def _follow_action(request, username, action):
    profile_user = user_get_public(username=username)
    back = safe_next_url(request, reverse("accounts:profile", args=[profile_user.username]))
    if not request.user.is_authenticated:
        return login_first(request, back)
    error = None
    try:
        action(follower=request.user, followee=profile_user)
    except services.SocialError as exc:
        error = exc
    if wants_fragment(request):
        context = {
            "profile_user": profile_user,
            "following": selectors.follow_exists(follower=request.user, followee=profile_user),
            "error": error.message if error else "",
            "next": back,
            "scope": _follow_button_scope(request),
        }
        return render(request, "social/_follow_button.html", context)
    if error:
        _flash_refusal(request, error)
    return redirect(back)


@require_POST
def follow(request, username):
    return _follow_action(request, username, services.follow_create)


@require_POST
def unfollow(request, username):
    return _follow_action(request, username, services.follow_delete)


def _people(request, username, which):
    profile_user = user_get_public(username=username)
    page = request.GET.get("page", 1)
    if which == "followers":
        follows = selectors.followers_page(user=profile_user, page=page)
        people = [follow.follower for follow in follows]
    else:
        follows = selectors.following_page(user=profile_user, page=page)
        people = [follow.followee for follow in follows]
    context = {"profile_user": profile_user, "page": follows, "people": people, "which": which}
    return render(request, "social/people.html", context)


@require_GET
def followers(request, username):
    return _people(request, username, "followers")


@require_GET
def following(request, username):
    return _people(request, username, "following")


# --- notifications -----------------------------------------------------------------------------
@login_required
@require_GET
def notifications(request):
    groups = selectors.notification_groups_page(user=request.user, page=request.GET.get("page", 1))
    context = {
        "groups": groups,
        "unread_count": selectors.unread_notification_count(user=request.user),
    }
    return render(request, "social/notifications.html", context)


@login_required
@require_POST
def notifications_read(request):
    services.notifications_mark_read(user=request.user)
    if wants_fragment(request):
        groups = selectors.notification_groups_page(user=request.user)
        context = {"groups": groups, "unread_count": 0, "oob_badge": True}
        return render(request, "social/notifications.html#notification-list", context)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("social:notifications")


@require_GET
def notification_badge(request):
    count = selectors.unread_notification_count(user=request.user)
    return render(request, "social/_badge.html", {"unread_count": count})


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    preference = selectors.notification_preference_get(user=request.user)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST, instance=preference)
        if form.is_valid():
            services.notification_preference_update(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your email preferences were saved."))
            return redirect("social:notification_settings")
    else:
        form = NotificationPreferenceForm(instance=preference)
    return render(request, "social/notification_settings.html", {"form": form})
