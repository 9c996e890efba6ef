from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import ProfileForm
from accounts.images import AvatarRejected
from accounts.models import User
from core.http import login_first, safe_next_url, wants_fragment
from core.ratelimit import RateLimited, limit
from core.text_checks import TextRefused


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    user = request.user
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        try:
            limit(request, "profile_edit")
        except RateLimited as error:
            # Shown on the form, so that nothing typed is lost.
            form.add_error(None, error.message)
            status = 429
        if status == 200 and form.is_valid():
            try:
                services.profile_update(
                    user=user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    avatar_upload=form.cleaned_data["avatar"],
                    remove_avatar=form.cleaned_data["remove_avatar"],
                )
            except AvatarRejected as exc:
                form.add_error("avatar", str(exc))
            except TextRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile", username=user.username)
        user.refresh_from_db()
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "bio": user.bio})
    return render(request, "accounts/profile_edit.html", {"form": form}, status=status)


# --- blocks and mutes ----------------------------------------------------------------------------
RELATION_ACTIONS = {
    "block": (
        lambda viewer, other: services.block_create(blocker=viewer, blocked=other),
        gettext_lazy("You blocked %(name)s. Neither of you will see the other any more."),
    ),
    "unblock": (
        lambda viewer, other: services.block_delete(blocker=viewer, blocked=other),
        gettext_lazy("You unblocked %(name)s."),
    ),
    "mute": (
        lambda viewer, other: services.mute_create(muter=viewer, muted=other),
        gettext_lazy("You muted %(name)s. Their videos and news leave your feeds."),
    ),
    "unmute": (
        lambda viewer, other: services.mute_delete(muter=viewer, muted=other),
        gettext_lazy("You unmuted %(name)s."),
    ),
}


@require_POST
def relation_change(request, username, action):
    """Block, unblock, mute or unmute someone (a plain form, or htmx swapping the buttons)."""
    # Anyone active may be blocked; a person you blocked stays listed for you to unblock.
    other = get_object_or_404(User, username__iexact=username, is_active=True)
    back = safe_next_url(request, reverse("accounts:blocked"))
    if not request.user.is_authenticated:
        return login_first(request, back)
    change, done = RELATION_ACTIONS[action]
    error = ""
    try:
        change(request.user, other)
    except services.RelationError as exc:
        error = exc.message
    if wants_fragment(request):
        context = {
            "profile_user": other,
            "error": error,
            "done": "" if error else str(done) % {"name": other.name},
            "next": back,
            "scope": request.POST.get("scope", ""),
            **selectors.relation_state(viewer=request.user, other=other),
        }
        return render(request, "accounts/_relation_buttons.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, str(done) % {"name": other.name})
    return redirect(back)


@login_required
@require_GET
def blocked_list(request):
    """The "Blocked and muted accounts" settings page, to undo them."""
    context = {
        "blocks": selectors.blocks_of(user=request.user),
        "mutes": selectors.mutes_of(user=request.user),
    }
    return render(request, "accounts/blocked.html", context)
