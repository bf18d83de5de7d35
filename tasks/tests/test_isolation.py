"""Another user's tasks are out of reach: not listed, not found, never changed."""

import uuid
from datetime import UTC, datetime

import pytest

from api.tests.assertions import assert_problem
from tasks.tests.assertions import tasks_unchanged
from tasks.tests.factories import TaskFactory
from tasks.tests.routes import COLLECTION_OPERATIONS, TASK_OPERATIONS, TaskRoutes

pytestmark = pytest.mark.django_db

# How the other user addresses the owner's task, and what the API answers.
INTRUDER_SHAPES = [
    pytest.param("canonical", 404, id="canonical"),
    pytest.param("intruder_path", 404, id="intruder-own-user-path"),
    pytest.param("owner_path", 403, id="owner-user-path"),
]


def intruder_routes(shape: str, owner, intruder) -> TaskRoutes:
    return {
        "canonical": TaskRoutes(),
        "intruder_path": TaskRoutes(user_id=intruder.id),
        "owner_path": TaskRoutes(user_id=owner.id),
    }[shape]


@pytest.fixture
def owner_tasks(user):
    """The owner's tasks, one pending and one completed, with every field set."""
    fields = {
        "description": "Private",
        "priority": "high",
        "due_date": datetime(2026, 12, 1, tzinfo=UTC),
    }
    return [
        TaskFactory(user=user, **fields),
        TaskFactory(user=user, completed=True, **fields),
    ]


@pytest.fixture
def intruder_task(other_user):
    return TaskFactory(user=other_user, title="Intruder's own task")


@pytest.mark.parametrize(("shape", "status"), INTRUDER_SHAPES)
@pytest.mark.parametrize("operation", TASK_OPERATIONS, ids=str)
@pytest.mark.parametrize("target", [0, 1], ids=["pending", "completed"])
def test_other_users_task_is_out_of_reach(
    other_client, user, other_user, owner_tasks, intruder_task, operation, shape, status, target
):
    routes = intruder_routes(shape, user, other_user)

    with tasks_unchanged():
        response = operation.send(other_client, routes, owner_tasks[target].id)

    assert_problem(response, status, "not_found" if status == 404 else "permission_denied")


@pytest.mark.parametrize("shape", ["canonical", "intruder_path"])
def test_other_users_tasks_are_not_listed(
    other_client, user, other_user, owner_tasks, intruder_task, shape
):
    routes = intruder_routes(shape, user, other_user)

    response = other_client.get(routes.list_url())

    assert response.status_code == 200
    assert [task["id"] for task in response.json()] == [str(intruder_task.id)]
    assert response["X-Total-Count"] == "1"


@pytest.mark.parametrize("operation", COLLECTION_OPERATIONS, ids=str)
def test_owners_user_path_is_forbidden_for_lists_and_creation(
    other_client, user, owner_tasks, operation
):
    with tasks_unchanged():
        response = operation.send(other_client, TaskRoutes(user_id=user.id))

    assert_problem(response, 403, "permission_denied")


@pytest.mark.parametrize("operation", TASK_OPERATIONS, ids=str)
@pytest.mark.parametrize("shape", ["canonical", "intruder_path"])
def test_other_users_task_looks_like_a_missing_one(
    other_client, user, other_user, owner_tasks, intruder_task, operation, shape
):
    routes = intruder_routes(shape, user, other_user)

    with tasks_unchanged():
        responses = [
            operation.send(other_client, routes, task_id)
            for task_id in [owner_tasks[0].id, uuid.uuid4(), "not-a-uuid", "12345"]
        ]

    bodies = [assert_problem(response, 404, "not_found") for response in responses]
    assert all(body == bodies[0] for body in bodies)
    assert len({response["Content-Type"] for response in responses}) == 1
