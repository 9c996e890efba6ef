"""Keep `videos.Video.search_vector` up to date in the database itself (PostgreSQL only), then
fill it in for the rows that exist.

Every write path changes a video's title, description or hashtags differently (the upload and
edit services, the moderation console, bulk inserts of the demo seeder, a renamed hashtag), so
the rule lives in triggers rather than in each of them:

- `feeds_video_search_vector(title, description, video_id)` is the one definition of the
  document: title (weight A), hashtag names (B), description (C), text search configuration
  "simple" (feeds.search.SEARCH_CONFIG). `<`, `>` and `&` become spaces first: titles are
  plain text, and PostgreSQL's parser would otherwise drop anything that looks like a tag.
- a row trigger recomputes it whenever an INSERT, or an UPDATE that sets title or
  description, reaches `videos_video` (a `.update(view_count=...)` does not pay for it);
- statement triggers on the hashtag links and a row trigger on hashtag renames recompute the
  videos concerned.

See docs/search.md for reindexing by hand.
"""

from django.db import migrations

FORWARD = [
    r"""
CREATE OR REPLACE FUNCTION feeds_video_search_vector(text, text, bigint)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT
        setweight(to_tsvector('simple'::regconfig, translate(coalesce($1, ''), '<>&', '   ')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce((
            SELECT string_agg(h.name, ' ' ORDER BY h.name)
            FROM videos_video_hashtags AS vh JOIN videos_hashtag AS h ON h.id = vh.hashtag_id
            WHERE vh.video_id = $3
        ), '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, translate(coalesce($2, ''), '<>&', '   ')), 'C')
$$
""",
    r"""
CREATE OR REPLACE FUNCTION feeds_video_search_vector_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := feeds_video_search_vector(NEW.title, NEW.description, NEW.id);
    RETURN NEW;
END
$$
""",
    r"""
CREATE OR REPLACE FUNCTION feeds_video_hashtags_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE videos_video AS v
    SET search_vector = feeds_video_search_vector(v.title, v.description, v.id)
    WHERE v.id IN (SELECT changed.video_id FROM changed);
    RETURN NULL;
END
$$
""",
    r"""
CREATE OR REPLACE FUNCTION feeds_hashtag_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE videos_video AS v
    SET search_vector = feeds_video_search_vector(v.title, v.description, v.id)
    WHERE v.id IN (SELECT vh.video_id FROM videos_video_hashtags AS vh WHERE vh.hashtag_id = NEW.id);
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER feeds_video_search_vector_insert BEFORE INSERT ON videos_video
FOR EACH ROW EXECUTE FUNCTION feeds_video_search_vector_row()
""",
    # A full save() sets every column, so it recomputes too; that is what keeps a stale
    # in-memory search_vector from ever being written back.
    """
CREATE TRIGGER feeds_video_search_vector_update BEFORE UPDATE OF title, description
ON videos_video FOR EACH ROW EXECUTE FUNCTION feeds_video_search_vector_row()
""",
    # PostgreSQL allows a transition table only on a trigger with one event: two triggers.
    """
CREATE TRIGGER feeds_video_hashtags_insert AFTER INSERT ON videos_video_hashtags
REFERENCING NEW TABLE AS changed
FOR EACH STATEMENT EXECUTE FUNCTION feeds_video_hashtags_changed()
""",
    """
CREATE TRIGGER feeds_video_hashtags_delete AFTER DELETE ON videos_video_hashtags
REFERENCING OLD TABLE AS changed
FOR EACH STATEMENT EXECUTE FUNCTION feeds_video_hashtags_changed()
""",
    """
CREATE TRIGGER feeds_hashtag_renamed AFTER UPDATE OF name ON videos_hashtag
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION feeds_hashtag_renamed()
""",
    # The backfill of the rows that exist.
    """
UPDATE videos_video AS v
SET search_vector = feeds_video_search_vector(v.title, v.description, v.id)
""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS feeds_hashtag_renamed ON videos_hashtag",
    "DROP TRIGGER IF EXISTS feeds_video_hashtags_delete ON videos_video_hashtags",
    "DROP TRIGGER IF EXISTS feeds_video_hashtags_insert ON videos_video_hashtags",
    "DROP TRIGGER IF EXISTS feeds_video_search_vector_update ON videos_video",
    "DROP TRIGGER IF EXISTS feeds_video_search_vector_insert ON videos_video",
    "DROP FUNCTION IF EXISTS feeds_hashtag_renamed()",
    "DROP FUNCTION IF EXISTS feeds_video_hashtags_changed()",
    "DROP FUNCTION IF EXISTS feeds_video_search_vector_row()",
    "DROP FUNCTION IF EXISTS feeds_video_search_vector(text, text, bigint)",
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
        ("feeds", "0001_search_indexes"),
        ("videos", "0002_poster_inline"),
    ]

    operations = [
        migrations.RunPython(on_postgres(FORWARD), on_postgres(BACKWARD), elidable=False),
    ]
