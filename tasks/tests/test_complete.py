"""PATCH .../complete/: toggle with no body, set with {"completed": true|false}."""

from datetime import UTC, datetime

import pytest

from api.tests.assertions import assert_invalid
from tasks.models import Task
from tasks.tests.assertions import TASK_FIELDS, parse_time, tasks_unchanged

pytestmark = pytest.mark.django_db

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def test_toggle_without_body_completes_then_reopens(auth_client, routes, task):
    completed = auth_client.patch(routes.complete_url(task.id))

    assert completed.status_code == 200
    assert completed.json()["completed"] is True
    task.refresh_from_db()
    assert task.completed is True
    assert task.completed_at is not None
    assert parse_time(completed.json()["completed_at"]) == task.completed_at

    reopened = auth_client.patch(routes.complete_url(task.id))

    assert reopened.status_code == 200
    assert reopened.json()["completed"] is False
    assert reopened.json()["completed_at"] is None
    task.refresh_from_db()
    assert task.completed is False
    assert task.completed_at is None


def test_toggle_with_empty_json_object_toggles(auth_client, routes, task):
    response = auth_client.patch(routes.complete_url(task.id), {})

    assert response.status_code == 200
    assert Task.objects.get(pk=task.id).completed is True


def test_complete_answers_with_the_whole_task(auth_client, routes, task):
    response = auth_client.patch(routes.complete_url(task.id), {"completed": True})

    assert response.status_code == 200
    body = response.json()
    assert body.keys() == TASK_FIELDS
    assert body["id"] == str(task.id)
    assert body["title"] == task.title
    assert body == auth_client.get(routes.detail_url(task.id)).json()


def test_setting_completed_true_twice_keeps_the_first_completed_at(auth_client, routes, task):
    first = auth_client.patch(routes.complete_url(task.id), {"completed": True})
    completed_at = Task.objects.get(pk=task.id).completed_at

    second = auth_client.patch(routes.complete_url(task.id), {"completed": True})

    assert first.status_code == second.status_code == 200
    assert completed_at is not None
    assert Task.objects.get(pk=task.id).completed_at == completed_at
    assert second.json()["completed"] is True
    assert parse_time(second.json()["completed_at"]) == completed_at


def test_setting_completed_false_reopens_and_stays_open(auth_client, routes, completed_task):
    for _ in range(2):
        response = auth_client.patch(routes.complete_url(completed_task.id), {"completed": False})

        assert response.status_code == 200
        assert response.json()["completed"] is False
        assert response.json()["completed_at"] is None
        stored = Task.objects.get(pk=completed_task.id)
        assert (stored.completed, stored.completed_at) == (False, None)


@pytest.mark.parametrize("body", [None, {"completed": True}, {"completed": False}])
def test_complete_moves_updated_at(auth_client, routes, task, body):
    Task.objects.filter(pk=task.id).update(updated_at=LONG_AGO)

    response = auth_client.patch(routes.complete_url(task.id), body)

    assert response.status_code == 200
    updated_at = Task.objects.get(pk=task.id).updated_at
    assert updated_at > LONG_AGO
    assert parse_time(response.json()["updated_at"]) == updated_at


def test_complete_changes_nothing_but_completion(auth_client, routes, task):
    before = Task.objects.filter(pk=task.id).values().get()

    auth_client.patch(routes.complete_url(task.id))

    after = Task.objects.filter(pk=task.id).values().get()
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"completed", "completed_at", "updated_at", "version"}


@pytest.mark.parametrize("completed", ["maybe", None, [True], {"value": True}, "true", 0])
def test_invalid_completed_value_is_400_and_changes_nothing(auth_client, routes, task, completed):
    with tasks_unchanged():
        response = auth_client.patch(routes.complete_url(task.id), {"completed": completed})

    assert_invalid(response, "completed")
