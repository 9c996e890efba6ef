"""The recommender's JSON API: "Not interested" and "Show fewer from this creator"."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.ratelimit import limit
from recommendations import selectors, services


def _video_or_404(short_id, user):
    video = selectors.video_for_feedback(short_id=short_id, user=user)
    if video is None:
        raise Http404
    return video


class NotInterestedApi(APIView):
    """POST hides the video from your For You feed for good; DELETE undoes it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="NotInterestedState")
    class OutputSerializer(serializers.Serializer):
        not_interested = serializers.BooleanField()

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request, short_id):
        limit(request, "feedback")
        services.not_interested_create(
            user=request.user, video=_video_or_404(short_id, request.user)
        )
        return Response({"not_interested": True}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OutputSerializer})
    def delete(self, request, short_id):
        limit(request, "feedback")
        if not services.not_interested_delete(
            user=request.user, video=_video_or_404(short_id, request.user)
        ):
            raise Http404
        return Response({"not_interested": False})


class ShowFewerApi(APIView):
    """POST shows you fewer videos from this video's creator; DELETE undoes it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema_serializer(component_name="ShowFewerState")
    class OutputSerializer(serializers.Serializer):
        show_fewer = serializers.BooleanField()

    def get_serializer(self, *args, **kwargs):
        return self.OutputSerializer(*args, **kwargs)

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request, short_id):
        limit(request, "feedback")
        video = _video_or_404(short_id, request.user)
        try:
            services.show_fewer_create(user=request.user, creator=video.owner)
        except services.InvalidFeedback as exc:
            raise exceptions.ValidationError({"detail": exc.message}) from None
        return Response({"show_fewer": True}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OutputSerializer})
    def delete(self, request, short_id):
        limit(request, "feedback")
        video = _video_or_404(short_id, request.user)
        if not services.show_fewer_delete(user=request.user, creator=video.owner):
            raise Http404
        return Response({"show_fewer": False})
