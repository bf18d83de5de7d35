"""Rows read with plain SQL come back in the types the ORM gives, on either database."""

import uuid
from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from api.rows import python_rows

pytestmark = pytest.mark.django_db


def test_plain_sql_rows_are_what_the_queryset_gives(admin_user):
    entry = LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(LogEntry),
        object_id="1",
        object_repr="x",
        action_flag=1,
        action_time=datetime(2026, 3, 4, 5, 6, 7, 890123, UTC),
    )
    fields = [LogEntry._meta.get_field(name) for name in ("id", "user", "action_time")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, user_id, action_time FROM django_admin_log WHERE id = %s", [entry.pk]
        )
        rows = cursor.fetchall()

    [row] = python_rows(rows, fields, connection)

    expected = LogEntry.objects.values_list("id", "user_id", "action_time").get(pk=entry.pk)
    assert row == expected
    assert isinstance(row[1], uuid.UUID)
    assert row[2].tzinfo is not None


def test_nulls_stay_null():
    fields = [LogEntry._meta.get_field("action_time")]
    assert list(python_rows([(None,)], fields, connection)) == [(None,)]
