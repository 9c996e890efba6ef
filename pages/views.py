from django.shortcuts import redirect
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.selectors import user_get_public
from feeds.selectors import feed_creator
from feeds.views import render_feed


@require_GET
@vary_on_headers("HX-Request")
def profile_detail(request, username):
    profile_user = user_get_public(username=username)
    if profile_user.username != username:
        return redirect("accounts:profile", username=profile_user.username, permanent=True)
    return render_feed(
        request,
        lambda cursor, date: feed_creator(creator=profile_user, cursor=cursor),
        title=profile_user.name,
        template="accounts/profile.html",
        date_filter_enabled=False,
        watch_mode_enabled=False,
        profile_user=profile_user,
    )
