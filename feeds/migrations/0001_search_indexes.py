"""Search indexes, on PostgreSQL only: pg_trgm, a GIN index on the stored search vectors,
trigram GIN indexes for "did you mean" and autocomplete, and a backfill of the vectors.

Nothing here is model state, so `makemigrations --check` is the same on both databases, and
on SQLite (which searches with LIKE) this migration does nothing. See docs/search.md.
"""

from django.db import migrations

# Keep in step with feeds.search.video_search_vector_update and SEARCH_CONFIG.
BACKFILL = """
UPDATE videos_video AS v SET search_vector =
    setweight(to_tsvector('simple'::regconfig, COALESCE(v.title, '')), 'A')
    || setweight(to_tsvector('simple'::regconfig, COALESCE((
        SELECT string_agg(h.name, ' ' ORDER BY h.name)
        FROM videos_video_hashtags AS vh JOIN videos_hashtag AS h ON h.id = vh.hashtag_id
        WHERE vh.video_id = v.id
    ), '')), 'B')
    || setweight(to_tsvector('simple'::regconfig, COALESCE(v.description, '')), 'C')
"""

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS video_search_vector_gin ON videos_video USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS video_title_trgm ON videos_video USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS hashtag_name_trgm ON videos_hashtag USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS user_username_trgm ON accounts_user USING gin (username gin_trgm_ops)",
    BACKFILL,
]

# The extension stays: other code (or another app's index) may use it by then.
BACKWARD = [
    "DROP INDEX IF EXISTS user_username_trgm",
    "DROP INDEX IF EXISTS hashtag_name_trgm",
    "DROP INDEX IF EXISTS video_title_trgm",
    "DROP INDEX IF EXISTS video_search_vector_gin",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("videos", "0001_initial"),
        ("videos", "0002_poster_inline"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
