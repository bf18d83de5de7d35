"""Rows read with plain SQL, in the Python types the ORM gives.

The apps write a few hot statements as plain SQL (tasks.store, the user
lookup in accounts.models) and read their rows here. On PostgreSQL psycopg
already returns what the ORM would: UUIDs, booleans, and aware datetimes in
UTC (the backend checks at connection time that the session is in UTC).
SQLite stores UUIDs as hex text, and Django's SQLite backend hands back
datetimes without their zone (they are stored in UTC): those columns go
through the model field's own `to_python()` and are given their zone back.
"""

from datetime import UTC, datetime

from django.utils import timezone


def python_rows(rows: list, fields, connection) -> list:
    """`rows`, whose columns are `fields` in order, with each value as the ORM would give it."""
    if connection.vendor != "sqlite":
        return rows
    return [
        tuple(_from_sqlite(field, value) for field, value in zip(fields, row, strict=True))
        for row in rows
    ]


def _from_sqlite(field, value):
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(value, datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value
