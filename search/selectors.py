"""Search reads: videos (titles, hashtags, descriptions), creators, suggestions.

On PostgreSQL, videos are found through the stored, weighted `Video.search_vector` (title A,
hashtags B, description C; GIN-indexed; kept up to date by database triggers, see
feeds/migrations/0002_search_vector_triggers.py, and reindexed by hand with search/services.py)
and ranked with `SearchRank`; typos are caught with pg_trgm ("did you mean"). On SQLite (the
embedded default) the same selectors fall back to case-insensitive `icontains` matching with a
simple score that keeps the same order of fields.
Either way only `videos_public()` is searched and only active users are creators.

Queries are never passed to the database as syntax: they are split into word terms first, so
punctuation, quotes and SQL-ish input can only ever match (or not match) as words.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import hidden_user_ids, users_in_good_standing_q
from core.cache_versions import PUBLIC_VIDEOS, cache_version
from core.metrics import cache_read
from search.highlight import TERM_RE, highlight, snippet
from search.models import SearchHistory, SearchPreference
from videos.models import Hashtag
from videos.selectors import published_since, videos_for_viewer, videos_public

# The text search configuration of the stored vectors and of every query. "simple" does no
# stemming and knows no stop words, so it treats English, Spanish and Arabic alike; prefix
# matching (`term:*`) makes "danc" find "dancing". Changing it means a new backfill. (The
# triggers' migration calls this feeds.search.SEARCH_CONFIG, where it lived before.)
SEARCH_CONFIG = "simple"
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MAX_TERM_LENGTH = 50
VIDEO_PAGE_SIZE = 24
CREATOR_PAGE_SIZE = 20
# Deeper than this is not browsing but scraping; the page says "no more results".
MAX_PAGE = 200
SUGGEST_MIN_LENGTH = 2
# pg_trgm similarity above which a word counts as "what you probably meant".
TYPO_SIMILARITY = 0.3

SORTS = ("relevance", "newest", "liked")

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ParsedQuery:
    """What a search box's text means: the cleaned text and the word terms in it."""

    text: str
    terms: tuple[str, ...]
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.terms


def parse_query(raw: str | None) -> ParsedQuery:
    """Clean what someone typed: no control characters (PostgreSQL refuses NUL), collapsed
    spaces, at most MAX_QUERY_LENGTH characters, and at most MAX_TERMS lower-cased word terms
    (punctuation, `#` and `@` only separate words)."""
    text = " ".join(_CONTROL_RE.sub(" ", raw or "").split())
    truncated = len(text) > MAX_QUERY_LENGTH
    if truncated:
        text = text[:MAX_QUERY_LENGTH].rstrip()
    terms = []
    for match in TERM_RE.findall(text):
        term = match.strip("_").lower()[:MAX_TERM_LENGTH]
        if term and term not in terms:
            terms.append(term)
    return ParsedQuery(text=text, terms=tuple(terms[:MAX_TERMS]), truncated=truncated)


@dataclass
class SearchPage:
    """One page of results; `page` past the end simply has no items."""

    items: list
    query: ParsedQuery
    page: int = 1
    has_next: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def previous_page(self) -> int | None:
        # Past the end, "previous" leads back to the first page rather than to another void.
        if not self.has_previous:
            return None
        return self.page - 1 if self.items else 1


def _using_postgres() -> bool:
    return settings.USING_POSTGRES


# --- videos -----------------------------------------------------------------------------------
def _tsquery(parsed: ParsedQuery) -> SearchQuery:
    # Every term is a run of word characters, so none of to_tsquery's operators can get in;
    # the quotes are belt and braces. All terms must match, each as a word prefix.
    raw = " & ".join(f"'{term}':*" for term in parsed.terms)
    return SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)


FTS_IDS = "SELECT rowid FROM search_video_fts WHERE search_video_fts MATCH %s"


def _fts_phrase(text: str) -> str:
    # A quoted FTS5 string: with the trigram tokenizer it matches `text` anywhere, any case.
    return '"' + text.replace('"', '""') + '"'


def _hashtag_matches(term: str):
    return Exists(Hashtag.objects.filter(videos=OuterRef("pk"), name__icontains=term).values("pk"))


