"""Writes to the search index: the stored, weighted `Video.search_vector` (PostgreSQL only).

Triggers (feeds/migrations/0002_search_vector_triggers.py) recompute a video's vector whenever
its title, description or hashtags change, whichever code path changes them. This is for
reindexing by hand: after changing the document's definition, or after writing rows with the
triggers off (docs/search.md).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func, Subquery

from search.models import HISTORY_KEEP, SearchHistory, SearchPreference
from search.selectors import search_history_enabled
from videos.models import Video


def _search_document():
    # The one definition of the document lives in the database (the migration above).
    return Func(
        F("title"),
        F("description"),
        F("pk"),
        function="feeds_video_search_vector",
        output_field=SearchVectorField(),
    )


def video_search_vector_update(*, video_ids) -> int:
    """Recompute the stored search vector of these videos in one UPDATE (title A, hashtag
    names B, description C). Does nothing on SQLite, which searches the columns directly.
    Returns the number of rows updated."""
    ids = list(video_ids)
    if not ids or not settings.USING_POSTGRES:
        return 0
    return Video.objects.filter(pk__in=ids).update(search_vector=_search_document())


# --- search history (signed-in users only; docs/search.md) ---------------------------------
def search_history_record(*, user, query: str) -> None:
    """Remember `query` as the user's latest search (if history is on for them); keeps the
    last HISTORY_KEEP."""
    query = " ".join(query.split())[:200]
    if not query or not search_history_enabled(user=user):
        return
    # Delete and insert (not update-or-create): the same queries whether or not it was
    # there, and then one DELETE trims to the newest HISTORY_KEEP.
    SearchHistory.objects.filter(user=user, query=query).delete()
    SearchHistory.objects.create(user=user, query=query)
    stale = SearchHistory.objects.filter(user=user).order_by("-searched_at", "-pk")[HISTORY_KEEP:]
    SearchHistory.objects.filter(pk__in=Subquery(stale.values("pk"))).delete()


def search_history_clear(*, user) -> int:
    """Forget all of the user's recent searches; returns how many."""
    deleted, _per_model = SearchHistory.objects.filter(user=user).delete()
    return deleted


def search_history_set_enabled(*, user, enabled: bool) -> None:
    """Turn the user's own search history on or off; off also forgets what was kept."""
    SearchPreference.objects.update_or_create(user=user, defaults={"history_enabled": enabled})
    if not enabled:
        search_history_clear(user=user)
