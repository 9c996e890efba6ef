"""Search on the embedded default (SQLite): the FTS5 trigram index behind the same search
service as PostgreSQL's, kept current by triggers, with the results of the likely word for typos."""

import pytest
from django.conf import settings
from django.db import connection

from search import selectors as search
from tests.factories import described_video
from videos import services
from videos.models import Video

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(settings.USING_POSTGRES, reason="the SQLite index (PostgreSQL has its own)"),
]


def found(query):
    return [video.pk for video in search.search_videos(query=query).items]


def indexed(video_pk):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title, hashtags, description FROM search_video_fts WHERE rowid = %s",
            [video_pk],
        )
        return cursor.fetchone()


def test_a_typo_finds_what_was_meant_on_sqlite(client, alice):
    video = described_video(alice, title="Sunset over the bay", description="golden #sunset")

    assert found("sunst") == []
    assert search.search_did_you_mean(query="sunst") == "sunset"
    assert found("sunset") == [video.pk]
    page = client.get("/search?q=sunst").content.decode()
    assert "showing results for <strong>sunset</strong>" in page
    assert f"/v/{video.short_id}" in page
    assert 'href="/search?q=sunst&amp;exact=True"' in page  # "Search only for “sunst”"
    exact = client.get("/search?q=sunst&exact=True").content.decode()
    assert "Did you mean:" in exact and 'href="/search?q=sunset"' in exact
    assert f"/v/{video.short_id}" not in exact


def test_part_of_a_word_finds_it_anywhere_in_title_hashtags_or_description(alice):
    in_title = described_video(alice, title="Skateboarding at dawn")
    in_hashtag = described_video(alice, title="Morning", description="#skatepark")
    described_video(alice, title="Nothing to see")

    assert set(found("skate")) == {in_title.pk, in_hashtag.pk}
    assert found("boarding") == [in_title.pk]
    assert found("SKATEB") == [in_title.pk]  # any case


def test_only_public_videos_are_suggested(alice):
    described_video(alice, title="Secret kittens", visibility=Video.Visibility.PRIVATE)

    assert search.search_did_you_mean(query="kitens") is None


def test_the_index_follows_every_write(alice):
    video = described_video(alice, title="First title", description="#cats")
    assert indexed(video.pk) == ("First title", "cats", "#cats")

    services.video_update(
        video=video, by=alice, title="Second title", description="now #dogs",
        visibility=video.visibility, comments_enabled=True,
    )  # fmt: skip
    assert indexed(video.pk) == ("Second title", "dogs", "now #dogs")
    assert found("second") == [video.pk] and found("first") == []
    assert found("dogs") == [video.pk] and found("cats") == []

    # Rows written around the services (bulk inserts, raw SQL) are indexed too.
    Video.objects.filter(pk=video.pk).update(title="Third title")
    assert found("third") == [video.pk]

    pk = video.pk
    video.delete()
    assert indexed(pk) is None
