"""Search indexes, on PostgreSQL only: the pg_trgm extension, a GIN index on the stored search
vectors, and trigram GIN indexes for "did you mean" and autocomplete.

None of this is model state, so `makemigrations --check` is the same on both databases; on
SQLite (which searches with LIKE) every operation here does nothing. See docs/search.md.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS video_search_vector_gin ON videos_video USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS video_title_trgm ON videos_video USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS hashtag_name_trgm ON videos_hashtag USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS user_username_trgm ON accounts_user USING gin (username gin_trgm_ops)",
]

# The extension stays when going back: something else may use it by then.
BACKWARD = [
    "DROP INDEX IF EXISTS user_username_trgm",
    "DROP INDEX IF EXISTS hashtag_name_trgm",
    "DROP INDEX IF EXISTS video_title_trgm",
    "DROP INDEX IF EXISTS video_search_vector_gin",
]


def on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("videos", "0002_poster_inline"),
    ]

    operations = [
        # Does nothing on SQLite; on PostgreSQL 13+ a database owner may create it (trusted).
        TrigramExtension(),
        migrations.RunPython(on_postgres(FORWARD), on_postgres(BACKWARD), elidable=False),
    ]
