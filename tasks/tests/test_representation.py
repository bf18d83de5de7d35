"""The hand-written task representation is exactly what DRF's declared fields would give.

Single tasks go through TaskSerializer.to_representation; lists hand
values() rows to the JSON renderer. Both must write the same JSON.
"""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from rest_framework import serializers

from tasks.models import Task
from tasks.serializers import TaskSerializer
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


class FieldByFieldTaskSerializer(TaskSerializer):
    """The same declared fields, rendered by DRF's own machinery."""

    def to_representation(self, task):
        return serializers.Serializer.to_representation(self, task)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {
            "description": "text",
            "priority": "high",
            "due_date": datetime(2027, 1, 2, 3, 4, 5, 6, UTC),
        },
        {
            "completed": True,
            "due_date": datetime(2026, 12, 1, 10, 0, tzinfo=timezone(timedelta(hours=2))),
        },
        {"description": "", "priority": "low", "title": 'ünïcode ✓ "quoted"'},
    ],
)
def test_hand_written_representation_matches_drf_fields(user, auth_client, fields):
    task = TaskFactory(user=user, **fields)
    stored = Task.objects.get(pk=task.pk)
    expected = FieldByFieldTaskSerializer(stored).data

    assert TaskSerializer(stored).data == expected
    assert TaskSerializer(task).data == expected  # an instance as saved, not reloaded
    # The same bytes through the API: a task alone, and as a list item.
    detail = auth_client.get(f"/api/tasks/{task.pk}/")
    listed = auth_client.get("/api/tasks/")
    assert detail.json() == expected
    assert listed.json() == [expected]
    assert listed.content == b"[" + detail.content + b"]"
