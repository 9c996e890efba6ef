"""The feeds in the JSON API: the same selectors as the site.

Feeds page with the site's signed cursors, in the API's one page shape (core/api.py): a
response's `next` goes back as `?cursor=` for the following page and is null at the end; a
cursor that was edited, cut short or made for another feed is a 400 that says so.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_get_public
from core.api import bad_cursor, cursor_field, next_field, page_data
from core.cursors import InvalidCursor
from feeds import selectors
from videos.api import VideoCardOutputSerializer
from videos.selectors import DATE_FILTERS


# --- feeds ------------------------------------------------------------------------------------
class FeedInputSerializer(serializers.Serializer):
    cursor = cursor_field()
    size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=selectors.MAX_PAGE_SIZE,
        help_text=_("Videos per page (the site's page size if left out)."),
    )


class FeedDateInputSerializer(FeedInputSerializer):
    date = serializers.ChoiceField(
        choices=list(DATE_FILTERS),
        required=False,
        allow_blank=True,
        help_text=_("Only videos published in the last day, week, month or year."),
    )


class FeedPageOutputSerializer(serializers.Serializer):
    results = VideoCardOutputSerializer(many=True)
    next = next_field()


def _feed_response(request, view, load):
    """Validate the query, load a page with `load(cursor=, size=[, date_filter=])` and answer
    it; a bad cursor is the client's mistake (400), never a server error."""
    incoming = view.input_serializer(data=request.query_params)
    incoming.is_valid(raise_exception=True)
    arguments = dict(incoming.validated_data)
    if "date" in arguments:
        arguments["date_filter"] = arguments.pop("date")
    try:
        page = load(**arguments)
    except InvalidCursor:
        raise bad_cursor() from None
    data = page_data(results=page.videos, next_cursor=page.next_cursor)
    return Response(FeedPageOutputSerializer(data, context={"request": request}).data)


class _FeedApi(APIView):
    permission_classes = [permissions.AllowAny]
    input_serializer = FeedInputSerializer


class FeedForYouApi(_FeedApi):
    """GET the For You feed: trending and fresh videos blended, never one twice in a scroll
    (the cursor remembers them) and, signed in, never your own."""

    @extend_schema(parameters=[FeedInputSerializer], responses=FeedPageOutputSerializer)
    def get(self, request):
        return _feed_response(
            request,
            self,
            lambda **kwargs: selectors.feed_for_you(user=request.user, **kwargs),
        )


class FeedFollowingApi(_FeedApi):
    """GET the videos of the creators you follow, newest first."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[FeedInputSerializer], responses=FeedPageOutputSerializer)
    def get(self, request):
        return _feed_response(
            request,
            self,
            lambda **kwargs: selectors.feed_following(user=request.user, **kwargs),
        )


class FeedTrendingApi(_FeedApi):
    """GET the trending videos, by their trending score."""

    input_serializer = FeedDateInputSerializer

    @extend_schema(parameters=[FeedDateInputSerializer], responses=FeedPageOutputSerializer)
    def get(self, request):
        return _feed_response(request, self, selectors.feed_trending)


class FeedLatestApi(_FeedApi):
    """GET every public video, newest first."""

    input_serializer = FeedDateInputSerializer

    @extend_schema(parameters=[FeedDateInputSerializer], responses=FeedPageOutputSerializer)
    def get(self, request):
        return _feed_response(request, self, selectors.feed_latest)


class FeedHashtagApi(_FeedApi):
    """GET the public videos with a hashtag (without the #), newest first."""

    input_serializer = FeedDateInputSerializer

    @extend_schema(parameters=[FeedDateInputSerializer], responses=FeedPageOutputSerializer)
    def get(self, request, name):
        return _feed_response(
            request, self, lambda **kwargs: selectors.feed_hashtag(name=name, **kwargs)
        )


class UserVideosApi(_FeedApi):
    """GET a creator's public videos, newest first; 404 for an unknown or inactive user."""

    @extend_schema(parameters=[FeedInputSerializer], responses=FeedPageOutputSerializer)
    def get(self, request, username):
        creator = user_get_public(username=username)
        return _feed_response(
            request, self, lambda **kwargs: selectors.feed_creator(creator=creator, **kwargs)
        )
