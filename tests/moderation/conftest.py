"""Targets for the moderation tests: alice's published video and a comment of hers."""

import pytest

from social.models import Comment
from tests.factories import published_video


@pytest.fixture
def video(alice):
    return published_video(alice, title="Alice's clip")


@pytest.fixture
def comment(video, carol):
    return Comment.objects.create(video=video, author=carol, body="A comment by Carol")
