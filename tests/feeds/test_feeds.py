"""The feeds: ordering, cursor pagination without gaps or repeats, filters, For You's blend,
Following, hashtags, the infinite-scroll fragments, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.cursors import InvalidCursor, encode_cursor
from feeds import selectors
from feeds.services import trending_recompute, trending_score
from tests.factories import UserFactory, published_video
from videos.models import Video
from videos.services import _set_description_links

pytestmark = pytest.mark.django_db


def make_videos(owner, count, *, start=None, **fields):
    start = start or timezone.now() - timedelta(hours=count)
    return [
        published_video(
            owner, title=f"Clip {n}", published_at=start + timedelta(minutes=n), **fields
        )
        for n in range(count)
    ]


def page_through(load, size):
    seen, cursor = [], None
    while True:
        page = load(cursor, size)
        seen += [video.pk for video in page.videos]
        if not page.has_more:
            return seen
        cursor = page.next_cursor


def test_latest_is_newest_first_and_pages_without_gaps_or_repeats(alice):
    videos = make_videos(alice, 23)

    seen = page_through(lambda c, s: selectors.feed_latest(cursor=c, size=s), 5)

    assert seen == [v.pk for v in reversed(videos)]


def test_new_uploads_while_scrolling_never_shift_later_pages(alice, bob):
    videos = make_videos(alice, 12)
    first = selectors.feed_latest(size=5)
    make_videos(bob, 4, start=timezone.now())  # published while the viewer scrolls
    second = selectors.feed_latest(cursor=first.next_cursor, size=5)
    make_videos(bob, 4, start=timezone.now() + timedelta(hours=1))
    third = selectors.feed_latest(cursor=second.next_cursor, size=5)

    served = [v.pk for page in (first, second, third) for v in page.videos]
    assert served == [v.pk for v in reversed(videos)]


def test_ties_in_time_are_broken_by_id(alice):
    moment = timezone.now() - timedelta(hours=1)
    videos = [published_video(alice, published_at=moment) for _ in range(7)]

    seen = page_through(lambda c, s: selectors.feed_latest(cursor=c, size=s), 3)

    assert seen == sorted((v.pk for v in videos), reverse=True)


def test_hidden_videos_never_appear(alice):
    shown = published_video(alice)
    published_video(alice, visibility=Video.Visibility.PRIVATE)
    published_video(alice, visibility=Video.Visibility.UNLISTED)
    published_video(alice, published_at=None)
    published_video(alice, status=Video.Status.PROCESSING)

    assert [v.pk for v in selectors.feed_latest().videos] == [shown.pk]
    assert [v.pk for v in selectors.feed_for_you(user=UserFactory()).videos] == [shown.pk]


def test_date_filter(alice):
    now = timezone.now()
    today = published_video(alice, published_at=now - timedelta(hours=2))
    this_week = published_video(alice, published_at=now - timedelta(days=3))
    old = published_video(alice, published_at=now - timedelta(days=400))

    def ids(date):
        return {v.pk for v in selectors.feed_latest(date_filter=date).videos}

    assert ids("today") == {today.pk}
    assert ids("week") == {today.pk, this_week.pk}
    assert ids("year") == {today.pk, this_week.pk}
    assert ids(None) == {today.pk, this_week.pk, old.pk}


@pytest.mark.parametrize(
    "cursor", ["garbage", "a" * 5000, encode_cursor("trending:", {"s": 1, "id": 1})]
)
def test_tampered_or_foreign_cursors_are_refused(alice, cursor):
    with pytest.raises(InvalidCursor):
        selectors.feed_latest(cursor=cursor)


def test_a_bad_cursor_in_the_url_shows_the_start_with_a_note(client, alice):
    make_videos(alice, 3)

    response = client.get("/latest?cursor=tampered")

    assert response.status_code == 200
    page = response.content.decode()
    assert "That link to a later page is not valid any more" in page
    assert page.count('class="video-card"') == 3


def test_trending_score_rewards_engagement_and_decays_with_age():
    base = {"views": 100, "likes": 10, "comments": 2, "completion_rate": 0.5, "age_hours": 5}

    assert trending_score(**base) > 0
    assert trending_score(**{**base, "likes": 20}) > trending_score(**base)
    assert trending_score(**{**base, "comments": 4}) > trending_score(**{**base, "likes": 12})
    assert trending_score(**{**base, "completion_rate": 1.0}) > trending_score(**base)
    assert trending_score(**{**base, "age_hours": 48}) < trending_score(**base)
    assert trending_score(**{**base, "views": 0, "likes": 0, "comments": 0}) == 0


def test_trending_is_recomputed_into_the_stored_column_and_ordered_by_it(alice):
    now = timezone.now()
    hot = published_video(alice, published_at=now - timedelta(hours=3), like_count=50)
    warm = published_video(alice, published_at=now - timedelta(hours=3), like_count=5)
    old_hit = published_video(alice, published_at=now - timedelta(days=20), like_count=500)
    unseen = published_video(alice, published_at=now - timedelta(hours=1))
    private = published_video(
        alice, like_count=900, visibility=Video.Visibility.PRIVATE, trending_score=99
    )

    trending_recompute(now=now)

    assert [v.pk for v in selectors.feed_trending().videos] == [hot.pk, warm.pk, old_hit.pk]
    unseen.refresh_from_db()
    private.refresh_from_db()
    assert unseen.trending_score == 0
    assert private.trending_score == 0


def test_for_you_blends_trending_and_fresh_without_repeats_or_own_videos(alice, bob):
    now = timezone.now()
    trending = [
        published_video(alice, like_count=100 - n, published_at=now - timedelta(days=2))
        for n in range(10)
    ]
    fresh = [published_video(alice, published_at=now - timedelta(minutes=n)) for n in range(10)]
    own = published_video(bob, like_count=1000)
    trending_recompute(now=now)

    seen = page_through(lambda c, s: selectors.feed_for_you(user=bob, cursor=c, size=s), 6)

    assert sorted(seen) == sorted(v.pk for v in trending + fresh)
    assert own.pk not in seen
    first_page = seen[:6]
    assert sum(pk in {v.pk for v in fresh} for pk in first_page) == 2  # one in three is fresh


def test_following_shows_only_followed_creators(client, alice, bob, carol):
    from social.models import Follow

    followed = published_video(alice)
    published_video(carol)
    Follow.objects.create(follower=bob, followee=alice)
    client.force_login(bob)

    page = client.get("/following").content.decode()

    assert f"/v/{followed.short_id}" in page
    assert page.count('class="video-card"') == 1


def test_following_empty_state_suggests_creators(client, bob, alice):
    published_video(alice, like_count=5)
    client.force_login(bob)

    page = client.get("/following").content.decode()

    assert "Videos from the creators you follow show up here." in page
    assert 'href="/@alice"' in page


def test_following_needs_login(client):
    assert client.get("/following").status_code == 302


def test_hashtag_feed_pages_and_unknown_tags(client, alice):
    videos = make_videos(alice, 15, description="#cats")
    for video in videos:
        _set_description_links(video)

    first = client.get("/tag/Cats")
    assert first.content.decode().count('class="video-card"') == 12
    assert "#cats" in first.content.decode()
    empty = client.get("/tag/nosuchtag").content.decode()
    assert "No public videos with #nosuchtag yet." in empty


def test_infinite_scroll_fragment_and_plain_next_link(client, alice):
    make_videos(alice, 15)
    first = client.get("/latest").content.decode()
    next_url = first.split('class="feed-more button" href="', 1)[1].split('"', 1)[0]
    next_url = next_url.replace("&amp;", "&")

    plain = client.get(next_url)
    fragment = client.get(next_url, HTTP_HX_REQUEST="true")

    assert "<html" in plain.content.decode()
    assert plain.content.decode().count('class="video-card"') == 3
    body = fragment.content.decode()
    assert "<html" not in body
    assert body.count('class="video-card"') == 3
    assert "feed-more" not in body  # the end
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]


def test_watch_mode_renders_players_that_the_feed_controls(client, alice):
    make_videos(alice, 2)

    page = client.get("/latest?view=watch").content.decode()

    assert page.count('class="watch-item"') == 2
    assert page.count('data-autoplay="feed"') == 2
    assert 'preload="none"' in page
    assert "document.currentScript" not in page  # no inline autoplay in a feed
    assert "js/feed.js" in page


@pytest.mark.parametrize("path", ["/", "/latest", "/trending", "/tag/cats"])
def test_a_feed_page_costs_the_same_queries_whatever_its_size(client, alice, bob, path):
    client.force_login(bob)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def add(count):
        for video in make_videos(UserFactory(), count, description="#cats", like_count=3):
            _set_description_links(video)
        trending_recompute()

    add(2)
    few = count_queries()
    add(10)
    many = count_queries()

    assert few == many