def _videos_matching(parsed: ParsedQuery, viewer=None, *, base=None):
    queryset = base if base is not None else videos_for_viewer(user=viewer)
    if _using_postgres():
        query = _tsquery(parsed)
        return queryset.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
    # SQLite: every term must appear somewhere — found through the FTS5 trigram index
    # (search/migrations/0002_sqlite_fts5_trigram.py) for terms of 3 characters or more; a
    # term in the title scores 4, in a hashtag 2, in the description 1, the same order of
    # fields as the weights on PostgreSQL.
    score = Value(0)
    long_terms = [term for term in parsed.terms if len(term) >= 3]
    if long_terms:
        match = " AND ".join(_fts_phrase(term) for term in long_terms)
        # A constant query; the match text is a parameter.
        queryset = queryset.filter(pk__in=RawSQL(FTS_IDS, [match]))  # noqa: S611  # nosec B611
    for term in parsed.terms:
        in_hashtag = _hashtag_matches(term)
        if len(term) < 3:
            queryset = queryset.filter(
                Q(title__icontains=term) | Q(description__icontains=term) | in_hashtag
            )
        for condition, points in (
            (Q(title__icontains=term), 4),
            (in_hashtag, 2),
            (Q(description__icontains=term), 1),
        ):
            score = score + Case(
                When(condition, then=Value(points)), default=Value(0), output_field=IntegerField()
            )
    return queryset.annotate(rank=score)


_VIDEO_ORDER = {
    # Relevance first; equally relevant videos go by popularity, then recency.
    "relevance": ("-rank", "-like_count", "-view_count", "-published_at", "-pk"),
    "newest": ("-published_at", "-pk"),
    "liked": ("-like_count", "-view_count", "-published_at", "-pk"),
}


def _page_number(page) -> int:
    try:
        number = int(page)
    except (TypeError, ValueError):
        return 1
    return max(1, number)


def _slice(queryset, page: int, size: int) -> tuple[list, bool]:
    if page > MAX_PAGE:
        return [], False
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    return rows[:size], len(rows) > size


def _result_ids(parsed: ParsedQuery, date_filter: str, sort: str, page: int, size: int,
                now: datetime | None, base) -> tuple[list[int], bool]:  # fmt: skip
    """The ids of one page of results, best first, and whether there is a next page.

    Ranking reads only the matching rows' ids and sort columns (no owner join, no wide
    columns), sorts and stops at the page: the cards are fetched by id afterwards."""
    queryset = _videos_matching(parsed, base=base)
    if since := published_since(date_filter, now=now):
        queryset = queryset.filter(published_at__gte=since)
    order = _VIDEO_ORDER.get(sort, _VIDEO_ORDER["relevance"])
    return _slice(queryset.order_by(*order).values_list("pk", flat=True), page, size)


def _result_ids_key(parsed: ParsedQuery, date_filter: str, sort: str, page: int,
                    size: int, hidden: list[int]) -> str:  # fmt: skip
    # The normalised query: its terms, in order (parse_query lower-cases and de-duplicates).
    text = "\x1f".join(parsed.terms)
    sort = sort if sort in _VIDEO_ORDER else "relevance"
    digest = hashlib.sha1(
        # The people the viewer hides (blocks, mutes) change the ranking: part of the key.
        f"{text}|{date_filter}|{sort}|{page}|{size}|{hidden}".encode(),
        usedforsecurity=False,
    ).hexdigest()
    return f"search:ids:{cache_version(PUBLIC_VIDEOS)}:{digest}"


