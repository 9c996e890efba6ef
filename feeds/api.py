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

from accounts.selectors import user_get_public_for
from core.api import bad_cursor, cursor_field, page_data, page_serializer
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


FeedPageOutputSerializer = page_serializer("FeedPageOutput", VideoCardOutputSerializer)


class _FeedApi(APIView):
    """A feed in the API: validate the query, load a page with `load`, answer it. A bad
    cursor is the client's mistake (400), never a server error. A dated feed takes
    `FeedDateInputSerializer` and says so in its schema."""

    permission_classes = [permissions.AllowAny]
    input_serializer = FeedInputSerializer

    def load(self, request, **arguments):
        """The page: `arguments` are the URL's and `cursor=`, `size=`[, `date_filter=`]."""
        raise NotImplementedError

    @extend_schema(parameters=[FeedInputSerializer], responses=FeedPageOutputSerializer)
    def get(self, request, **url_arguments):
        incoming = self.input_serializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        arguments = dict(incoming.validated_data)
        if "date" in arguments:
            arguments["date_filter"] = arguments.pop("date")
        try:
            page = self.load(request, **url_arguments, **arguments)
        except InvalidCursor:
            raise bad_cursor() from None
        data = page_data(results=page.videos, next_cursor=page.next_cursor)
        return Response(FeedPageOutputSerializer(data, context={"request": request}).data)


def _dated(view):
    """A feed that can be narrowed to the last day, week, month or year (`?date=`)."""
    view.input_serializer = FeedDateInputSerializer
    return extend_schema(parameters=[FeedDateInputSerializer])(view)


class FeedForYouApi(_FeedApi):
    """GET the For You feed: trending and fresh videos blended, never one twice in a scroll
    (the cursor remembers them) and, signed in, never your own."""

    def load(self, request, **arguments):
        return selectors.feed_for_you(user=request.user, **arguments)


class FeedFollowingApi(_FeedApi):
    """GET the videos of the creators you follow, newest first."""

    permission_classes = [permissions.IsAuthenticated]

    def load(self, request, **arguments):
        return selectors.feed_following(user=request.user, **arguments)


@_dated
class FeedTrendingApi(_FeedApi):
    """GET the trending videos, by their trending score."""

    def load(self, request, **arguments):
        return selectors.feed_trending(viewer=request.user, **arguments)


@_dated
class FeedLatestApi(_FeedApi):
    """GET every public video, newest first."""

    def load(self, request, **arguments):
        return selectors.feed_latest(viewer=request.user, **arguments)


@_dated
class FeedHashtagApi(_FeedApi):
    """GET the public videos with a hashtag (without the #), newest first."""

    def load(self, request, *, name, **arguments):
        return selectors.feed_hashtag(name=name, viewer=request.user, **arguments)


class UserVideosApi(_FeedApi):
    """GET a creator's public videos, newest first; 404 for an unknown or inactive user."""

    def load(self, request, *, username, **arguments):
        creator = user_get_public_for(username=username, viewer=request.user)
        return selectors.feed_creator(creator=creator, viewer=request.user, **arguments)
