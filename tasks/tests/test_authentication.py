"""Every task endpoint needs a valid access token, before anything else is looked at."""

import uuid

import pytest
from rest_framework.test import APIClient

from api.tests.assertions import assert_problem
from tasks.tests.assertions import tasks_unchanged
from tasks.tests.routes import OPERATIONS, TaskRoutes

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["canonical", "owner_path", "random_path"])
def any_routes(request, user) -> TaskRoutes:
    return {
        "canonical": TaskRoutes(),
        "owner_path": TaskRoutes(user_id=user.id),
        "random_path": TaskRoutes(user_id=uuid.uuid4()),
    }[request.param]


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_request_without_credentials_is_401(api_client, task, any_routes, operation):
    with tasks_unchanged():
        response = operation.send(api_client, any_routes, task.id)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Basic dXNlcjpwYXNz"],
    ids=["garbage-token", "wrong-scheme"],
)
@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.name in ("list", "complete")], ids=str
)
def test_request_with_unusable_credentials_is_401(task, any_routes, operation, authorization):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)

    with tasks_unchanged():
        response = operation.send(client, any_routes, task.id)

    assert_problem(response, 401)


@pytest.mark.parametrize("task_id", ["not-a-uuid", uuid.uuid4()], ids=["not-a-uuid", "unknown"])
def test_unknown_task_is_401_not_404_without_credentials(api_client, task_id):
    response = api_client.get(TaskRoutes().detail_url(task_id))

    assert_problem(response, 401)
