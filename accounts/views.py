from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import ProfileForm
from accounts.images import AvatarRejected
from core.ratelimit import RateLimited, limit


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
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile", username=user.username)
        user.refresh_from_db()
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "bio": user.bio})
    return render(request, "accounts/profile_edit.html", {"form": form}, status=status)
