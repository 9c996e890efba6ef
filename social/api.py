"""The social JSON API: likes, comments, follows and notifications, with the site's rules."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_get_public_for
from core.api import page_cursor, page_data, page_number, page_serializer
from social import selectors, services
from social.models import COMMENT_MAX_LENGTH
from videos.selectors import video_get_visible


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("That is already so.")
    default_code = "conflict"


def _run_service(service, **kwargs):
    """Run a service, turning its refusals into API errors."""
    try:
        return service(**kwargs)
    except services.RateLimited as exc:
        raise exceptions.Throttled(wait=exc.retry_after, detail=exc.message) from None
    except services.AlreadyDone as exc:
        raise Conflict(exc.message) from None
    except services.SocialError as exc:
        raise exceptions.ValidationError({"detail": exc.message}) from None


class UserSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    avatar_url = serializers.CharField()


def _requested_page(request, scope: str):
    return page_number(
        scope=scope,
        cursor=request.query_params.get("cursor"),
        page=request.query_params.get("page", 1),
    )


def _page_data(page, items, *, scope: str) -> dict:
    """The API's one page shape (core/api.py), with the page numbers clients used before."""
    return page_data(
        results=items,
        next_cursor=page_cursor(
            scope=scope, page=page.next_page_number() if page.has_next() else None
        ),
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
    )


MAX_ID = 2**63 - 1  # the largest key a BigAutoField (and SQLite's INTEGER) holds


def _page_serializer(name: str, item, **extra: serializers.Field):
    """The schema of one `_page_data` page of `item`s: the API's page with its numbers."""
    return page_serializer(
        name,
        item,
        count=serializers.IntegerField(),
        page=serializers.IntegerField(),
        pages=serializers.IntegerField(),
        **extra,
    )


