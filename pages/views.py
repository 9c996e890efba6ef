import functools

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.selectors import user_get_public
from feeds.selectors import feed_creator
from feeds.views import render_feed
from social import selectors as social_selectors
from social.selectors import follow_summary
from videos import selectors
from videos.models import Video


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
        # Whether the viewer follows them and their counts; read only by the full page, so the
        # items of the next page (htmx) never count them.
        follow=functools.cache(
            functools.partial(follow_summary, viewer=request.user, user=profile_user)
        ),
    )


@require_GET
def watch(request, short_id):
    try:
        video = selectors.video_get_watchable(short_id=short_id, user=request.user)
    except Http404:
        # A creator following the link to their own draft goes to where it is being made.
        if selectors.video_for_manager(short_id=short_id, user=request.user) is not None:
            return redirect("videos:manage", short_id=short_id)
        raise
    context = {
        # The like button and the comments (social/_like_button.html, social/_comments.html).
        **social_selectors.video_social_context(video=video, user=request.user),
        "following": social_selectors.follow_exists(follower=request.user, followee=video.owner),
        "video": video,
        "can_manage": selectors.video_can_manage(video=video, user=request.user),
        "mentioned_usernames": [user.username for user in video.mentions.all()],
        "canonical_url": request.build_absolute_uri(reverse("videos:watch", args=[short_id])),
    }
    response = render(request, "videos/watch.html", context)
    if video.visibility != Video.Visibility.PUBLIC or not video.is_published:
        response["X-Robots-Tag"] = "noindex"
    return response