def search_videos(
    *,
    query: str,
    date_filter: str = "",
    sort: str = "relevance",
    page: int = 1,
    size: int = VIDEO_PAGE_SIZE,
    now: datetime | None = None,
    viewer=None,
    highlighted: bool = True,
) -> SearchPage:
    """Public videos matching a query, a page at a time, each with `title_highlighted` and
    `snippet` (a highlighted piece of the description, when the description matched) unless
    `highlighted` is False (for callers that do not show them).

    `date_filter` is "", "today", "week", "month" or "year" (rolling windows); `sort` is
    "relevance", "newest" or "liked". Unknown values fall back to the defaults.

    The ids of a page are cached for SEARCH_CACHE_SECONDS per normalised query (terms, date
    filter, sort, page), under the PUBLIC_VIDEOS version that publishing and removing videos
    bump; the cards themselves are read fresh (one query by id, through `videos_public`), so a
    video that stopped being public never shows, even from a cached page.
    """
    parsed = parse_query(query)
    page = _page_number(page)
    if parsed.is_empty:
        return SearchPage(items=[], query=parsed, page=page)
    hidden = sorted(hidden_user_ids(viewer=viewer))
    base = videos_public().exclude(owner_id__in=hidden) if hidden else videos_public()
    if now is None and settings.SEARCH_CACHE_SECONDS:
        key = _result_ids_key(parsed, date_filter, sort, page, size, hidden)
        cached = cache.get(key)
        cache_read("search_ids", cached is not None)
        if cached is None:
            cached = _result_ids(parsed, date_filter, sort, page, size, now, base)
            cache.set(key, cached, settings.SEARCH_CACHE_SECONDS)
        ids, has_next = cached
    else:
        ids, has_next = _result_ids(parsed, date_filter, sort, page, size, now, base)
    cards = base.filter(pk__in=ids).select_related("owner")
    by_pk = {video.pk: video for video in cards.defer("search_vector", "poster_inline")}
    videos = [by_pk[pk] for pk in ids if pk in by_pk]
    if highlighted:
        for video in videos:
            video.title_highlighted = highlight(video.title, parsed.terms)
            video.snippet = snippet(video.description, parsed.terms)
    return SearchPage(items=videos, query=parsed, page=page, has_next=has_next)


