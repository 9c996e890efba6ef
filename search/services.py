"""Writes to the search index: the stored, weighted `Video.search_vector` (PostgreSQL only).

Triggers (feeds/migrations/0002_search_vector_triggers.py) recompute a video's vector whenever
its title, description or hashtags change, whichever code path changes them. This is for
reindexing by hand: after changing the document's definition, or after writing rows with the
triggers off (docs/search.md).
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func

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
