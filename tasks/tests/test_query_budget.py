"""Each task endpoint runs a fixed, small number of SQL queries, however many tasks there are.

Three at most: the caller's user row (token authentication), then for the
list its count and its page, and for one task its read and its write.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks.dates import iso_datetime
from tasks.models import REMINDERS_PER_TASK, Reminder, Tag, Task, TaskList, TaskTag
from tasks.tests.factories import TaskFactory
from tasks.tests.routes import OPERATIONS

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 3


@pytest.mark.parametrize("task_count", [1, 200])
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_endpoint_stays_within_its_query_budget(
    auth_client, routes, user, other_user, operation, task_count, django_assert_max_num_queries
):
    tasks = Task.objects.bulk_create(TaskFactory.build_batch(task_count, user=user))
    Task.objects.bulk_create(TaskFactory.build_batch(task_count, user=other_user))

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = operation.send(auth_client, routes, tasks[0].id)

    assert response.status_code == operation.status, response.content
    if operation.name == "list":
        assert len(response.json()) == min(task_count, 100)
        assert response["X-Total-Count"] == str(task_count)


@pytest.mark.parametrize("params", [{"page_size": 500}, {"sort": "priority", "page": 2}])
def test_list_query_count_does_not_grow_with_the_page(
    auth_client, routes, user, params, django_assert_max_num_queries
):
    Task.objects.bulk_create(TaskFactory.build_batch(200, user=user, priority="low"))

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = auth_client.get(routes.list_url(), params)

    assert response.status_code == 200
    assert len(response.json()) == (200 if "page_size" in params else 100)


# The task list shows every task's tags, subtask counts and reminders: within
# this many queries whatever the page and its filters (read with the tasks,
# tasks.store.SHOWN_SQL).
ORGANIZED_LIST_BUDGET = 4


@pytest.mark.parametrize("task_count", [1, 200])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "position"},
        {"list": "inbox"},
        {"tags": "home"},
        {"tags": "home,work"},
        {"parent": "none"},
    ],
    ids=str,
)
def test_a_list_with_tags_subtasks_and_reminders_stays_within_its_budget(
    auth_client, routes, user, task_count, params, django_assert_max_num_queries
):
    inbox = TaskList.objects.get(user=user, is_inbox=True)
    tasks = Task.objects.bulk_create(TaskFactory.build_batch(task_count, user=user))
    home, work = (Tag.objects.create(user=user, name=name) for name in ("home", "work"))
    TaskTag.objects.bulk_create(
        [TaskTag(task=task, tag=tag) for task in tasks for tag in (home, work)]
    )
    at = timezone.now() + timedelta(days=1)
    Reminder.objects.bulk_create(
        Reminder(task=task, position=position, at=at + timedelta(minutes=position), fire_at=at)
        for task in tasks
        for position in range(REMINDERS_PER_TASK)
    )
    parent = tasks[0]
    Task.objects.bulk_create(
        TaskFactory.build_batch(
            3, user=user, parent=parent, completed=True, completed_at=parent.created_at
        )
    )
    if params.get("list") == "inbox":
        params = {"list": str(inbox.pk)}

    with django_assert_max_num_queries(ORGANIZED_LIST_BUDGET):
        response = auth_client.get(routes.list_url(), {**params, "page_size": 500})

    assert response.status_code == 200, response.content
    shown = {task["id"]: task for task in response.json()}
    assert shown[str(parent.pk)]["tags"] == ["home", "work"]
    assert [r["at"] for r in shown[str(parent.pk)]["reminders"]] == [
        iso_datetime(at + timedelta(minutes=position)) for position in range(REMINDERS_PER_TASK)
    ]
    assert (
        shown[str(parent.pk)]["subtask_count"]
        == shown[str(parent.pk)]["completed_subtask_count"]
        == 3
    )
    expected = task_count if "parent" in params or "tags" in params else task_count + 3
    assert len(shown) == int(response["X-Total-Count"]) == expected
