"""Full-text index for document search on PostgreSQL (decision 0003); nothing on SQLite.

A GIN index on ``to_tsvector('simple', search_text)`` — the text is already folded
(core.search.text.fold), so the ``simple`` configuration (lower case, no stemming, no stop words)
is all it needs. ``search.py`` writes its condition in exactly this expression so the planner uses
the index. Built CONCURRENTLY (the migration is not atomic) so an upgrade does not lock the table.
"""

from django.db import migrations

INDEX = "documents_search_gin"
CREATE = (
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON documents_document "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)
DROP = f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
