"""The cache of search result ids: a repeated query costs one query by id, and what the
services change (a publish, an edit, a removal) shows in the very next search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from search import selectors as search
from tests.factories import described_video, published_video
from videos import services
from videos.models import Video

pytestmark = pytest.mark.django_db


def found(query, **options):
    return [video.pk for video in search.search_videos(query=query, **options).items]


def queries_of(function):
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return result, len(captured)


def test_a_repeated_search_reads_its_ids_from_the_cache(alice):
    video = described_video(alice, title="Rainy balcony")
    first, first_queries = queries_of(lambda: found("rainy"))

    again, queries = queries_of(lambda: found("rainy"))

    assert first == again == [video.pk]
    assert queries == 1 < first_queries  # only the cards, by id


def test_the_same_words_typed_differently_share_the_cached_ids(alice):
    described_video(alice, title="Rainy balcony")
    found("Rainy  BALCONY")

    _, queries = queries_of(lambda: found("rainy balcony!"))

    assert queries == 1


def test_another_sort_or_page_is_another_entry(alice):
    described_video(alice, title="Rainy balcony")
    found("rainy")

    _, queries = queries_of(lambda: found("rainy", sort="newest"))

    assert queries > 1


def test_a_video_published_after_a_search_is_found_by_the_next_one(alice):
    draft = published_video(alice, title="Rainy rooftop", published_at=None)
    assert found("rainy") == []

    services.video_publish(video=draft, by=alice)

    assert found("rainy") == [draft.pk]


def test_an_edited_title_shows_in_the_next_search(alice):
    video = described_video(alice, title="Old title")
    assert found("old") == [video.pk]

    services.video_update(
        video=video, by=alice, title="Brand new", description="",
        visibility=video.visibility, comments_enabled=True,
    )  # fmt: skip

    assert found("old") == []
    assert found("brand") == [video.pk]


def test_a_deleted_video_is_gone_from_the_next_search(alice):
    kept = described_video(alice, title="Rainy one")
    deleted = described_video(alice, title="Rainy two")
    assert set(found("rainy")) == {kept.pk, deleted.pk}

    services.video_delete(video=deleted, by=alice)

    assert found("rainy") == [kept.pk]


def test_a_video_that_stopped_being_public_never_shows_even_from_cached_ids(alice):
    video = described_video(alice, title="Rainy one")
    assert found("rainy") == [video.pk]

    # A path that bumps nothing (a bulk update): the cached ids still name the video, but the
    # cards are read through the visibility rule.
    Video.objects.filter(pk=video.pk).update(visibility=Video.Visibility.PRIVATE)

    assert found("rainy") == []


def test_the_cache_can_be_switched_off(alice, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    described_video(alice, title="Rainy balcony")
    found("rainy")

    _, queries = queries_of(lambda: found("rainy"))

    assert queries > 1


def test_a_block_shows_in_the_next_search_from_cached_ids(alice, bob):
    from accounts import services as accounts

    video = described_video(alice, title="Rainy balcony")
    assert found("rainy", viewer=bob) == [video.pk]

    accounts.block_create(blocker=bob, blocked=alice)

    assert found("rainy", viewer=bob) == []
    assert found("rainy") == [video.pk]  # others still find it


def test_a_video_a_moderator_removes_leaves_the_next_cached_page_and_its_place_is_filled(alice):
    removed = described_video(alice, title="Rainy one", like_count=5)
    kept = described_video(alice, title="Rainy two")
    assert found("rainy", size=1) == [removed.pk]

    services.video_set_moderation_state(video=removed, state=Video.ModerationState.REMOVED)

    assert found("rainy", size=1) == [kept.pk]

    services.video_set_moderation_state(video=removed, state=Video.ModerationState.VISIBLE)

    assert found("rainy", size=1) == [removed.pk]  # restored: back at once


def test_a_suspension_or_limit_and_its_lifting_show_in_the_next_cached_page(alice, carol):
    from accounts import services as accounts

    first = described_video(alice, title="Rainy one", like_count=5)
    second = described_video(carol, title="Rainy two")
    assert found("rainy", size=1) == [first.pk]

    accounts.user_suspend(user=alice)
    assert found("rainy", size=1) == [second.pk]
    accounts.user_unsuspend(user=alice)
    assert found("rainy", size=1) == [first.pk]

    accounts.user_limit(user=alice)
    assert found("rainy", size=1) == [second.pk]
    accounts.user_unlimit(user=alice)
    assert found("rainy", size=1) == [first.pk]
