"""Search in the JSON API: the same selectors as the site's /search.

Results come a page at a time in the API's one page shape (core/api.py): `next` is the cursor
of the following page (null at the end), to send back as `?cursor=` with the same query. The
page numbers of before still work: `page` in the response and `?page=` in the request, and
`next_page` is the number that `next` stands for.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import cursor_field, page_cursor, page_data, page_number, page_serializer
from core.ratelimit import limit
from search import selectors
from videos.api import VideoCardOutputSerializer, VideoCreatorOutputSerializer
from videos.selectors import DATE_FILTERS


class SearchVideoOutputSerializer(VideoCardOutputSerializer):
    title_highlighted = serializers.CharField(
        help_text=_("The title as HTML: escaped, with the matched words in <mark>.")
    )
    snippet = serializers.CharField(
        help_text=_("A piece of the description around a match, as HTML like the title.")
    )


class SearchCreatorOutputSerializer(VideoCreatorOutputSerializer):
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


def _cursor_scope(kind: str, params: dict) -> str:
    # A cursor belongs to one search: the same words, filter and order.
    query = selectors.parse_query(params.get("q", "")).text
    return f"search-{kind}:{params.get('date', '')}:{params.get('sort', '')}:{query}"


def _search_page_data(results, *, scope: str) -> dict:
    return page_data(
        results=results.items,
        next_cursor=page_cursor(scope=scope, page=results.next_page),
        query=results.query.text,
        truncated=results.query.truncated,
        page=results.page,
        next_page=results.next_page,
    )


def _search_page_serializer(name: str, item, **extra: serializers.Field):
    """The schema of one `_search_page_data` page: the API's page with the query and the page
    numbers."""
    return page_serializer(
        name,
        item,
        query=serializers.CharField(help_text=_("The query as it was searched for.")),
        truncated=serializers.BooleanField(help_text=_("The query was too long and was cut.")),
        page=serializers.IntegerField(),
        next_page=serializers.IntegerField(allow_null=True),
        **extra,
    )


class SearchVideosApi(APIView):
    """GET public videos matching a query (titles, hashtags, descriptions), a page at a time:
    best match first, or newest, or most liked; optionally only recent ones."""

    permission_classes = [permissions.AllowAny]

    class SearchVideosInputSerializer(serializers.Serializer):
        q = _query_field()
        date = serializers.ChoiceField(choices=list(DATE_FILTERS), required=False, allow_blank=True)
        sort = serializers.ChoiceField(choices=selectors.SORTS, required=False, default="relevance")
        cursor = cursor_field()
        page = _page_field()

    SearchVideosOutputSerializer = _search_page_serializer(
        "SearchVideosOutput",
        SearchVideoOutputSerializer,
        did_you_mean=serializers.CharField(
            allow_null=True, help_text=_("A corrected query, when this one found nothing.")
        ),
    )

    @extend_schema(parameters=[SearchVideosInputSerializer], responses=SearchVideosOutputSerializer)
    def get(self, request):
        limit(request, "search")
        incoming = self.SearchVideosInputSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        params = incoming.validated_data
        scope = _cursor_scope("videos", params)
        results = selectors.search_videos(
            query=params.get("q", ""),
            date_filter=params.get("date", ""),
            sort=params["sort"],
            page=page_number(scope=scope, cursor=params.get("cursor"), page=params["page"]),
            viewer=request.user,
        )
        data = _search_page_data(results, scope=scope)
        data["did_you_mean"] = None
        if not results.query.is_empty and not results.items and results.page == 1:
            data["did_you_mean"] = selectors.search_did_you_mean(
                query=results.query.text, viewer=request.user
            )
        output = self.SearchVideosOutputSerializer(data, context={"request": request})
        return Response(output.data)


class SearchCreatorsApi(APIView):
    """GET active creators whose username or display name matches a query."""

    permission_classes = [permissions.AllowAny]

    class SearchCreatorsInputSerializer(serializers.Serializer):
        q = _query_field()
        cursor = cursor_field()
        page = _page_field()

    SearchCreatorsOutputSerializer = _search_page_serializer(
        "SearchCreatorsOutput", SearchCreatorOutputSerializer
    )

    @extend_schema(
        parameters=[SearchCreatorsInputSerializer], responses=SearchCreatorsOutputSerializer
    )
    def get(self, request):
        limit(request, "search")
        incoming = self.SearchCreatorsInputSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        params = incoming.validated_data
        scope = _cursor_scope("creators", params)
        results = selectors.search_creators(
            query=params.get("q", ""),
            page=page_number(scope=scope, cursor=params.get("cursor"), page=params["page"]),
            viewer=request.user,
        )
        output = self.SearchCreatorsOutputSerializer(
            _search_page_data(results, scope=scope), context={"request": request}
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
    titles. `value` is what to search for; a creator's `url` is their profile. Not a paged
    list: at most a handful of options, so no `next`."""

    permission_classes = [permissions.AllowAny]

    class SearchSuggestionsInputSerializer(serializers.Serializer):
        q = _query_field()

    class SearchSuggestionsOutputSerializer(serializers.Serializer):
        results = SearchSuggestionOutputSerializer(many=True)

    @extend_schema(
        parameters=[SearchSuggestionsInputSerializer], responses=SearchSuggestionsOutputSerializer
    )
    def get(self, request):
        limit(request, "suggest")
        incoming = self.SearchSuggestionsInputSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        suggestions = selectors.search_suggestions(
            query=incoming.validated_data.get("q", ""), viewer=request.user
        )
        output = self.SearchSuggestionsOutputSerializer(
            {"results": suggestions}, context={"request": request}
        )
        return Response(output.data)
