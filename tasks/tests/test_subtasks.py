"""Subtasks: one level under a top-level task of the same user and list."""

import pytest
from django.urls import reverse

from accounts.tests.api import client_for
from api.tests.assertions import assert_invalid, assert_problem
from tasks import store
from tasks.models import Task, TaskList
from tasks.store import (
    HAS_SUBTASKS,
    NOT_YOUR_TASK,
    OWN_PARENT,
    PARENT_ELSEWHERE,
    PARENT_IS_SUBTASK,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(user):
    return client_for(user)


def create(client, title="Task", **fields):
    response = client.post(reverse("task-list"), {"title": title, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def create_list(client, name):
    return client.post(reverse("list-list"), {"name": name}).json()["id"]


def detail(task_id):
    return reverse("task-detail", args=[task_id])


def fetch(client, task_id):
    return client.get(detail(task_id)).json()


def test_a_subtask_is_made_under_its_parent_and_counted(client):
    parent = create(client, "Trip")
    first = create(client, "Tickets", parent_id=parent["id"])
    create(client, "Hotel", parent_id=parent["id"], completed=True)

    assert first["parent_id"] == parent["id"]
    assert first["list_id"] == parent["list_id"]
    shown = fetch(client, parent["id"])
    assert (shown["subtask_count"], shown["completed_subtask_count"]) == (2, 1)
    assert shown["parent_id"] is None
    listed = {task["id"]: task for task in client.get(reverse("task-list")).json()}
    assert (listed[parent["id"]]["subtask_count"], listed[first["id"]]["subtask_count"]) == (2, 0)


def test_a_subtask_created_without_a_list_goes_to_its_parents(client):
    work = create_list(client, "Work")
    parent = create(client, list_id=work)

    subtask = create(client, parent_id=parent["id"])

    assert subtask["list_id"] == work


def test_a_parent_in_another_list_than_the_one_named_is_a_400(client):
    work = create_list(client, "Work")
    parent = create(client)

    response = client.post(
        reverse("task-list"), {"title": "t", "parent_id": parent["id"], "list_id": work}
    )

    assert assert_invalid(response, "parent_id")["parent_id"] == [PARENT_ELSEWHERE]


def test_one_level_only(client):
    parent = create(client)
    subtask = create(client, parent_id=parent["id"])
    other = create(client)

    deeper = client.post(reverse("task-list"), {"title": "t", "parent_id": subtask["id"]})
    parent_under = client.patch(detail(parent["id"]), {"parent_id": other["id"]})
    own = client.patch(detail(other["id"]), {"parent_id": other["id"]})
    under_subtask = client.patch(detail(other["id"]), {"parent_id": subtask["id"]})

    assert assert_invalid(deeper, "parent_id")["parent_id"] == [PARENT_IS_SUBTASK]
    assert assert_invalid(parent_under, "parent_id")["parent_id"] == [HAS_SUBTASKS]
    assert assert_invalid(own, "parent_id")["parent_id"] == [OWN_PARENT]
    assert assert_invalid(under_subtask, "parent_id")["parent_id"] == [PARENT_IS_SUBTASK]
    assert fetch(client, parent["id"])["parent_id"] is None


def test_another_users_task_or_none_as_parent_is_the_same_400(client, other_user):
    theirs = create(client_for(other_user))

    for parent_id in (theirs["id"], "00000000-0000-4000-8000-000000000000"):
        response = client.post(reverse("task-list"), {"title": "t", "parent_id": parent_id})
        assert assert_invalid(response, "parent_id")["parent_id"] == [NOT_YOUR_TASK]
    for bad in ["nope", 5]:
        assert_invalid(client.post(reverse("task-list"), {"title": "t", "parent_id": bad}))


def test_a_patch_makes_and_unmakes_a_subtask(client):
    parent = create(client)
    task = create(client)

    made = client.patch(detail(task["id"]), {"parent_id": parent["id"]})
    unmade = client.patch(detail(task["id"]), {"parent_id": None})

    assert made.json()["parent_id"] == parent["id"]
    assert unmade.json()["parent_id"] is None
    assert fetch(client, parent["id"])["subtask_count"] == 0


def test_a_patch_onto_a_parent_in_another_list_is_a_400(client):
    work = create_list(client, "Work")
    parent = create(client, list_id=work)
    task = create(client)

    response = client.patch(detail(task["id"]), {"parent_id": parent["id"]})
    both = client.patch(detail(task["id"]), {"parent_id": parent["id"], "list_id": work})

    assert assert_invalid(response, "parent_id")["parent_id"] == [PARENT_ELSEWHERE]
    assert both.status_code == 200
    assert (both.json()["list_id"], both.json()["parent_id"]) == (work, parent["id"])


def test_put_without_parent_id_keeps_it(client):
    parent = create(client)
    subtask = create(client, parent_id=parent["id"])

    response = client.put(detail(subtask["id"]), {"title": "Replaced"})

    assert response.json()["parent_id"] == parent["id"]


def test_moving_a_parent_to_another_list_moves_its_subtasks(client, user):
    work = create_list(client, "Work")
    parent = create(client)
    subtasks = [create(client, parent_id=parent["id"]) for _ in range(2)]
    inbox = TaskList.objects.get(user=user, is_inbox=True)

    response = client.patch(detail(parent["id"]), {"list_id": work})

    assert response.json()["list_id"] == work
    for subtask in subtasks:
        assert fetch(client, subtask["id"])["list_id"] == work
    counts = TaskList.objects.get(pk=work)
    assert (counts.task_count, TaskList.objects.get(pk=inbox.pk).task_count) == (3, 0)


def test_moving_a_subtask_to_another_list_makes_it_top_level_there(client):
    work = create_list(client, "Work")
    parent = create(client)
    subtask = create(client, parent_id=parent["id"])

    response = client.patch(detail(subtask["id"]), {"list_id": work})

    assert (response.json()["list_id"], response.json()["parent_id"]) == (work, None)


def test_deleting_a_parent_deletes_its_subtasks(client):
    parent = create(client)
    subtasks = [create(client, parent_id=parent["id"]) for _ in range(2)]
    kept = create(client)

    response = client.delete(detail(parent["id"]))

    assert response.status_code == 204
    assert not Task.objects.filter(pk__in=[parent["id"], *(s["id"] for s in subtasks)]).exists()
    assert Task.objects.filter(pk=kept["id"]).exists()


def test_completing_a_parent_leaves_its_subtasks_as_they_are(client):
    parent = create(client)
    pending = create(client, parent_id=parent["id"])
    done = create(client, parent_id=parent["id"], completed=True)

    client.patch(reverse("task-complete", args=[parent["id"]]))

    assert fetch(client, parent["id"])["completed"] is True
    assert fetch(client, pending["id"])["completed"] is False
    assert fetch(client, done["id"])["completed"] is True
    assert fetch(client, parent["id"])["completed_subtask_count"] == 1


def test_the_parent_filter(client, other_user):
    parent = create(client, "parent")
    create(client, "child", parent_id=parent["id"])
    create(client, "alone")
    theirs = create(client_for(other_user))

    def titles(**params):
        response = client.get(reverse("task-list"), params)
        assert response.status_code == 200, response.content
        return sorted(task["title"] for task in response.json())

    assert titles(parent=parent["id"]) == ["child"]
    assert titles(parent="none") == ["alone", "parent"]
    assert titles() == ["alone", "child", "parent"]
    assert titles(parent=theirs["id"]) == []
    assert_invalid(client.get(reverse("task-list"), {"parent": "nope"}), "parent")


def test_a_deleted_subtask_is_no_longer_counted(client):
    parent = create(client)
    subtask = create(client, parent_id=parent["id"])

    client.delete(detail(subtask["id"]))

    assert fetch(client, parent["id"])["subtask_count"] == 0
    assert_problem(client.get(detail(subtask["id"])), 404)


@pytest.mark.django_db(transaction=True)
def test_a_subtask_added_after_the_parent_was_read_is_deleted_with_it(user):
    # The deletion of a task read without subtasks is one statement; a
    # subtask made in between makes the database refuse it, and the whole
    # deletion runs instead.
    client = client_for(user)
    parent = create(client, "parent")
    read = store.task_get(owner_id=user.pk, task_id=parent["id"])
    late = create(client, "late", parent_id=parent["id"])

    store.task_delete(owner_id=user.pk, task=read, if_match=None)

    assert not Task.objects.filter(pk__in=[parent["id"], late["id"]]).exists()
