"""The user admin's task column (each user's count, linked to their tasks), and deleting users."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

TASK_COUNT_CELL = re.compile(r'<td class="field-task_count">(.*?)</td>', re.S)
LINK = re.compile(r'^<a href="([^"]+)">(\d+)</a>$')


def tasks_changelist_for(user) -> str:
    return f"{reverse('admin:tasks_task_changelist')}?user__id__exact={user.pk}"


def test_deleting_users_from_the_change_list_deletes_their_tasks(admin_session):
    leaving, staying = UserFactory(), UserFactory()
    TaskFactory.create_batch(2, user=leaving)
    TaskFactory(user=staying)

    response = admin_session.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [str(leaving.pk)], "post": "yes"},
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=leaving.pk).exists()
    assert list(Task.objects.values_list("user", flat=True)) == [staying.pk]


def task_count_cells(response) -> dict[str, tuple[str, int]]:
    """{user id: (href, count)} of the change list's task count column."""
    assert response.status_code == 200
    cells = {}
    for user, cell in zip(
        response.context["cl"].result_list,
        TASK_COUNT_CELL.findall(response.content.decode()),
        strict=True,
    ):
        match = LINK.match(cell.strip())
        assert match, cell
        cells[str(user.pk)] = (html.unescape(match[1]), int(match[2]))
    return cells


def test_change_list_shows_each_users_task_count_linked_to_their_tasks(admin_session, superuser):
    busy, idle = UserFactory(), UserFactory()
    TaskFactory.create_batch(3, user=busy)
    TaskFactory(user=busy, completed=True)
    TaskFactory.create_batch(2)  # someone else's

    cells = task_count_cells(admin_session.get(reverse("admin:accounts_user_changelist")))

    assert cells[str(busy.pk)] == (tasks_changelist_for(busy), 4)
    assert cells[str(idle.pk)] == (tasks_changelist_for(idle), 0)
    assert cells[str(superuser.pk)] == (tasks_changelist_for(superuser), 0)


def test_task_count_link_opens_the_change_list_of_exactly_those_tasks(admin_session):
    owner = UserFactory()
    mine = TaskFactory.create_batch(3, user=owner)
    TaskFactory.create_batch(2)
    cells = task_count_cells(admin_session.get(reverse("admin:accounts_user_changelist")))
    href, count = cells[str(owner.pk)]

    response = admin_session.get(href)

    assert response.status_code == 200
    shown = response.context["cl"].result_list
    assert {task.pk for task in shown} == {task.pk for task in mine}
    assert len(shown) == count


def test_change_list_can_be_sorted_by_task_count(admin_session, superuser):
    few, many = UserFactory(), UserFactory()
    TaskFactory(user=few)
    TaskFactory.create_batch(3, user=many)
    task_count_column = 3  # 1-based: email, name, tasks

    response = admin_session.get(
        reverse("admin:accounts_user_changelist"), {"o": f"-{task_count_column}"}
    )

    assert [user.pk for user in response.context["cl"].result_list] == [
        many.pk,
        few.pk,
        superuser.pk,
    ]


def user_changelist_queries(client) -> tuple[int, int]:
    """How many queries one change list page ran, and how many users it showed."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    return len(queries), len(task_count_cells(response))


def create_users_with_tasks(count: int) -> None:
    for number in range(count):
        TaskFactory.create_batch(number % 3, user=UserFactory())


def test_change_list_runs_the_same_number_of_queries_for_3_and_30_users(admin_session):
    create_users_with_tasks(2)  # and the operator: 3
    admin_session.get(reverse("admin:accounts_user_changelist"))  # warm-up

    few, shown_few = user_changelist_queries(admin_session)
    create_users_with_tasks(27)
    many, shown_many = user_changelist_queries(admin_session)

    assert (shown_few, shown_many) == (3, 30)
    assert many == few
