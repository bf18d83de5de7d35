"""Migration 0006 on existing data: positions in creation order, and counts the triggers keep."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User

# Only the tasks app moves: the users' table stays as it is now.
BEFORE = [("tasks", "0005_lists")]
AFTER = [("tasks", "0006_organize")]


@pytest.fixture
def back_to_the_latest():
    """Whatever the test's outcome, the database ends with every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_tasks_are_numbered_in_creation_order_and_counted(back_to_the_latest):
    old = migrate(BEFORE)
    TaskList, Task = old.get_model("tasks", "TaskList"), old.get_model("tasks", "Task")
    # In bulk: no Inbox from the current code, whose lists have columns 0005 has not.
    [user] = User.objects.bulk_create([User(email="old@example.org", password="x")])
    inbox = TaskList.objects.create(user_id=user.pk, name="Inbox", is_inbox=True, position=0)
    work = TaskList.objects.create(user_id=user.pk, name="Work", position=1)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n, task_list in enumerate([inbox, work, inbox, work, inbox]):
        task = Task.objects.create(
            user_id=user.pk,
            list=task_list,
            title=f"t{n}",
            completed=n == 0,
            completed_at=start if n == 0 else None,
        )
        Task.objects.filter(pk=task.pk).update(created_at=start + timedelta(days=5 - n))

    new = migrate(AFTER)

    Task, TaskList = new.get_model("tasks", "Task"), new.get_model("tasks", "TaskList")
    order = list(Task.objects.filter(list_id=inbox.pk).order_by("position"))
    assert [task.title for task in order] == ["t4", "t2", "t0"]  # oldest first
    assert [task.position for task in order] == [65536, 2 * 65536, 3 * 65536]
    counts = {row.name: (row.task_count, row.completed_count) for row in TaskList.objects.all()}
    assert counts == {"Inbox": (3, 1), "Work": (2, 0)}
    # The counts are kept from now on, the user's TaskCounts too (SQLite built
    # the table anew, and its triggers with it).
    Task.objects.filter(title="t1").update(list_id=inbox.pk, completed=True, completed_at=start)
    counts = {row.name: (row.task_count, row.completed_count) for row in TaskList.objects.all()}
    assert counts == {"Inbox": (4, 2), "Work": (1, 0)}
    TaskCounts = new.get_model("tasks", "TaskCounts")
    assert TaskCounts.objects.filter(user_id=user.pk).values_list("total", "completed").get() == (
        5,
        2,
    )
