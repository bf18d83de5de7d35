"""/api/{user_id}/tasks/...: the canonical API for the caller's own id, 403 for any other id.

The CRUD, list and completion tests run against both shapes through the
`routes` fixture; these tests cover what only the path shape has.
"""

import uuid

import pytest

from api.tests.assertions import assert_problem
from tasks.models import Task
from tasks.tests.assertions import tasks_unchanged
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


@pytest.mark.parametrize("view", ["list", "detail"])
def test_both_shapes_answer_the_same(auth_client, user, task, view):
    TaskFactory.create_batch(2, user=user)
    task_id = None if view == "list" else task.id

    canonical = auth_client.get(TaskRoutes().url(view, task_id))
    user_path = auth_client.get(TaskRoutes(user_id=user.id).url(view, task_id))

    assert canonical.status_code == user_path.status_code == 200
    assert canonical.json() == user_path.json()
