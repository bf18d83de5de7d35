"""CompiledUpdate writes the rows the ORM's update() would, shape by shape, on every database."""

from datetime import UTC, datetime

import pytest

from conftest import TaskFactory
from tasks.models import OWNED_TASK_COMPLETION, VERSIONED_TASK_WRITE, Task, completion_changes
from todo_project.compiled_updates import CompiledUpdate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 6, 7, 8, 9, 101112, UTC)
EARLIER = datetime(2026, 1, 2, 3, 4, 5, 6, UTC)


def stored(task) -> dict:
    row = Task.objects.filter(pk=task.pk).values().get()
    del row["id"]
    return row


@pytest.mark.parametrize("completed", [None, True, False])
@pytest.mark.parametrize("was_completed", [False, True])
def test_each_shape_writes_what_update_writes(user, completed, was_completed):
    fields = {"completed": was_completed, "completed_at": EARLIER if was_completed else None}
    by_orm, compiled = TaskFactory.create_batch(2, user=user, title="same", **fields)
    Task.objects.filter(pk__in=[by_orm.pk, compiled.pk]).update(created_at=EARLIER)

    changed_by_orm = Task.objects.filter(pk=by_orm.pk).update(**completion_changes(completed, NOW))
    changed = OWNED_TASK_COMPLETION.execute(
        completed, user_id=user.pk, task_id=compiled.pk, now=NOW
    )

    assert changed == changed_by_orm == 1
    assert stored(compiled) == stored(by_orm)
    assert stored(compiled)["updated_at"] == NOW
    assert stored(compiled)["version"] == 2


WRITES = [
    {
        "title": "Renamed",
        "description": "new text",
        "completed": True,
        "priority": "high",
        "due_date": NOW,
        "completed_at": EARLIER,
    },
    {
        "title": "Renamed",
        "description": None,
        "completed": False,
        "priority": None,
        "due_date": None,
        "completed_at": None,
    },
]


@pytest.mark.parametrize("values", WRITES, ids=["every field set", "optional fields null"])
def test_a_versioned_write_writes_what_update_writes(user, values):
    by_orm, compiled = TaskFactory.create_batch(2, user=user, title="same", description="old")
    Task.objects.filter(pk__in=[by_orm.pk, compiled.pk]).update(created_at=EARLIER)
    changes = {**values, "updated_at": NOW}

    arguments = {name: value for name, value in changes.items() if name != "completed"}

    changed_by_orm = Task.objects.filter(pk=by_orm.pk, version=1).update(**changes, version=2)
    stale = VERSIONED_TASK_WRITE.execute(
        values["completed"], task_id=compiled.pk, expected_version=7, new_version=8, **arguments
    )
    changed = VERSIONED_TASK_WRITE.execute(
        values["completed"], task_id=compiled.pk, expected_version=1, new_version=2, **arguments
    )

    assert (stale, changed, changed_by_orm) == (0, 1, 1)
    assert stored(compiled) == stored(by_orm)
    assert stored(compiled)["version"] == 2


def test_another_owners_task_is_not_changed(user, other_user):
    task = TaskFactory(user=other_user)
    before = stored(task)

    for completed in (None, True, False):
        changed = OWNED_TASK_COMPLETION.execute(
            completed, user_id=user.pk, task_id=task.pk, now=NOW
        )
        assert changed == 0
    assert stored(task) == before


def test_one_query_per_update(user, django_assert_num_queries):
    task = TaskFactory(user=user)
    OWNED_TASK_COMPLETION.execute(None, user_id=user.pk, task_id=task.pk, now=NOW)  # compiled
    with django_assert_num_queries(1):
        OWNED_TASK_COMPLETION.execute(None, user_id=user.pk, task_id=task.pk, now=NOW)


def test_an_argument_the_statement_does_not_use_is_refused(user):
    update = CompiledUpdate(
        {"task_id": Task._meta.get_field("id"), "now": Task._meta.get_field("updated_at")},
        lambda shape, *, task_id, now: (Task.objects.filter(pk=task_id), {"title": "x"}),
    )
    with pytest.raises(ValueError, match="now"):
        update.execute("shape", task_id=TaskFactory(user=user).pk, now=NOW)
