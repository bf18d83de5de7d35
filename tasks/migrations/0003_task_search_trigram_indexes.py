"""Trigram indexes for the list's `search` filter, on PostgreSQL only.

`search` is `title__icontains | description__icontains`, which Django's
PostgreSQL backend writes as `UPPER("title"::text) LIKE UPPER('%...%')`.
A B-tree cannot serve a LIKE with a leading wildcard; a GIN index with
pg_trgm's operator class on exactly that expression can, so a search stays
fast however many tasks there are.

The indexes live in the database only, not in the model's state: SQLite has
no GIN, and a Meta.indexes entry would make the model PostgreSQL-only. They
are written in SQL because Django places an OpClass() outside the index
expression's parentheses only when django.contrib.postgres is installed,
which this project does not need otherwise. On any other database these
operations do nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Index name: the expression the search filter's SQL uses, character for character.
TRIGRAM_INDEXES = {
    "task_title_trgm_idx": 'UPPER("title"::text)',
    "task_description_trgm_idx": 'UPPER("description"::text)',
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "tasks_task" USING gin ({expression} gin_trgm_ops)'
        )


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0002_task_version"),
    ]

    operations = [
        # CREATE EXTENSION pg_trgm; does nothing on a database other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes, elidable=False),
    ]
