"""On SQLite (the embedded default): an FTS5 index of every video's title, hashtags and
description with the trigram tokenizer, kept current by triggers whichever code path writes
(services, bulk inserts, the admin, raw SQL). search.selectors uses it for matching and for
"Did you mean …?" on SQLite, as it uses the stored tsvector and pg_trgm on PostgreSQL.
Nothing happens on other databases."""

from django.db import migrations

# A video's hashtag names, space-separated (the same subquery in each trigger below).
CREATE = [
    "CREATE VIRTUAL TABLE search_video_fts USING fts5("
    "title, hashtags, description, tokenize = 'trigram')",
    "CREATE TRIGGER search_video_fts_insert AFTER INSERT ON videos_video BEGIN"
    " INSERT INTO search_video_fts(rowid, title, hashtags, description)"
    " VALUES (new.id, new.title,"
    " (SELECT coalesce(group_concat(h.name, ' '), '') FROM videos_hashtag h"
    " JOIN videos_video_hashtags vh ON vh.hashtag_id = h.id"
    " WHERE vh.video_id = new.id)"
    ", new.description); END",
    "CREATE TRIGGER search_video_fts_update AFTER UPDATE OF title, description ON videos_video"
    " BEGIN UPDATE search_video_fts SET title = new.title, description = new.description"
    " WHERE rowid = new.id; END",
    "CREATE TRIGGER search_video_fts_delete AFTER DELETE ON videos_video BEGIN"
    " DELETE FROM search_video_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER search_video_fts_tag_added AFTER INSERT ON videos_video_hashtags BEGIN"
    " UPDATE search_video_fts SET hashtags ="
    " (SELECT coalesce(group_concat(h.name, ' '), '') FROM videos_hashtag h"
    " JOIN videos_video_hashtags vh ON vh.hashtag_id = h.id"
    " WHERE vh.video_id = new.video_id)"
    " WHERE rowid = new.video_id; END",
    "CREATE TRIGGER search_video_fts_tag_removed AFTER DELETE ON videos_video_hashtags BEGIN"
    " UPDATE search_video_fts SET hashtags ="
    " (SELECT coalesce(group_concat(h.name, ' '), '') FROM videos_hashtag h"
    " JOIN videos_video_hashtags vh ON vh.hashtag_id = h.id"
    " WHERE vh.video_id = old.video_id)"
    " WHERE rowid = old.video_id; END",
    # What is there already.
    "INSERT INTO search_video_fts(rowid, title, hashtags, description) SELECT v.id, v.title,"
    " (SELECT coalesce(group_concat(h.name, ' '), '') FROM videos_hashtag h"
    " JOIN videos_video_hashtags vh ON vh.hashtag_id = h.id"
    " WHERE vh.video_id = v.id)"
    ", v.description FROM videos_video v",
]
DROP = [
    "DROP TRIGGER IF EXISTS search_video_fts_tag_removed",
    "DROP TRIGGER IF EXISTS search_video_fts_tag_added",
    "DROP TRIGGER IF EXISTS search_video_fts_delete",
    "DROP TRIGGER IF EXISTS search_video_fts_update",
    "DROP TRIGGER IF EXISTS search_video_fts_insert",
    "DROP TABLE IF EXISTS search_video_fts",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_history"), ("videos", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
