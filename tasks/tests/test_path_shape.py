"""/api/{user_id}/tasks/...: the canonical API for the caller's own id, 403 for any other id.

The other task tests use the canonical /api/tasks/... URLs. These cover what
the path shape changes, and run every endpoint once through it to show that
it answers as its canonical twin.
"""

import uuid

import pytest
from django.db import transaction

from api.tests.assertions import assert_problem
from tasks.models import Task
from tasks.tests.assertions import stored_tasks, tasks_unchanged
from tasks.tests.factories import TaskFactory
from tasks.tests.routes import OPERATIONS, TaskRoutes

pytestmark = pytest.mark.django_db

FOREIGN_USER_IDS = [
    pytest.param("other_user", id="another-users-id"),
    pytest.param("random_uuid", id="random-uuid"),
    pytest.param("not-a-uuid", id="not-a-uuid"),
    pytest.param("me", id="me"),
]


def foreign_user_id(kind: str, other_user):
    if kind == "other_user":
        return other_user.id
    if kind == "random_uuid":
        return uuid.uuid4()
    return kind


@pytest.mark.parametrize("kind", FOREIGN_USER_IDS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_any_other_user_id_is_forbidden_and_changes_nothing(
    auth_client, task, other_user, operation, kind
):
    TaskFactory(user=other_user)
    routes = TaskRoutes(user_id=foreign_user_id(kind, other_user))

    with tasks_unchanged():
        response = operation.send(auth_client, routes, task.id)

    assert_problem(response, 403, "permission_denied")


def test_create_location_uses_the_path_shape(auth_client, user):
    routes = TaskRoutes(user_id=user.id)

    response = auth_client.post(routes.list_url(), {"title": "Via the user path"})

    assert response.status_code == 201
    task = Task.objects.get()
    assert response["Location"].endswith(f"/api/{user.id}/tasks/{task.id}/")
    assert auth_client.get(response["Location"]).json() == response.json()


# Values that differ between two runs of the same request: the moment it ran,
# and the id of a task it creates.
VOLATILE = {"created_at", "updated_at", "completed_at"}


def outcome(client, routes: TaskRoutes, operation, task_id) -> tuple:
    """Status, body and every stored task after the request, then rolled back."""
    with transaction.atomic():
        response = operation.send(client, routes, task_id)
        body = response.json() if response.content else None
        tasks = stored_tasks()
        transaction.set_rollback(True)
    created = body["id"] if operation.name == "create" else None
    # Ordered by title: a created task's new id falls anywhere among the others'.
    stable = sorted((_stable(task, created) for task in tasks), key=lambda task: task["title"])
    return response.status_code, _stable(body, created), stable


def _stable(value, created_id):
    if isinstance(value, list):
        return [_stable(item, created_id) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        name: "<created>" if created_id and str(item) == created_id else item
        for name, item in value.items()
        if name not in VOLATILE
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_each_endpoint_answers_as_its_canonical_twin(auth_client, user, task, operation):
    TaskFactory(user=user, title="Another", completed=True)

    canonical = outcome(auth_client, TaskRoutes(), operation, task.id)
    user_path = outcome(auth_client, TaskRoutes(user_id=user.id), operation, task.id)

    assert canonical[0] == operation.status
    assert user_path == canonical
