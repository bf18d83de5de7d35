"""Create, read, replace, update and delete a task, through both URL shapes."""

import uuid
from datetime import UTC, datetime

import pytest

from api.tests.assertions import assert_invalid
from tasks.models import Task
from tasks.tests.assertions import TASK_FIELDS, parse_time, tasks_unchanged
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def forged_read_only_fields(other_user) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "user_id": str(other_user.id),
        "completed_at": "2000-01-01T00:00:00Z",
        "created_at": "2000-01-01T00:00:00Z",
        "updated_at": "2000-01-01T00:00:00Z",
    }


MALFORMED_READ_ONLY_FIELDS = {
    "id": "not-a-uuid",
    "user_id": 42,
    "completed_at": "whenever",
    "created_at": None,
    "updated_at": ["x"],
}


# --- Create -----------------------------------------------------------------


def test_create_returns_the_task_and_its_location(auth_client, routes, user):
    response = auth_client.post(
        routes.list_url(),
        {
            "title": "Buy milk",
            "description": "Two litres",
            "priority": "high",
            "due_date": "2026-12-01T10:00:00+02:00",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body.keys() == TASK_FIELDS
    assert body["user_id"] == str(user.id)
    assert body["title"] == "Buy milk"
    assert body["description"] == "Two litres"
    assert body["priority"] == "high"
    assert body["due_date"] == "2026-12-01T08:00:00Z"
    assert body["completed"] is False
    assert body["completed_at"] is None
    location = response.wsgi_request.build_absolute_uri(routes.detail_url(body["id"]))
    assert response["Location"] == location

    task = Task.objects.get(pk=body["id"])
    assert task.user == user
    assert task.title == "Buy milk"
    assert task.description == "Two litres"
    assert task.priority == "high"
    assert task.due_date == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert task.created_at == parse_time(body["created_at"])
    assert task.updated_at == parse_time(body["updated_at"])


def test_created_tasks_location_serves_the_task(auth_client, routes):
    created = auth_client.post(routes.list_url(), {"title": "Buy milk"})

    response = auth_client.get(created["Location"])

    assert response.status_code == 200
    assert response.json() == created.json()


def test_create_with_only_a_title_leaves_optional_fields_empty(auth_client, routes):
    response = auth_client.post(routes.list_url(), {"title": "Buy milk"})

    assert response.status_code == 201
    body = response.json()
    assert body["description"] is None
    assert body["priority"] is None
    assert body["due_date"] is None
    assert body["completed"] is False
    task = Task.objects.get(pk=body["id"])
    assert (task.description, task.priority, task.due_date, task.completed) == (
        None,
        None,
        None,
        False,
    )


def test_create_completed_task_sets_completed_at(auth_client, routes):
    response = auth_client.post(routes.list_url(), {"title": "Done", "completed": True})

    assert response.status_code == 201
    task = Task.objects.get(pk=response.json()["id"])
    assert task.completed is True
    assert task.completed_at is not None
    assert parse_time(response.json()["completed_at"]) == task.completed_at


def test_create_owner_is_the_caller_whatever_the_body_says(auth_client, routes, user, other_user):
    response = auth_client.post(
        routes.list_url(), {"title": "Mine", "user_id": str(other_user.id), "user": other_user.id}
    )

    assert response.status_code == 201
    assert response.json()["user_id"] == str(user.id)
    assert Task.objects.get(pk=response.json()["id"]).user == user
    assert not other_user.tasks.exists()


@pytest.mark.parametrize("forged", ["plausible", "malformed"])
def test_create_ignores_read_only_fields(auth_client, routes, user, other_user, forged):
    read_only = (
        forged_read_only_fields(other_user) if forged == "plausible" else MALFORMED_READ_ONLY_FIELDS
    )

    response = auth_client.post(routes.list_url(), {"title": "Buy milk", **read_only})

    assert response.status_code == 201
    body = response.json()
    assert body["id"] != read_only["id"]
    assert body["user_id"] == str(user.id)
    assert body["completed_at"] is None
    task = Task.objects.get(pk=body["id"])
    assert task.user == user
    assert task.completed_at is None
    assert task.created_at > LONG_AGO
    assert task.updated_at > LONG_AGO
    assert Task.objects.count() == 1


def test_title_is_trimmed(auth_client, routes):
    response = auth_client.post(routes.list_url(), {"title": "   Buy milk \t "})

    assert response.status_code == 201
    assert response.json()["title"] == "Buy milk"
    assert Task.objects.get().title == "Buy milk"


@pytest.mark.parametrize("title", ["x", "x" * 200, "  " + "x" * 200 + "  "])
def test_title_of_1_to_200_characters_after_trimming_is_accepted(auth_client, routes, title):
    response = auth_client.post(routes.list_url(), {"title": title})

    assert response.status_code == 201
    assert Task.objects.get().title == title.strip()


@pytest.mark.parametrize(
    "title",
    ["", "   ", "\t\n", "x" * 201, None],
    ids=["empty", "spaces", "white-space", "201-characters", "null"],
)
def test_invalid_title_is_400(auth_client, routes, title):
    response = auth_client.post(routes.list_url(), {"title": title})

    assert_invalid(response, "title")
    assert not Task.objects.exists()


def test_missing_title_is_400(auth_client, routes):
    response = auth_client.post(routes.list_url(), {"description": "No title"})

    assert_invalid(response, "title")
    assert not Task.objects.exists()


@pytest.mark.parametrize("description", [None, "", "d" * 1000])
def test_description_up_to_1000_characters_or_null_is_accepted(auth_client, routes, description):
    response = auth_client.post(routes.list_url(), {"title": "T", "description": description})

    assert response.status_code == 201
    assert response.json()["description"] == description
    assert Task.objects.get().description == description


def test_description_of_1001_characters_is_400(auth_client, routes):
    response = auth_client.post(routes.list_url(), {"title": "T", "description": "d" * 1001})

    assert_invalid(response, "description")
    assert not Task.objects.exists()


@pytest.mark.parametrize("priority", ["low", "medium", "high", None])
def test_known_priority_or_null_is_accepted(auth_client, routes, priority):
    response = auth_client.post(routes.list_url(), {"title": "T", "priority": priority})

    assert response.status_code == 201
    assert response.json()["priority"] == priority
    assert Task.objects.get().priority == priority


@pytest.mark.parametrize("priority", ["urgent", "HIGH", "", 1])
def test_unknown_priority_is_400(auth_client, routes, priority):
    response = auth_client.post(routes.list_url(), {"title": "T", "priority": priority})

    assert_invalid(response, "priority")
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("sent", "returned"),
    [
        ("2026-12-01T10:00:00+02:00", "2026-12-01T08:00:00Z"),
        ("2026-12-01T08:00:00Z", "2026-12-01T08:00:00Z"),
        ("2026-11-30T23:30:00-05:00", "2026-12-01T04:30:00Z"),
        (None, None),
    ],
)
def test_due_date_is_returned_in_utc(auth_client, routes, sent, returned):
    response = auth_client.post(routes.list_url(), {"title": "T", "due_date": sent})

    assert response.status_code == 201
    assert response.json()["due_date"] == returned
    assert Task.objects.get().due_date == parse_time(returned)


@pytest.mark.parametrize("due_date", ["tomorrow", "2026-13-01T00:00:00Z", "01/12/2026", 5])
def test_due_date_that_is_not_an_iso_date_time_is_400(auth_client, routes, due_date):
    response = auth_client.post(routes.list_url(), {"title": "T", "due_date": due_date})

    assert_invalid(response, "due_date")
    assert not Task.objects.exists()


def test_several_invalid_fields_are_all_named(auth_client, routes):
    response = auth_client.post(
        routes.list_url(), {"title": " ", "priority": "urgent", "due_date": "soon"}
    )

    assert_invalid(response, "title", "priority", "due_date")


# --- Retrieve ---------------------------------------------------------------


def test_retrieve_returns_the_task(auth_client, routes, task, user):
    response = auth_client.get(routes.detail_url(task.id))

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(task.id),
        "user_id": str(user.id),
        "list_id": str(user.task_lists.get(is_inbox=True).id),
        "parent_id": None,
        "position": task.position,
        "title": "Write the report",
        "description": "Quarterly numbers",
        "completed": False,
        "completed_at": None,
        "priority": "medium",
        "due_date": "2026-12-01T08:00:00Z",
        "due_on": None,
        "recurrence": None,
        "recur_from": "due",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "tags": [],
        "subtask_count": 0,
        "completed_subtask_count": 0,
        "reminders": [],
    }
    assert parse_time(body["created_at"]) == task.created_at
    assert parse_time(body["updated_at"]) == task.updated_at
    assert body["created_at"].endswith("Z")


