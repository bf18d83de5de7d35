"""Lists: every user's Inbox, the list API, and tasks in lists."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.tests.api import client_for
from accounts.tests.factories import PASSWORD
from api.tests.assertions import assert_invalid, assert_problem
from tasks import lists
from tasks.lists import NAME_TAKEN, NOT_ANOTHER_LIST
from tasks.models import Task, TaskCounts, TaskList
from tasks.order import POSITION_STEP
from tasks.store import NOT_YOUR_LIST
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "id",
    "name",
    "color",
    "position",
    "is_inbox",
    "task_count",
    "pending_count",
    "created_at",
    "updated_at",
}


def inbox_of(user) -> TaskList:
    return TaskList.objects.get(user=user, is_inbox=True)


def create_list(client, name, **fields):
    return client.post(reverse("list-list"), {"name": name, **fields})


def list_names(client) -> list[str]:
    return [item["name"] for item in client.get(reverse("list-list")).json()]


# --- The Inbox ------------------------------------------------------------------


def test_a_registered_user_has_an_inbox_and_nothing_else(api_client):
    body = api_client.post(
        reverse("auth-register"), {"email": "new@example.org", "password": PASSWORD}
    ).json()

    response = client_for(User.objects.get(pk=body["user"]["id"])).get(reverse("list-list"))

    assert response.status_code == 200
    [inbox] = response.json()
    assert inbox.keys() == LIST_FIELDS
    assert (inbox["name"], inbox["is_inbox"], inbox["task_count"]) == ("Inbox", True, 0)
    assert response["X-Total-Count"] == "1"


@pytest.mark.parametrize("how", ["create_user", "create_superuser"])
def test_every_way_of_making_a_user_gives_exactly_one_inbox(how):
    user = getattr(User.objects, how)(email=f"{how}@example.org", password=PASSWORD)

    assert TaskList.objects.filter(user=user).count() == 1
    assert inbox_of(user).name == "Inbox"


def test_the_inbox_cannot_be_deleted(user):
    client = client_for(user)
    inbox = inbox_of(user)

    response = client.delete(reverse("list-detail", args=[inbox.pk]))

    assert_problem(response, 409, "inbox_not_deletable")
    assert TaskList.objects.filter(pk=inbox.pk).exists()


# --- Creating, reading, changing --------------------------------------------------


def test_create_a_list(user):
    client = client_for(user)

    response = create_list(client, "  Errands ", color="#A0b1C2")

    assert response.status_code == 201
    body = response.json()
    assert body.keys() == LIST_FIELDS
    assert (body["name"], body["color"], body["is_inbox"]) == ("Errands", "#A0b1C2", False)
    assert (body["task_count"], body["pending_count"]) == (0, 0)
    assert response["Location"].endswith(reverse("list-detail", args=[body["id"]]))
    assert response["ETag"] == '"1"'
    assert TaskList.objects.get(pk=body["id"]).user == user


def test_new_lists_go_last(user):
    client = client_for(user)
    for name in ("Work", "Home"):
        create_list(client, name)

    assert list_names(client) == ["Inbox", "Work", "Home"]


@pytest.mark.parametrize(
    ("fields", "invalid"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Ok", "color": "red"}, "color"),
        ({"name": "Ok", "color": "#12345G"}, "color"),
        ({}, "name"),
    ],
)
def test_invalid_lists_are_400(user, fields, invalid):
    response = client_for(user).post(reverse("list-list"), fields)

    assert_invalid(response, invalid)
    assert TaskList.objects.filter(user=user).count() == 1


def test_names_are_unique_per_user_whatever_the_case(user, other_user):
    client = client_for(user)
    create_list(client, "Errands")

    assert assert_invalid(create_list(client, "ERRANDS")) == {"name": [NAME_TAKEN]}
    assert assert_invalid(create_list(client, "inbox")) == {"name": [NAME_TAKEN]}
    # Another user may have the same name.
    assert create_list(client_for(other_user), "errands").status_code == 201


def test_rename_and_recolor(user):
    client = client_for(user)
    created = create_list(client, "Wrok").json()
    url = reverse("list-detail", args=[created["id"]])

    response = client.patch(url, {"name": "Work", "color": None}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["color"]) == ("Work", None)
    assert response["ETag"] == '"2"'
    stale = client.patch(url, {"name": "Job"}, HTTP_IF_MATCH='"1"')
    assert_problem(stale, 412)
    assert TaskList.objects.get(pk=created["id"]).name == "Work"


def test_renaming_onto_another_lists_name_is_400(user):
    client = client_for(user)
    work = create_list(client, "Work").json()

    response = client.patch(reverse("list-detail", args=[work["id"]]), {"name": "INBOX"})

    assert assert_invalid(response) == {"name": [NAME_TAKEN]}
    # The same name in another case is the list's own: allowed.
    response = client.patch(reverse("list-detail", args=[work["id"]]), {"name": "WORK"})
    assert response.json()["name"] == "WORK"


def test_counts_of_a_list(user):
    client = client_for(user)
    work = create_list(client, "Work").json()
    for completed in (False, False, True):
        client.post(
            reverse("task-list"), {"title": "t", "list_id": work["id"], "completed": completed}
        )

    body = client.get(reverse("list-detail", args=[work["id"]])).json()

    assert (body["task_count"], body["pending_count"]) == (3, 2)
    assert client.get(reverse("list-detail", args=[inbox_of(user).pk])).json()["task_count"] == 0


def test_a_conditional_get_of_an_unchanged_list_is_304(user):
    client = client_for(user)
    inbox = inbox_of(user)

    response = client.get(reverse("list-detail", args=[inbox.pk]), HTTP_IF_NONE_MATCH='"1"')

    assert response.status_code == 304


def test_reading_the_lists_costs_a_fixed_number_of_queries(user):
    client = client_for(user)
    for n in range(5):
        list_id = create_list(client, f"L{n}").json()["id"]
        TaskFactory.create_batch(2, user=user, list_id=list_id)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("list-list")).status_code == 200

    # The user, the count, the page with its task counts.
    assert len(queries) == 3


# --- Deleting -------------------------------------------------------------------


def test_deleting_a_list_deletes_its_tasks_and_no_other(user):
    client = client_for(user)
    work = create_list(client, "Work").json()
    kept = TaskFactory(user=user)
    for _ in range(3):
        client.post(reverse("task-list"), {"title": "t", "list_id": work["id"]})

    response = client.delete(reverse("list-detail", args=[work["id"]]))

    assert response.status_code == 204
    assert list(Task.objects.filter(user=user)) == [kept]
    assert TaskCounts.objects.get(user=user).total == 1


def test_deleting_with_a_stale_etag_is_412(user):
    client = client_for(user)
    work = create_list(client, "Work").json()

    response = client.delete(reverse("list-detail", args=[work["id"]]), HTTP_IF_MATCH='"7"')

    assert_problem(response, 412)
    assert TaskList.objects.filter(pk=work["id"]).exists()


# --- Order ----------------------------------------------------------------------


def move(client, list_id, after):
    return client.post(reverse("list-move", args=[list_id]), {"after": after}, format="json")


def test_move_a_list_after_another_and_first(user):
    client = client_for(user)
    ids = {name: create_list(client, name).json()["id"] for name in ("A", "B", "C")}

    assert move(client, ids["C"], ids["A"]).status_code == 200
    assert list_names(client) == ["Inbox", "A", "C", "B"]
    response = move(client, ids["B"], None)
    assert response.status_code == 200
    assert list_names(client) == ["B", "Inbox", "A", "C"]
    assert response.json()["position"] < inbox_of(user).position


def test_a_move_writes_the_moved_list_alone(user):
    client = client_for(user)
    ids = [create_list(client, name).json()["id"] for name in ("A", "B", "C")]
    before = dict(TaskList.objects.values_list("id", "position"))

    move(client, ids[2], ids[0])

    after = dict(TaskList.objects.values_list("id", "position"))
    assert [pk for pk in before if before[pk] != after[pk]] == [TaskList.objects.get(pk=ids[2]).pk]


def test_moves_into_one_gap_until_it_is_gone_keep_the_order(user):
    client = client_for(user)
    first = create_list(client, "First").json()["id"]
    create_list(client, "Last")
    names = []
    # Each new list goes right after First: the gap halves every time.
    for n in range(20):
        created = create_list(client, f"N{n}").json()["id"]
        assert move(client, created, first).status_code == 200
        names.insert(0, f"N{n}")

    assert list_names(client) == ["Inbox", "First", *names, "Last"]
    positions = list(TaskList.objects.filter(user=user).values_list("position", flat=True))
    assert len(set(positions)) == len(positions)


@pytest.mark.parametrize("after", ["self", "foreign", "missing"])
def test_moving_after_a_list_that_is_not_another_of_yours_is_400(user, other_user, after):
    client = client_for(user)
    mine = create_list(client, "Mine").json()["id"]
    target = {
        "self": mine,
        "foreign": str(inbox_of(other_user).pk),
        "missing": "00000000-0000-4000-8000-000000000000",
    }[after]

    # The same answer whether the list is another user's or none at all.
    assert assert_invalid(move(client, mine, target)) == {"after": [NOT_ANOTHER_LIST]}


# --- Tasks in lists ---------------------------------------------------------------


def test_a_task_goes_to_the_inbox_unless_a_list_is_named(user):
    client = client_for(user)
    work = create_list(client, "Work").json()["id"]

    plain = client.post(reverse("task-list"), {"title": "plain"}).json()
    listed = client.post(reverse("task-list"), {"title": "listed", "list_id": work}).json()

    assert plain["list_id"] == str(inbox_of(user).pk)
    assert listed["list_id"] == work
    assert str(Task.objects.get(pk=listed["id"]).list_id) == work


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_another_users_list_is_refused_like_a_missing_one(user, other_user, method):
    client = client_for(user)
    task = TaskFactory(user=user)
    foreign = str(inbox_of(other_user).pk)
    missing = "00000000-0000-4000-8000-000000000000"
    url = reverse("task-list") if method == "post" else reverse("task-detail", args=[task.pk])

    answers = [
        getattr(client, method)(url, {"title": "t", "list_id": list_id})
        for list_id in (foreign, missing)
    ]

    for response in answers:
        assert assert_invalid(response) == {"list_id": [NOT_YOUR_LIST]}
    assert Task.objects.filter(list__user=other_user).count() == 0
    task.refresh_from_db()
    assert task.list == inbox_of(user)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_and_patch_move_a_task_to_another_list(user, method):
    client = client_for(user)
    task = TaskFactory(user=user)
    work = create_list(client, "Work").json()["id"]

    response = getattr(client, method)(
        reverse("task-detail", args=[task.pk]), {"title": "t", "list_id": work}
    )

    assert response.status_code == 200
    assert response.json()["list_id"] == work
    task.refresh_from_db()
    assert str(task.list_id) == work


def test_a_put_without_list_id_keeps_the_tasks_list(user):
    client = client_for(user)
    work = create_list(client, "Work").json()["id"]
    task = client.post(reverse("task-list"), {"title": "t", "list_id": work}).json()

    response = client.put(reverse("task-detail", args=[task["id"]]), {"title": "renamed"})

    assert response.json()["list_id"] == work


def test_tasks_filtered_by_list(user, other_user):
    client = client_for(user)
    work = create_list(client, "Work").json()["id"]
    in_work = {client.post(reverse("task-list"), {"title": "w", "list_id": work}).json()["id"]}
    TaskFactory(user=user)
    TaskFactory(user=other_user)

    response = client.get(reverse("task-list"), {"list": work})

    assert {task["id"] for task in response.json()} == in_work
    assert response["X-Total-Count"] == "1"
    # Another user's list holds nothing of the caller's.
    foreign = client.get(reverse("task-list"), {"list": str(inbox_of(other_user).pk)})
    assert foreign.json() == []
    assert_invalid(client.get(reverse("task-list"), {"list": "not-a-uuid"}), "list")


# --- Isolation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "list-detail"),
        ("patch", "list-detail"),
        ("delete", "list-detail"),
        ("post", "list-move"),
    ],
)
def test_another_users_list_is_404(user, other_user, method, name):
    client = client_for(user)
    theirs = TaskList.objects.create(user=other_user, name="Theirs", position=5)

    body = None if method == "get" else {"name": "Mine now", "after": None}
    response = getattr(client, method)(reverse(name, args=[theirs.pk]), body, format="json")

    assert_problem(response, 404)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.position) == ("Theirs", 5)


def test_the_user_path_serves_the_callers_lists_and_refuses_anyone_else(user, other_user):
    client = client_for(user)

    mine = client.get(reverse("user-list-list", kwargs={"user_id": user.pk}))
    theirs = client.get(reverse("user-list-list", kwargs={"user_id": other_user.pk}))
    created = client.post(reverse("user-list-list", kwargs={"user_id": user.pk}), {"name": "P"})

    assert [item["name"] for item in mine.json()] == ["Inbox"]
    assert_problem(theirs, 403)
    assert created.status_code == 201
    assert f"/api/{user.pk}/lists/" in created["Location"]


def test_lists_need_authentication(api_client):
    assert_problem(api_client.get(reverse("list-list")), 401)


def test_new_users_made_in_bulk_by_seed_demo_have_inboxes(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--users", "3", "--tasks", "2", stdout=io.StringIO())

    for user in User.objects.all():
        assert TaskList.objects.filter(user=user, is_inbox=True).count() == 1


def test_positions_start_one_step_apart(user):
    client = client_for(user)
    created = create_list(client, "A").json()

    assert created["position"] - inbox_of(user).position == POSITION_STEP


@pytest.mark.parametrize("value", [1, True, ["00000000-0000-4000-8000-000000000000"]])
def test_a_list_id_that_is_not_a_json_string_is_400(user, value):
    client = client_for(user)

    response = client.post(reverse("task-list"), {"title": "t", "list_id": value}, format="json")
    moved = move(client, str(inbox_of(user).pk), value)

    assert_invalid(response, "list_id")
    assert_invalid(moved, "after")


def test_the_inbox_lookup_is_the_owners_inbox(user, other_user):
    # Plain SQL (tasks.lists.INBOX_BY_OWNER), held equal to the model's answer.
    assert lists.inbox_id(owner_id=user.pk) == inbox_of(user).pk
    assert lists.inbox_id(owner_id=str(other_user.pk)) == inbox_of(other_user).pk


def test_a_move_with_a_stale_etag_is_412_and_moves_nothing(user):
    client = client_for(user)
    work = create_list(client, "Work").json()["id"]
    url = reverse("list-move", args=[work])

    stale = client.post(url, {"after": None}, format="json", HTTP_IF_MATCH='"9"')
    current = client.post(url, {"after": None}, format="json", HTTP_IF_MATCH='"1"')

    assert_problem(stale, 412)
    assert current.status_code == 200
    assert current["ETag"] == '"2"'
    assert list_names(client) == ["Work", "Inbox"]
