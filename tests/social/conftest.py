"""Videos for the social tests. Their rules depend only on status, visibility and published_at,
so the rows are made ready directly instead of transcoding a clip for every test."""

import pytest
from django.utils import timezone

from videos.models import Video


def video_of(owner, *, title="Sunset in five", **fields):
    fields.setdefault("status", Video.Status.READY)
    fields.setdefault("published_at", timezone.now())
    return Video.objects.create(owner=owner, title=title, **fields)


@pytest.fixture
def video(alice):
    """Alice's public, published video."""
    return video_of(alice)


@pytest.fixture
def private_video(alice):
    return video_of(alice, title="Just for me", visibility=Video.Visibility.PRIVATE)


@pytest.fixture
def draft_video(alice):
    return video_of(alice, title="Not yet", published_at=None)


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    # Tests that are about rate limits set their own.
    settings.RATELIMITS = {
        **settings.RATELIMITS,
        "like": "1000/1m/user",
        "comment": "1000/1m/user",
        "follow": "1000/1m/user",
    }


HX = {"HTTP_HX_REQUEST": "true"}