def test_retrieve_completed_task_shows_completed_at(auth_client, routes, completed_task):
    response = auth_client.get(routes.detail_url(completed_task.id))

    assert response.status_code == 200
    assert response.json()["completed"] is True
    assert parse_time(response.json()["completed_at"]) == completed_task.completed_at


# --- Replace (PUT) ----------------------------------------------------------


def test_put_replaces_every_field(auth_client, routes, task):
    response = auth_client.put(
        routes.detail_url(task.id),
        {
            "title": "New title",
            "description": "New description",
            "completed": True,
            "priority": "low",
            "due_date": "2027-01-02T03:04:05Z",
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "New title"
    assert body["completed"] is True
    task.refresh_from_db()
    assert task.title == "New title"
    assert task.description == "New description"
    assert task.completed is True
    assert task.completed_at is not None
    assert task.priority == "low"
    assert task.due_date == datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time(body["completed_at"]) == task.completed_at


def test_put_resets_optional_fields_it_leaves_out(auth_client, routes, user):
    task = TaskFactory(
        user=user,
        description="Details",
        completed=True,
        priority="high",
        due_date=datetime(2026, 1, 1, tzinfo=UTC),
    )

    response = auth_client.put(routes.detail_url(task.id), {"title": "Only a title"})

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Only a title"
    assert body["description"] is None
    assert body["priority"] is None
    assert body["due_date"] is None
    assert body["completed"] is False
    assert body["completed_at"] is None
    task.refresh_from_db()
    assert task.title == "Only a title"
    assert task.description is None
    assert task.priority is None
    assert task.due_date is None
    assert task.completed is False
    assert task.completed_at is None


def test_put_without_title_is_400_and_changes_nothing(auth_client, routes, task):
    with tasks_unchanged():
        response = auth_client.put(routes.detail_url(task.id), {"description": "No title"})

    assert_invalid(response, "title")


def test_put_with_invalid_field_is_400_and_changes_nothing(auth_client, routes, task):
    with tasks_unchanged():
        response = auth_client.put(routes.detail_url(task.id), {"title": "T", "priority": "max"})

    assert_invalid(response, "priority")


def test_put_keeps_completed_at_of_a_task_that_stays_completed(auth_client, routes, completed_task):
    response = auth_client.put(
        routes.detail_url(completed_task.id), {"title": "Renamed", "completed": True}
    )

    assert response.status_code == 200
    stored = Task.objects.get(pk=completed_task.id)
    assert stored.completed_at == completed_task.completed_at
    assert parse_time(response.json()["completed_at"]) == completed_task.completed_at


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("forged", ["plausible", "malformed"])
def test_update_ignores_read_only_fields(auth_client, routes, task, other_user, method, forged):
    read_only = (
        forged_read_only_fields(other_user) if forged == "plausible" else MALFORMED_READ_ONLY_FIELDS
    )
    before = Task.objects.get(pk=task.id)

    response = getattr(auth_client, method)(
        routes.detail_url(task.id), {"title": "Renamed", **read_only}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(task.id)
    assert body["user_id"] == str(task.user_id)
    assert body["completed_at"] is None
    after = Task.objects.get(pk=task.id)
    assert after.title == "Renamed"
    assert after.user_id == before.user_id
    assert after.completed_at is None
    assert after.created_at == before.created_at
    assert after.updated_at >= before.updated_at
    assert not Task.objects.exclude(pk=task.id).exists()


# --- Update (PATCH) ---------------------------------------------------------


def test_patch_changes_only_the_fields_it_sends(auth_client, routes, task):
    before = Task.objects.filter(pk=task.id).values().get()

    response = auth_client.patch(routes.detail_url(task.id), {"title": "Renamed"})

    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["description"] == "Quarterly numbers"
    after = Task.objects.filter(pk=task.id).values().get()
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"title", "updated_at", "version"}
    assert after["title"] == "Renamed"


def test_patch_moves_updated_at(auth_client, routes, task):
    Task.objects.filter(pk=task.id).update(updated_at=LONG_AGO)

    response = auth_client.patch(routes.detail_url(task.id), {"priority": "low"})

    assert response.status_code == 200
    task.refresh_from_db()
    assert task.updated_at > LONG_AGO
    assert parse_time(response.json()["updated_at"]) == task.updated_at


def test_patch_can_clear_optional_fields(auth_client, routes, task):
    response = auth_client.patch(
        routes.detail_url(task.id), {"description": None, "priority": None, "due_date": None}
    )

    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.description, task.priority, task.due_date) == (None, None, None)
    assert task.title == "Write the report"


def test_patch_completed_sets_then_clears_completed_at(auth_client, routes, task):
    completed = auth_client.patch(routes.detail_url(task.id), {"completed": True})

    assert completed.status_code == 200
    task.refresh_from_db()
    assert task.completed is True
    assert task.completed_at is not None
    assert parse_time(completed.json()["completed_at"]) == task.completed_at

    reopened = auth_client.patch(routes.detail_url(task.id), {"completed": False})

    assert reopened.status_code == 200
    assert reopened.json()["completed_at"] is None
    task.refresh_from_db()
    assert task.completed is False
    assert task.completed_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "d" * 1001}, "description"),
        ({"priority": "urgent"}, "priority"),
        ({"due_date": "next week"}, "due_date"),
        ({"completed": "maybe"}, "completed"),
        # JSON types are kept: no number for a string, no string or number for a boolean.
        ({"title": 12}, "title"),
        ({"description": 3.5}, "description"),
        ({"completed": "true"}, "completed"),
        ({"completed": 1}, "completed"),
    ],
)
def test_patch_with_invalid_value_is_400_and_changes_nothing(
    auth_client, routes, task, body, field
):
    with tasks_unchanged():
        response = auth_client.patch(routes.detail_url(task.id), body)

    assert_invalid(response, field)


# --- Delete -----------------------------------------------------------------


def test_delete_removes_the_task(auth_client, routes, task, user):
    kept = TaskFactory(user=user)

    response = auth_client.delete(routes.detail_url(task.id))

    assert response.status_code == 204
    assert response.content == b""
    assert not Task.objects.filter(pk=task.id).exists()
    assert Task.objects.filter(pk=kept.id).exists()
    assert auth_client.get(routes.detail_url(task.id)).status_code == 404
