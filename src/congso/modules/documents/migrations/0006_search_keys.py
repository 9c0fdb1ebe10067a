"""The search's GIN index holds the year, the agency and the agency's path beside the words
(decision 0019); nothing on SQLite.

``documents_search_keys_gin`` on ``(year, agency_id, string_to_array(agency_path, '/'),
to_tsvector('simple', search_text))`` replaces ``documents_search_gin`` (migration 0002); the same
text condition uses it as before. With a key beside the words, the index reads only the part of
each word's list that the key's rows hold instead of all of it: a search over the whole city first
asks for the current year's matches (the rows of a year lie together: they are written in time
order), a search within one or a few agencies reads only theirs, and a leader's subtree is one key
(its root's id among the path's). A GIN index over integer columns needs ``btree_gin``, a contrib
extension shipped with PostgreSQL and marked trusted (the database's owner may create it). Built
CONCURRENTLY before the old index is dropped, so an upgrade neither locks the table for the build
nor leaves it without a text index.
"""

from django.db import migrations

INDEX = "documents_search_keys_gin"
OLD_INDEX = "documents_search_gin"
EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gin"
CREATE = (
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON documents_document "
    "USING gin (year, agency_id, string_to_array(agency_path, '/'), "
    "to_tsvector('simple'::regconfig, search_text))"
)
DROP = f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}"
CREATE_OLD = (
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD_INDEX} ON documents_document "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)
DROP_OLD = f"DROP INDEX CONCURRENTLY IF EXISTS {OLD_INDEX}"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(CREATE)
        schema_editor.execute(DROP_OLD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_OLD)
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("documents", "0005_agency_path"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
