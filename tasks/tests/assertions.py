from contextlib import contextmanager
from datetime import datetime

from tasks.models import Task

TASK_FIELDS = {
    "id",
    "user_id",
    "list_id",
    "parent_id",
    "position",
    "title",
    "description",
    "completed",
    "completed_at",
    "priority",
    "due_date",
    "due_on",
    "recurrence",
    "recur_from",
    "created_at",
    "updated_at",
    "tags",
    "subtask_count",
    "completed_subtask_count",
    "reminders",
}


def stored_tasks() -> list[dict]:
    return list(Task.objects.order_by("id").values())


@contextmanager
def tasks_unchanged():
    """Assert that the block changes no task of anyone, field for field."""
    before = stored_tasks()
    yield
    assert stored_tasks() == before


def parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
