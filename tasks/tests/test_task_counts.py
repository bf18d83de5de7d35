"""TaskCounts stays exact through every kind of write, and gives status-only lists their total.

The counts are kept by database triggers, so every test here compares them
with the tasks themselves after writes made the ways the project makes them.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks import store
from tasks.models import Task, TaskCounts
from tasks.tests.factories import TaskFactory
from tasks.transfer import tasks_import

pytestmark = pytest.mark.django_db


def task_count(user, status: str = "all") -> int:
    return store.task_count(owner_id=user.pk, status=status)


def assert_counts_exact():
    actual = {
        row["user_id"]: (row["total"], row["completed"])
        for row in Task.objects.values("user_id").annotate(
            total=Count("id"), completed=Count("id", filter=Q(completed=True))
        )
    }
    kept = {
        counts.user_id: (counts.total, counts.completed)
        for counts in TaskCounts.objects.all()
        if counts.total or counts.completed or counts.user_id in actual
    }
    assert kept == actual


def test_a_user_without_tasks_counts_zero(user):
    assert task_count(user) == 0
    assert task_count(user, "pending") == 0
    assert not TaskCounts.objects.filter(user=user).exists()


def test_api_writes_keep_the_counts(auth_client, user):
    ids = [auth_client.post("/api/tasks/", {"title": f"t{n}"}).json()["id"] for n in range(3)]
    assert_counts_exact()
    assert auth_client.patch(f"/api/tasks/{ids[0]}/complete/").status_code == 200
    assert auth_client.put(f"/api/tasks/{ids[1]}/", {"title": "x", "completed": True}).json()[
        "completed"
    ]
    assert_counts_exact()
    assert (task_count(user), task_count(user, "pending"), task_count(user, "completed")) == (
        3,
        1,
        2,
    )
    auth_client.patch(f"/api/tasks/{ids[1]}/", {"completed": False})
    auth_client.patch(f"/api/tasks/{ids[2]}/", {"title": "renamed"})  # no count changes
    auth_client.delete(f"/api/tasks/{ids[0]}/")
    assert_counts_exact()
    assert (task_count(user), task_count(user, "completed")) == (2, 0)


def test_bulk_writes_keep_the_counts(user, other_user):
    Task.objects.bulk_create(TaskFactory.build_batch(50, user=user))
    Task.objects.bulk_create(
        TaskFactory.build_batch(20, user=other_user, completed=True, completed_at=timezone.now())
    )
    assert_counts_exact()
    Task.objects.filter(user=user, title__endswith="1").set_completed(True)
    Task.objects.filter(pk__in=Task.objects.filter(user=other_user).values("pk")[:5]).delete()
    assert_counts_exact()
    Task.objects.filter(user=user).set_completed(None)  # toggles every task at once
    assert_counts_exact()


def test_moving_a_task_to_another_owner_moves_its_count(user):
    newcomer = UserFactory()
    task = TaskFactory(user=user, completed=True)
    task.user = newcomer
    task.save()
    assert_counts_exact()
    assert (task_count(user), task_count(newcomer, "completed")) == (0, 1)


def test_deleting_a_user_deletes_their_tasks_and_counts(user, other_user):
    TaskFactory.create_batch(3, user=user)
    TaskFactory(user=other_user)
    user.delete()
    assert_counts_exact()
    assert not TaskCounts.objects.filter(user_id=user.pk).exists()


def test_commands_keep_the_counts(user):
    old = timezone.now() - timedelta(days=90)
    TaskFactory.create_batch(4, user=user, completed=True)
    Task.objects.filter(user=user).update(completed_at=old)
    TaskFactory(user=user)
    call_command("purge_completed", "--older-than", "30", stdout=StringIO())
    assert_counts_exact()
    assert task_count(user) == 1

    existing = Task.objects.get(user=user)
    rows = [
        {"id": str(existing.pk), "title": "overwritten", "completed": True},
        {"title": "new", "completed": False},
    ]
    tasks_import(user=user, rows=rows)
    assert_counts_exact()
    assert (task_count(user), task_count(user, "completed")) == (2, 1)

    call_command("seed_demo", "--force", "--users", "2", "--tasks", "30", stdout=StringIO())
    assert_counts_exact()


def test_admin_actions_keep_the_counts(admin_session, user):
    tasks = TaskFactory.create_batch(3, user=user)
    admin_session.post(
        "/admin/tasks/task/",
        {"action": "mark_completed", "_selected_action": [str(t.pk) for t in tasks]},
    )
    assert task_count(user, "completed") == 3
    assert_counts_exact()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 5),
        ({"status": "pending"}, 3),
        ({"status": "completed", "sort": "title"}, 2),
        ({"status": "all", "page": 2, "page_size": 2}, 5),
        ({"search": "odd"}, 2),
    ],
)
def test_list_totals(auth_client, user, other_user, params, expected, django_assert_num_queries):
    for n in range(5):
        TaskFactory(user=user, title=f"{'odd' if n % 2 else 'even'} {n}", completed=n < 2)
    TaskFactory.create_batch(4, user=other_user)

    with django_assert_num_queries(3):  # the user, the count, the page
        response = auth_client.get("/api/tasks/", params)

    assert response.status_code == 200
    assert response["X-Total-Count"] == str(expected)


def test_recount_puts_wrong_counts_right(user, other_user):
    TaskFactory.create_batch(3, user=user)
    TaskFactory(user=other_user, completed=True)
    TaskCounts.objects.filter(user=user).update(total=99)
    TaskCounts.objects.filter(user=other_user).delete()
    out = StringIO()

    call_command("recount_tasks", stdout=out)

    assert "2 user(s) had wrong counts" in out.getvalue()
    assert_counts_exact()
    assert (task_count(user), task_count(other_user, "completed")) == (3, 1)
    out = StringIO()
    call_command("recount_tasks", stdout=out)
    assert "0 user(s)" in out.getvalue()