# --- likes -------------------------------------------------------------------------------------
class LikeApi(APIView):
    """POST likes the video, DELETE takes the like back."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="LikeState")
    class OutputSerializer(serializers.Serializer):
        liked = serializers.BooleanField()
        like_count = serializers.IntegerField()

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    def _respond(self, video, liked, code=status.HTTP_200_OK):
        data = {"liked": liked, "like_count": video.like_count}
        return Response(self.OutputSerializer(data).data, status=code)

    def post(self, request, short_id):
        video = video_get_visible(short_id=short_id, user=request.user)
        video = _run_service(services.like_create, user=request.user, video=video)
        return self._respond(video, True, status.HTTP_201_CREATED)

    def delete(self, request, short_id):
        video = video_get_visible(short_id=short_id, user=request.user)
        video = _run_service(services.like_delete, user=request.user, video=video)
        return self._respond(video, False)


# --- comments ----------------------------------------------------------------------------------
class CommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = UserSerializer()
    body = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    reply_count = serializers.IntegerField()
    mentions = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_mentions(self, comment) -> list[str]:
        return [user.username for user in comment.mentions.all()]


class CommentWithRepliesSerializer(CommentOutputSerializer):
    replies = CommentOutputSerializer(many=True, source="reply_list")


class CommentListApi(APIView):
    """GET a page of a video's comments (?sort=newest|top&page=N) with their replies; POST a
    comment or a reply (`parent`)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema_serializer(component_name="CommentInput")
    class InputSerializer(serializers.Serializer):
        # Length is checked by the service, so that the API and the site say the same thing.
        body = serializers.CharField(max_length=COMMENT_MAX_LENGTH * 10, trim_whitespace=True)
        parent = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=MAX_ID
        )

    def get_serializer(self, *args, **kwargs):
        return CommentWithRepliesSerializer(*args, **kwargs)

    @extend_schema(
        responses=_page_serializer(
            "CommentPage", CommentWithRepliesSerializer, comments_open=serializers.BooleanField()
        )
    )
    def get(self, request, short_id):
        video = video_get_visible(short_id=short_id, user=request.user)
        sort = request.query_params.get("sort", "newest")
        sort = sort if sort in selectors.COMMENT_SORTS else "newest"
        scope = f"comments:{video.short_id}:{sort}"
        page = selectors.comments_page(
            video=video, sort=sort, page=_requested_page(request, scope), viewer=request.user
        )
        items = CommentWithRepliesSerializer(page.object_list, many=True).data
        data = _page_data(page, items, scope=scope)
        data["comments_open"] = selectors.video_comments_open(video)
        return Response(data)

    @extend_schema(request=InputSerializer, responses={201: CommentOutputSerializer})
    def post(self, request, short_id):
        video = video_get_visible(short_id=short_id, user=request.user)
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        parent_id = incoming.validated_data.get("parent")
        parent = selectors.comment_reply_parent(video=video, parent_id=parent_id)
        if parent_id and parent is None:
            raise exceptions.ValidationError({"parent": [_("That comment does not exist.")]})
        comment = _run_service(
            services.comment_create,
            user=request.user,
            video=video,
            body=incoming.validated_data["body"],
            parent=parent,
        )
        comment = selectors.comment_get(pk=comment.pk)
        return Response(CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDeleteApi(APIView):
    """DELETE a comment: your own, or any on your videos."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        comment = selectors.comment_get(pk=pk)
        video_get_visible(short_id=comment.video.short_id, user=request.user)
        services.comment_delete(user=request.user, comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- follows -----------------------------------------------------------------------------------
class FollowApi(APIView):
    """POST follows the user, DELETE unfollows."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="FollowState")
    class OutputSerializer(serializers.Serializer):
        following = serializers.BooleanField()
        followers = serializers.IntegerField()

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    def _respond(self, followee, following, code=status.HTTP_200_OK):
        data = {"following": following, "followers": selectors.follower_count(user=followee)}
        return Response(self.OutputSerializer(data).data, status=code)

    def post(self, request, username):
        followee = user_get_public_for(username=username, viewer=request.user)
        _run_service(services.follow_create, follower=request.user, followee=followee)
        return self._respond(followee, True, status.HTTP_201_CREATED)

    def delete(self, request, username):
        followee = user_get_public_for(username=username, viewer=request.user)
        _run_service(services.follow_delete, follower=request.user, followee=followee)
        return self._respond(followee, False)


class _PeopleApi(APIView):
    permission_classes = [permissions.AllowAny]
    which = "followers"

    def get_serializer(self, *args, **kwargs):
        return UserSerializer(*args, **kwargs)

    @extend_schema(responses=_page_serializer("PeoplePage", UserSerializer))
    def get(self, request, username):
        user = user_get_public_for(username=username, viewer=request.user)
        scope = f"{self.which}:{user.pk}"
        number = _requested_page(request, scope)
        if self.which == "followers":
            page = selectors.followers_page(user=user, page=number)
            people = [follow.follower for follow in page]
        else:
            page = selectors.following_page(user=user, page=number)
            people = [follow.followee for follow in page]
        return Response(_page_data(page, UserSerializer(people, many=True).data, scope=scope))


class FollowersApi(_PeopleApi):
    """GET the people following a user."""

    which = "followers"


class FollowingApi(_PeopleApi):
    """GET the people a user follows."""

    which = "following"


# --- notifications -----------------------------------------------------------------------------
class NotificationListApi(APIView):
    """GET the signed-in user's notifications, grouped ("Ana and 3 others liked your video")."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="NotificationGroup")
    class OutputSerializer(serializers.Serializer):
        verb = serializers.CharField()
        text = serializers.CharField()
        url = serializers.CharField()
        unread = serializers.BooleanField()
        latest_at = serializers.DateTimeField()
        actors = UserSerializer(many=True)
        ids = serializers.ListField(child=serializers.IntegerField())
        video = serializers.CharField(source="video.short_id", default=None, allow_null=True)

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    @extend_schema(
        responses=_page_serializer(
            "NotificationPage", OutputSerializer, unread_count=serializers.IntegerField()
        )
    )
    def get(self, request):
        scope = f"notifications:{request.user.pk}"
        page = selectors.notification_groups_page(
            user=request.user, page=_requested_page(request, scope)
        )
        data = _page_data(
            page, self.OutputSerializer(page.object_list, many=True).data, scope=scope
        )
        data["unread_count"] = selectors.unread_notification_count(user=request.user)
        return Response(data)


class NotificationReadApi(APIView):
    """POST marks notifications read: those in `ids`, or all of them."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="NotificationReadInput")
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            # Ids are database keys: a number past a 64-bit key is refused, not a 500.
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
            required=False,
            allow_empty=True,
            max_length=1000,
        )

    @extend_schema_serializer(component_name="NotificationReadResult")
    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField()
        unread_count = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        incoming = self.InputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            user=request.user, ids=incoming.validated_data.get("ids")
        )
        unread = selectors.unread_notification_count(user=request.user)
        data = {"marked": marked, "unread_count": unread}
        return Response(self.OutputSerializer(data).data)
