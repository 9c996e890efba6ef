"""What a video card looks like in the JSON API (the feeds' and the search's results)."""

from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework import serializers


class VideoCreatorOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    avatar_url = serializers.CharField()


class VideoCardOutputSerializer(serializers.Serializer):
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
    creator = VideoCreatorOutputSerializer(source="owner")

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_url(self, video) -> str:
        return self._absolute(reverse("videos:watch", args=[video.short_id]))

    def get_poster_url(self, video) -> str:
        return self._absolute(default_storage.url(video.poster)) if video.poster else ""