# --- creators ---------------------------------------------------------------------------------
def _public_video_count():
    return Coalesce(
        Subquery(
            videos_public()
            .filter(owner=OuterRef("pk"))
            .order_by()
            .values("owner")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )


def _creators(viewer=None):
    """Accounts that may be found: active, not suspended, nobody the viewer blocked, muted or
    was blocked by."""
    people = User.objects.filter(users_in_good_standing_q())
    hidden = hidden_user_ids(viewer=viewer)
    return people.exclude(pk__in=hidden) if hidden else people


def search_creators(
    *, query: str, page: int = 1, size: int = CREATOR_PAGE_SIZE, viewer=None
) -> SearchPage:
    """Active users whose username or display name contains every term (on PostgreSQL also a
    username within a typo of the query), best match first: the exact username, then usernames
    starting with the query, then those with more public videos. Each has `name_highlighted`,
    `username_highlighted` and `public_video_count`."""
    parsed = parse_query(query)
    page = _page_number(page)
    if parsed.is_empty:
        return SearchPage(items=[], query=parsed, page=page)
    matches = Q()
    for term in parsed.terms:
        matches &= Q(username__icontains=term) | Q(display_name__icontains=term)
    first = parsed.terms[0]
    if _using_postgres() and len(parsed.terms) == 1 and len(first) >= 3:
        matches |= Q(username__trigram_similar=first)
    queryset = (
        _creators(viewer)
        .filter(matches)
        .annotate(
            closeness=Case(
                When(username__iexact=first, then=Value(2)),
                When(username__istartswith=first, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            public_video_count=_public_video_count(),
        )
        .order_by("-closeness", "-public_video_count", "username")
    )
    creators, has_next = _slice(queryset, page, size)
    for creator in creators:
        creator.name_highlighted = highlight(creator.name, parsed.terms)
        creator.username_highlighted = highlight(creator.username, parsed.terms)
    return SearchPage(items=creators, query=parsed, page=page, has_next=has_next)


# --- suggestions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    """One autocomplete option: what it is, what it shows, what it searches for (`value`)
    and, for a creator, the page it leads to (`url`)."""

    kind: str  # "hashtag", "creator", "video" or "recent" (a search of the user's history)
    label: str
    value: str
    url: str = ""
    label_highlighted: SafeString = field(default_factory=lambda: SafeString(""))

    @property
    def kind_label(self) -> str:
        return str(_KIND_LABELS[self.kind])


_KIND_LABELS = {
    "hashtag": _("Hashtag"),
    "creator": _("Creator"),
    "video": _("Video"),
    "recent": _("Recent search"),
}


def recent_search_suggestions(*, queries) -> list[Suggestion]:
    """The user's recent searches (newest first) as the options of an empty search box."""
    return [
        Suggestion(kind="recent", label=query, value=query, label_highlighted=escape(query))
        for query in queries
    ]


def _public_hashtags():
    return Hashtag.objects.filter(Exists(videos_public().filter(hashtags=OuterRef("pk"))))


def search_suggestions(*, query: str, limit: int = 8, viewer=None) -> list[Suggestion]:
    """Autocomplete options for what has been typed so far: hashtags (of public videos) and
    creators starting with the last word, and public video titles containing the text. A
    leading `#` asks for hashtags only, `@` for creators only. Prefix matching works on both
    databases; on PostgreSQL near-misses (a typo) fill any room left."""
    parsed = parse_query(query)
    if parsed.is_empty or len(parsed.text) < SUGGEST_MIN_LENGTH:
        return []
    text = parsed.text.lstrip("#@ ")
    last = parsed.terms[-1]
    wants = {"hashtag", "creator", "video"}
    if parsed.text.startswith("#"):
        wants = {"hashtag"}
    elif parsed.text.startswith("@"):
        wants = {"creator"}
    share = max(1, limit // len(wants))
    found: list[Suggestion] = []

    if "hashtag" in wants:
        tags = list(_public_hashtags().filter(name__startswith=last).order_by("name")[:share])
        if _using_postgres() and len(tags) < share and len(last) >= 3:
            tags += list(
                _public_hashtags()
                .filter(name__trigram_similar=last)
                .exclude(pk__in=[tag.pk for tag in tags])
                .annotate(similarity=TrigramSimilarity("name", last))
                .order_by("-similarity", "name")[: share - len(tags)]
            )
        found += [
            Suggestion(
                kind="hashtag",
                label=f"#{tag.name}",
                value=f"#{tag.name}",
                label_highlighted=highlight(f"#{tag.name}", (last,)),
            )
            for tag in tags
        ]
    if "creator" in wants:
        people = list(
            _creators(viewer)
            .filter(Q(username__istartswith=last) | Q(display_name__istartswith=text))
            .order_by("username")[:share]
        )
        if _using_postgres() and len(people) < share and len(last) >= 3:
            people += list(
                _creators(viewer)
                .filter(username__trigram_similar=last)
                .exclude(pk__in=[person.pk for person in people])
                .annotate(similarity=TrigramSimilarity("username", last))
                .order_by("-similarity", "username")[: share - len(people)]
            )
        found += [
            Suggestion(
                kind="creator",
                label=f"{person.name} (@{person.username})",
                value=f"@{person.username}",
                url=reverse("accounts:profile", args=[person.username]),
                label_highlighted=highlight(f"{person.name} (@{person.username})", parsed.terms),
            )
            for person in people
        ]
    if "video" in wants:
        room = max(limit - len(found), 0)
        titles = (
            videos_for_viewer(user=viewer)
            .filter(title__icontains=text)
            .order_by("-like_count", "-view_count", "-published_at")
            .values_list("title", flat=True)[: room * 2]
        )
        seen = set()
        for title in titles:
            if title.lower() in seen or len(seen) >= room:
                continue
            seen.add(title.lower())
            found.append(
                Suggestion(
                    kind="video",
                    label=title,
                    value=title,
                    label_highlighted=highlight(title, parsed.terms),
                )
            )
    return found[:limit]


def _trigrams(word: str) -> set[str]:
    # pg_trgm's notion: the word padded with two spaces before and one after.
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similarity(a: str, b: str) -> float:
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def _closest_word(term: str, viewer=None) -> tuple[str, float] | None:
    """The known word most like `term`: a hashtag of a video the viewer may find, the
    username of a creator they may find or a word of such a video's title, by trigram
    similarity (pg_trgm's GIN indexes). The same visibility rule as the search itself."""
    findable = videos_for_viewer(user=viewer)
    candidates: list[tuple[str, float]] = []
    for name, score in (
        Hashtag.objects.filter(Exists(findable.filter(hashtags=OuterRef("pk"))))
        .filter(name__trigram_similar=term)
        .annotate(similarity=TrigramSimilarity("name", term))
        .order_by("-similarity")
        .values_list("name", "similarity")[:3]
    ):
        candidates.append((name, score))
    for name, score in (
        _creators(viewer)
        .filter(username__trigram_similar=term)
        .annotate(similarity=TrigramSimilarity("username", term))
        .order_by("-similarity")
        .values_list("username", "similarity")[:3]
    ):
        candidates.append((name.lower(), score))
    for title in findable.filter(title__trigram_word_similar=term).values_list("title", flat=True)[
        :10
    ]:
        for word in TERM_RE.findall(title.lower()):
            candidates.append((word, _similarity(term, word)))
    candidates = [(word, score) for word, score in candidates if score >= TYPO_SIMILARITY]
    if not candidates:
        return None
    return max(candidates, key=lambda pair: (pair[1], -abs(len(pair[0]) - len(term))))


def _closest_word_sqlite(term: str, viewer=None) -> tuple[str, float] | None:
    """The word of a video's title or hashtags most like `term`, by the same trigram
    similarity as pg_trgm, among the videos the viewer may find that share the most
    trigrams with it (FTS5). Which videos: the search's own rule (videos_for_viewer),
    compiled by the ORM into the query, so nothing removed, held, limited or hidden from the
    viewer lends its words."""
    grams = sorted({term[i : i + 3] for i in range(len(term) - 2)})
    if not grams:
        return None
    match = " OR ".join(_fts_phrase(gram) for gram in grams)
    findable, findable_params = videos_for_viewer(user=viewer).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # `findable` is SQL compiled by the ORM; every value stays a parameter.
        cursor.execute(
            "SELECT f.title, f.hashtags FROM search_video_fts f"  # noqa: S608  # nosec B608
            f" WHERE search_video_fts MATCH %s AND f.rowid IN ({findable})"
            " ORDER BY f.rank LIMIT 50",
            [match, *findable_params],
        )
        rows = cursor.fetchall()
    candidates = {
        word for title, hashtags in rows for word in TERM_RE.findall(f"{title} {hashtags}".lower())
    }
    scored = [(word, _similarity(term, word)) for word in candidates]
    scored = [(word, score) for word, score in scored if score >= TYPO_SIMILARITY]
    if not scored:
        return None
    return max(scored, key=lambda pair: (pair[1], -abs(len(pair[0]) - len(term))))


def search_did_you_mean(*, query: str, viewer=None) -> str | None:
    """A corrected query worth offering ("Did you mean …?") when a query finds nothing:
    each term replaced by the closest word the viewer could find, if that finds videos for
    them. PostgreSQL (pg_trgm) or the FTS5 trigram index (SQLite); None when nothing better
    is known."""
    parsed = parse_query(query)
    if parsed.is_empty:
        return None
    corrected, changed = [], False
    for term in parsed.terms:
        closest = _closest_word if _using_postgres() else _closest_word_sqlite
        best = closest(term, viewer) if len(term) >= 3 else None
        if best is not None and best[0] != term:
            corrected.append(best[0])
            changed = True
        else:
            corrected.append(term)
    if not changed:
        return None
    suggestion = " ".join(corrected)
    if not _videos_matching(parse_query(suggestion), viewer).exists():
        return None
    return suggestion


def popular_hashtags(*, limit: int = 8) -> list[str]:
    """The hashtags on the most public videos: something to try from an empty search."""
    rows = (
        videos_public()
        .filter(hashtags__isnull=False)
        .values("hashtags__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "hashtags__name")[:limit]
    )
    return [row["hashtags__name"] for row in rows]


# --- the viewer's own recent searches -------------------------------------------------------------
def search_history_enabled(*, user) -> bool:
    """Whether the user's searches are remembered: the site keeps history and they did not
    turn theirs off."""
    if not settings.SEARCH_HISTORY_ENABLED or not user.is_authenticated:
        return False
    preference = SearchPreference.objects.filter(user=user).first()
    return preference is None or preference.history_enabled


def search_history_of(*, user) -> list[str]:
    """The user's recent searches, newest first; none when their history is off."""
    if not search_history_enabled(user=user):
        return []
    return list(
        SearchHistory.objects.filter(user=user)
        .order_by("-searched_at", "-pk")
        .values_list("query", flat=True)
    )
