import functools

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.cursors import InvalidCursor
from core.http import wants_fragment
from feeds import selectors
from feeds.cards import CARD_TEMPLATE, FEEDBACK_TEMPLATE, render_cards
from recommendations.forms import TOPICS_DONE_SESSION_KEY
from recommendations.selectors import topic_choices
from social.selectors import suggested_creators, viewer_video_states
from videos.selectors import DATE_CHOICES, DATE_FILTERS

FEEDS = [
    # url name, title
    ("feeds:for_you", gettext_lazy("For You")),
    ("feeds:following", pgettext_lazy("the feed of people you follow", "Following")),
    ("feeds:trending", gettext_lazy("Trending")),
    ("feeds:latest", gettext_lazy("Latest")),
]


def render_feed(
    request,
    load_page,
    *,
    title,
    current=None,
    date_filter_enabled=True,
    template="feeds/feed.html",
    watch_mode_enabled=True,
    **extra,
):
    """Render a feed page, or just its next items for htmx's infinite scroll.

    `load_page(cursor, date_filter)` returns a FeedPage. A tampered or stale cursor shows the
    start of the feed with a note instead of failing. `template` is the full page (a profile
    embeds a feed too); the items are always the `feeds/feed.html#items` partial.
    """
    watch = watch_mode_enabled and request.GET.get("view") == "watch"
    view_mode = "watch" if watch else "grid"
    date_filter = request.GET.get("date", "")
    if date_filter not in DATE_FILTERS:
        date_filter = ""
    notice = None
    try:
        page = load_page(request.GET.get("cursor"), date_filter)
    except InvalidCursor:
        page = load_page(None, date_filter)
        notice = _("That link to a later page is not valid any more; here is the start.")
    next_url = None
    if page.next_cursor:
        query = QueryDict(mutable=True)
        query["cursor"] = page.next_cursor
        if view_mode == "watch":
            query["view"] = "watch"
        if date_filter:
            query["date"] = date_filter
        next_url = f"{request.path}?{query.urlencode()}"
    states = viewer_video_states(user=request.user, videos=page.videos)
    if view_mode == "grid":
        for_you_cards = current == "feeds:for_you" and request.user.is_authenticated
        cards = render_cards(
            request=request,
            csrf_token=lambda: get_token(request),
            videos=page.videos,
            template_name=FEEDBACK_TEMPLATE if for_you_cards else CARD_TEMPLATE,
            **states,
        )
        for video in page.videos:
            video.card_html = cards[video.pk]
    context = {
        "page": page,
        "feed_title": title,
        "feeds": FEEDS,
        "current_feed": current,
        "view_mode": view_mode,
        "date_filter": date_filter,
        "date_choices": DATE_CHOICES if date_filter_enabled else None,
        "next_url": next_url,
        "notice": notice,
        "first_page": not request.GET.get("cursor") or notice is not None,
        # The viewer's likes and follows for the cards' buttons: two queries per page.
        **states,
        **extra,
    }
    if wants_fragment(request) and request.GET.get("cursor"):
        return render(request, "feeds/feed.html#items", context)
    return render(request, template, context)


@require_GET
@vary_on_headers("HX-Request")
def for_you(request):
    return render_feed(
        request,
        lambda cursor, date: selectors.feed_for_you(user=request.user, cursor=cursor),
        title=_("For You"),
        current="feeds:for_you",
        date_filter_enabled=False,
        # The first-visit topic picker (shown to signed-in viewers with no history yet);
        # the template calls topic_choices only when it shows the picker.
        topic_choices=topic_choices,
        topics_done=request.session.get(TOPICS_DONE_SESSION_KEY, False),
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def following(request):
    return render_feed(
        request,
        lambda cursor, date: selectors.feed_following(user=request.user, cursor=cursor),
        title=pgettext("the feed of people you follow", "Following"),
        current="feeds:following",
        date_filter_enabled=False,
        # Only the empty state shows them: the template calls this only then (once, cached).
        suggestions=functools.cache(functools.partial(suggested_creators, request.user, limit=6)),
    )


@require_GET
@vary_on_headers("HX-Request")
def trending(request):
    return render_feed(
        request,
        lambda cursor, date: selectors.feed_trending(
            cursor=cursor, date_filter=date, viewer=request.user
        ),
        title=_("Trending"),
        current="feeds:trending",
    )


@require_GET
@vary_on_headers("HX-Request")
def latest(request):
    return render_feed(
        request,
        lambda cursor, date: selectors.feed_latest(
            cursor=cursor, date_filter=date, viewer=request.user
        ),
        title=_("Latest"),
        current="feeds:latest",
    )


@require_GET
@vary_on_headers("HX-Request")
def hashtag(request, name):
    name = name.lower()
    return render_feed(
        request,
        lambda cursor, date: selectors.feed_hashtag(
            name=name, cursor=cursor, date_filter=date, viewer=request.user
        ),
        title=f"#{name}",
        hashtag=name,
    )
