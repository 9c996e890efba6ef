"""The feeds and search in the JSON API: the same selectors as the site.

Feeds page with the site's signed cursors: a response's `next` goes back as `?cursor=` for the
following page and is null at the end; a cursor that was edited, cut short or made for another
feed is a 400 that says so. Search pages with page numbers, as on the site.
"""

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_get_public
from feeds import search, selectors
from feeds.cursors import InvalidCursor

DATE_CHOICES = list(selectors.DATE_FILTERS)


# --- what a video and a creator look like -----------------------------------------------------
class FeedCreatorOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    avatar_url = serializers.CharField()


class FeedVideoOutputSerializer(serializers.Serializer):
    id = serializers.CharField(source="short_id")
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    duration = serializers.FloatField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    view_count = serializers.IntegerField()
    like_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    creator = FeedCreatorOutputSerializer(source="owner")

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_url(self, video) -> str:
        return self._absolute(reverse("videos:watch", args=[video.short_id]))

    def get_poster_url(self, video) -> str:
        return self._absolute(default_storage.url(video.poster)) if video.poster else ""


# --- feeds ------------------------------------------------------------------------------------
class FeedInputSerializer(serializers.Serializer):
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text=_("The `next` of the previous page; leave out for the first page."),
    )
    size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=selectors.MAX_PAGE_SIZE,
        help_text=_("Videos per page (the site's page size if left out)."),
    )


class FeedDateInputSerializer(FeedInputSerializer):
    date = serializers.ChoiceField(
        choices=DATE_CHOICES,
        required=False,
        allow_blank=True,
        help_text=_("Only videos published in the last day, week, month or year."),
    )


class FeedPageOutputSerializer(serializers.Serializer):
    results = FeedVideoOutputSerializer(many=True)
    next = serializers.CharField(
        allow_null=True, help_text=_("The cursor of the next page; null at the end.")
    )


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
        raise exceptions.ValidationError(
            {
                "cursor": [
                    _(
                        "This cursor is not valid: it was changed, cut short or made for "
                        "another feed. Start again without a cursor."
                    )
                ]
            }
        ) from None
    data = {"results": page.videos, "next": page.next_cursor}
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


# --- search -----------------------------------------------------------------------------------
class SearchVideoOutputSerializer(FeedVideoOutputSerializer):
    title_highlighted = serializers.CharField(
        help_text=_("The title as HTML: escaped, with the matched words in <mark>.")
    )
    snippet = serializers.CharField(
        help_text=_("A piece of the description around a match, as HTML like the title.")
    )


class SearchCreatorOutputSerializer(FeedCreatorOutputSerializer):
    url = serializers.SerializerMethodField()
    public_video_count = serializers.IntegerField()
    name_highlighted = serializers.CharField()
    username_highlighted = serializers.CharField()

    def get_url(self, user) -> str:
        url = reverse("accounts:profile", args=[user.username])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


def _query_field():
    return serializers.CharField(
        required=False,
        allow_blank=True,
        # Not max_length: a long query is searched shortened (and says so), as on the site.
        help_text=_("What to look for: words of letters and digits; a long query is cut."),
    )


def _page_field():
    return serializers.IntegerField(required=False, min_value=1, default=1)


def _search_page_data(results) -> dict:
    return {
        "query": results.query.text,
        "truncated": results.query.truncated,
        "page": results.page,
        "next_page": results.next_page,
        "results": results.items,
    }


class SearchVideosApi(APIView):
    """GET public videos matching a query (titles, hashtags, descriptions), a page at a time:
    best match first, or newest, or most liked; optionally only recent ones."""

    permission_classes = [permissions.AllowAny]

    class SearchVideosInputSerializer(serializers.Serializer):
        q = _query_field()
        date = serializers.ChoiceField(choices=DATE_CHOICES, required=False, allow_blank=True)
        sort = serializers.ChoiceField(choices=search.SORTS, required=False, default="relevance")
        page = _page_field()

    class SearchVideosOutputSerializer(serializers.Serializer):
        query = serializers.CharField(help_text=_("The query as it was searched for."))
        truncated = serializers.BooleanField(help_text=_("The query was too long and was cut."))
        page = serializers.IntegerField()
        next_page = serializers.IntegerField(allow_null=True)
        did_you_mean = serializers.CharField(
            allow_null=True, help_text=_("A corrected query, when this one found nothing.")
        )
        results = SearchVideoOutputSerializer(many=True)

    @extend_schema(parameters=[SearchVideosInputSerializer], responses=SearchVideosOutputSerializer)
    def get(self, request):
        incoming = self.SearchVideosInputSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        params = incoming.validated_data
        results = search.search_videos(
            query=params.get("q", ""),
            date_filter=params.get("date", ""),
            sort=params["sort"],
            page=params["page"],
        )
        data = _search_page_data(results)
        data["did_you_mean"] = None
        if not results.query.is_empty and not results.items and results.page == 1:
            data["did_you_mean"] = search.search_did_you_mean(query=results.query.text)
        output = self.SearchVideosOutputSerializer(data, context={"request": request})
        return Response(output.data)


class SearchCreatorsApi(APIView):
    """GET active creators whose username or display name matches a query."""

    permission_classes = [permissions.AllowAny]

    class SearchCreatorsInputSerializer(serializers.Serializer):
        q = _query_field()
        page = _page_field()

    class SearchCreatorsOutputSerializer(serializers.Serializer):
        query = serializers.CharField()
        truncated = serializers.BooleanField()
        page = serializers.IntegerField()
        next_page = serializers.IntegerField(allow_null=True)
        results = SearchCreatorOutputSerializer(many=True)

    @extend_schema(
        parameters=[SearchCreatorsInputSerializer], responses=SearchCreatorsOutputSerializer
    )
    def get(self, request):
        incoming = self.SearchCreatorsInputSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        results = search.search_creators(
            query=incoming.validated_data.get("q", ""), page=incoming.validated_data["page"]
        )
        output = self.SearchCreatorsOutputSerializer(
            _search_page_data(results), context={"request": request}
        )
        return Response(output.data)


class SearchSuggestionOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["hashtag", "creator", "video"])
    label = serializers.CharField()
    value = serializers.CharField(help_text=_("What to search for."))
    url = serializers.SerializerMethodField(help_text=_("A creator's profile, else empty."))

    def get_url(self, suggestion) -> str:
        request = self.context.get("request")
        if not suggestion.url or request is None:
            return suggestion.url
        return request.build_absolute_uri(suggestion.url)


class SearchSuggestionsApi(APIView):
    """GET autocomplete options for a partly typed query: hashtags, creators and video
    titles. `value` is what to search for; a creator's `url` is their profile."""

    permission_classes = [permissions.AllowAny]

    class SearchSuggestionsInputSerializer(serializers.Serializer):
        q = _query_field()

    class SearchSuggestionsOutputSerializer(serializers.Serializer):
        results = SearchSuggestionOutputSerializer(many=True)

    @extend_schema(
        parameters=[SearchSuggestionsInputSerializer], responses=SearchSuggestionsOutputSerializer
    )
    def get(self, request):
        incoming = self.SearchSuggestionsInputSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        suggestions = search.search_suggestions(query=incoming.validated_data.get("q", ""))
        output = self.SearchSuggestionsOutputSerializer(
            {"results": suggestions}, context={"request": request}
        )
        return Response(output.data)
