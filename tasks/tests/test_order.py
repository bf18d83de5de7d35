"""Manual order: positions among siblings, POST .../move/ and sort=position."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.api import client_for
from api.tests.assertions import assert_invalid, assert_problem
from tasks.models import Task
from tasks.order import POSITION_STEP
from tasks.store import NOT_A_SIBLING

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(user):
    return client_for(user)


def create(client, title, **fields):
    response = client.post(reverse("task-list"), {"title": title, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def move(client, task, after, headers=None, **fields):
    url = reverse("task-move", args=[task["id"]])
    return client.post(url, {"after": after, **fields}, headers=headers)


def ordered(client, **params) -> list[str]:
    response = client.get(reverse("task-list"), {"sort": "position", **params})
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()]


def test_new_tasks_go_last(client):
    tasks = [create(client, name) for name in "abc"]

    assert [task["position"] for task in tasks] == [POSITION_STEP * n for n in (1, 2, 3)]
    assert ordered(client) == ["a", "b", "c"]


def test_a_move_puts_the_task_right_after_its_sibling_or_first(client):
    a, b, c = (create(client, name) for name in "abc")

    after_a = move(client, c, a["id"])
    first = move(client, b, None)

    assert after_a.status_code == first.status_code == 200
    assert ordered(client) == ["b", "a", "c"]
    assert after_a.json()["position"] > a["position"]
    move(client, b, c["id"])
    assert ordered(client) == ["a", "c", "b"]


def test_a_move_writes_only_the_task(client, user):
    tasks = [create(client, f"t{n}") for n in range(10)]
    before = dict(Task.objects.values_list("id", "version"))

    with CaptureQueriesContext(connection) as queries:
        response = move(client, tasks[9], tasks[2]["id"])

    assert response.status_code == 200
    after = dict(Task.objects.values_list("id", "version"))
    changed = [str(pk) for pk in after if after[pk] != before[pk]]
    assert changed == [tasks[9]["id"]]
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 1


def test_repeated_moves_into_one_gap_renumber_and_keep_the_order(client):
    a = create(client, "a")
    create(client, "b")
    movers = [create(client, f"m{n}") for n in range(20)]

    # Each goes right after a: the gap between a and the one moved before halves each time.
    for mover in movers:
        assert move(client, mover, a["id"]).status_code == 200

    assert ordered(client) == ["a", *(f"m{n}" for n in reversed(range(20))), "b"]
    positions = list(Task.objects.values_list("position", flat=True))
    assert len(set(positions)) == len(positions)


def test_after_must_be_a_sibling_there(client, other_user):
    a = create(client, "a")
    parent = create(client, "parent")
    subtask = create(client, "sub", parent_id=parent["id"])
    theirs = create(client_for(other_user), "theirs")

    # Another user's task, a task of another sibling group, and the task itself.
    for task, after in [(a, theirs), (a, subtask), (subtask, a), (a, a)]:
        response = move(client, task, after["id"])
        assert assert_invalid(response, "after")["after"] == [NOT_A_SIBLING]
    assert_invalid(client.post(reverse("task-move", args=[a["id"]]), {}), "after")


def test_a_move_can_change_the_list_and_the_parent(client):
    work = client.post(reverse("list-list"), {"name": "Work"}).json()["id"]
    x = create(client, "x", list_id=work)
    create(client, "y", list_id=work)
    task = create(client, "task")
    parent = create(client, "parent")
    create(client, "child", parent_id=parent["id"])

    to_work = move(client, task, x["id"], list_id=work)
    assert (to_work.json()["list_id"], to_work.json()["parent_id"]) == (work, None)
    assert ordered(client, list=work) == ["x", "task", "y"]

    under = move(client, task, None, parent_id=x["id"])
    assert under.json()["parent_id"] == x["id"]
    assert ordered(client, list=work) == ["x", "task", "y"]
    assert ordered(client, parent=x["id"]) == ["task"]

    # A parent moved to another list takes its subtasks along.
    moved = move(client, parent, None, list_id=work)
    assert moved.json()["list_id"] == work
    assert ordered(client, list=work) == ["parent", "child", "x", "task", "y"]


def test_a_move_into_a_subtask_or_a_foreign_list_is_a_400(client, other_user):
    parent = create(client, "parent")
    subtask = create(client, "sub", parent_id=parent["id"])
    task = create(client, "task")
    their_list = client_for(other_user).get(reverse("list-list")).json()[0]["id"]

    assert_invalid(move(client, task, None, parent_id=subtask["id"]), "parent_id")
    assert_invalid(move(client, task, None, list_id=their_list), "list_id")


def test_subtasks_are_ordered_under_their_parent(client):
    parent = create(client, "parent")
    first, second = (create(client, n, parent_id=parent["id"]) for n in ("first", "second"))
    create(client, "after")

    move(client, second, None)

    assert ordered(client) == ["parent", "second", "first", "after"]
    assert ordered(client, parent=parent["id"]) == ["second", "first"]
    assert [t["title"] for t in client.get(reverse("task-list"), {"sort": "-position"}).json()] == [
        "after",
        "first",
        "second",
        "parent",
    ]


def test_a_move_with_a_stale_etag_is_412_and_moves_nothing(client):
    create(client, "a")
    b = create(client, "b")

    stale = move(client, b, None, headers={"If-Match": '"9"'})
    fresh = move(client, b, None, headers={"If-Match": '"1"'})

    assert_problem(stale, 412)
    assert fresh.status_code == 200
    assert ordered(client) == ["b", "a"]


def test_another_users_task_cannot_be_moved(client, other_user):
    theirs = create(client_for(other_user), "theirs")

    assert_problem(move(client, theirs, None), 404)


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_in_one_list_leave_a_defined_order(user):
    client = client_for(user)
    anchor = create(client, "anchor")
    tasks = [create(client, f"t{n}") for n in range(8)]
    create(client, "end")
    barrier = threading.Barrier(len(tasks))
    statuses = []

    def run(task):
        try:
            barrier.wait()
            statuses.append(move(client_for(user), task, anchor["id"]).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * len(tasks)
    positions = [t.position for t in Task.objects.filter(user=user, parent__isnull=True)]
    assert len(set(positions)) == len(positions)  # no two tasks tie
    order = ordered(client)
    assert order[0] == "anchor" and order[-1] == "end"
    assert sorted(order[1:-1]) == sorted(f"t{n}" for n in range(8))
