"""Reads of the feeds: For You, Following, Trending, Latest, a hashtag, a creator.

Every feed pages with a signed cursor instead of page numbers. Time-ordered feeds use keyset
pagination on (published_at, id): a new video never shifts later pages, so nothing repeats or
goes missing while people upload, and a deep page costs what the first does. For You blends
several streams and remembers what it has served, so it never repeats either.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet

from core.cursors import decode_cursor, encode_cursor
from videos.models import Video
from videos.selectors import published_since, videos_public

MAX_PAGE_SIZE = 50
# For You remembers this many served ids in its cursor; past that it may show one again.
FOR_YOU_MEMORY = 400


@dataclass(frozen=True)
class FeedPage:
    videos: list[Video]
    next_cursor: str | None
    extra: dict = field(default_factory=dict)

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def page_size(size: int | None) -> int:
    """The number of cards on a feed page: `size` if given, else FEED_PAGE_SIZE (a setting)."""
    return max(1, min(size or settings.FEED_PAGE_SIZE, MAX_PAGE_SIZE))


def _card_queryset(queryset: QuerySet) -> QuerySet:
    # Everything a card shows comes from the video row and its owner: one query per page.
    return queryset.select_related("owner").defer("search_vector", "description")


def _keyset_by_time(feed: str, queryset: QuerySet, cursor: str | None, size: int) -> FeedPage:
    position = decode_cursor(feed, cursor)
    if position is not None:
        published = datetime.fromisoformat(position["t"])
        queryset = queryset.filter(
            Q(published_at__lt=published) | Q(published_at=published, pk__lt=position["id"])
        )
    rows = list(_card_queryset(queryset).order_by("-published_at", "-pk")[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor(feed, {"t": last.published_at.isoformat(), "id": last.pk})
    return FeedPage(rows, next_cursor)


def feed_latest(*, cursor: str | None = None, date_filter: str | None = None,
                size: int | None = None) -> FeedPage:  # fmt: skip
    """Every public video, newest first."""
    size = page_size(size)
    queryset = videos_public()
    if since := published_since(date_filter):
        queryset = queryset.filter(published_at__gte=since)
    return _keyset_by_time(f"latest:{date_filter or ''}", queryset, cursor, size)


def feed_creator(*, creator, cursor: str | None = None, size: int | None = None) -> FeedPage:
    """A creator's public videos, newest first (their profile)."""
    size = page_size(size)
    return _keyset_by_time(
        f"creator:{creator.pk}", videos_public().filter(owner=creator), cursor, size
    )


def feed_hashtag(*, name: str, cursor: str | None = None, date_filter: str | None = None,
                 size: int | None = None) -> FeedPage:  # fmt: skip
    """Public videos with a hashtag, newest first."""
    size = page_size(size)
    queryset = videos_public().filter(hashtags__name=name.lower())
    if since := published_since(date_filter):
        queryset = queryset.filter(published_at__gte=since)
    return _keyset_by_time(f"tag:{name.lower()}:{date_filter or ''}", queryset, cursor, size)


def feed_following(*, user, cursor: str | None = None, size: int | None = None) -> FeedPage:
    """Public videos of the creators a user follows, newest first."""
    size = page_size(size)
    from social.models import Follow

    followees = Follow.objects.filter(follower=user).values("followee_id")
    return _keyset_by_time(
        f"following:{user.pk}", videos_public().filter(owner__in=followees), cursor, size
    )


def feed_trending(*, cursor: str | None = None, date_filter: str | None = None,
                  size: int | None = None) -> FeedPage:  # fmt: skip
    """Public videos by their stored trending score (recomputed periodically)."""
    size = page_size(size)
    feed = f"trending:{date_filter or ''}"
    queryset = videos_public().filter(trending_score__gt=0)
    if since := published_since(date_filter):
        queryset = queryset.filter(published_at__gte=since)
    position = decode_cursor(feed, cursor)
    if position is not None:
        queryset = queryset.filter(
            Q(trending_score__lt=position["s"])
            | Q(trending_score=position["s"], pk__lt=position["id"])
        )
    rows = list(_card_queryset(queryset).order_by("-trending_score", "-pk")[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(feed, {"s": rows[-1].trending_score, "id": rows[-1].pk})
    return FeedPage(rows, next_cursor)


def feed_for_you(*, user, cursor: str | None = None, size: int | None = None) -> FeedPage:
    """The home feed: what this viewer is likely to enjoy, served by the recommender.

    The recommender (``recommendations.selectors.for_you_page``) ranks the model's picks,
    followed creators, trending and fresh videos, with a fallback to trending and fresh
    videos when no model is available. Never the viewer's own videos, and never a video
    this feed already served in this scroll (the cursor carries those ids, and the
    creators of the last few, for the per-creator cap across pages).
    """
    from recommendations.selectors import DIVERSITY_WINDOW, for_you_page

    size = page_size(size)
    position = decode_cursor("for-you", cursor) or {}
    served = list(position.get("seen", []))
    creators = list(position.get("c", []))
    page = for_you_page(user=user, served=served, recent_creators=creators, size=size)
    served = (served + [video.pk for video in page.videos])[-FOR_YOU_MEMORY:]
    creators = (creators + [video.owner_id for video in page.videos])[-(DIVERSITY_WINDOW - 1) :]
    next_cursor = (
        encode_cursor("for-you", {"seen": served, "c": creators}) if page.has_more else None
    )
    return FeedPage(
        page.videos, next_cursor, extra={"source": page.source, "cold_start": page.cold_start}
    )
