"""Every route answers with and without the trailing slash, for every method, never redirecting."""

from dataclasses import replace

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.routes import OPERATIONS

pytestmark = pytest.mark.django_db

# What each operation must have done, given the task it addressed and the response.
EFFECTS = {
    "list": lambda task, response: [item["id"] for item in response.json()] == [str(task.id)],
    "create": lambda task, response: Task.objects.get(pk=response.json()["id"]).title == "Created",
    "retrieve": lambda task, response: response.json()["id"] == str(task.id),
    "put": lambda task, response: Task.objects.get(pk=task.id).title == "Replaced",
    "patch": lambda task, response: Task.objects.get(pk=task.id).title == "Patched",
    "delete": lambda task, response: not Task.objects.filter(pk=task.id).exists(),
    "toggle": lambda task, response: Task.objects.get(pk=task.id).completed,
    "complete": lambda task, response: Task.objects.get(pk=task.id).completed,
}


@pytest.mark.parametrize("slash", [True, False], ids=["slash", "no-slash"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_route_works_with_and_without_trailing_slash(auth_client, routes, user, operation, slash):
    task = TaskFactory(user=user, title="Original")
    routes = replace(routes, slash=slash)
    assert operation.url(routes, task.id).endswith("/") is slash

    response = operation.send(auth_client, routes, task.id)

    assert response.status_code == operation.status, response.content
    assert EFFECTS[operation.name](task, response)


def test_post_without_slash_creates_instead_of_redirecting(auth_client, routes):
    response = auth_client.post(routes.list_url().rstrip("/"), {"title": "No slash"})

    assert response.status_code == 201
    assert Task.objects.get().title == "No slash"
    assert response["Location"].endswith("/")


def test_complete_without_slash_sets_completion(auth_client, routes, task):
    response = auth_client.patch(routes.complete_url(task.id).rstrip("/"), {"completed": True})

    assert response.status_code == 200
    assert Task.objects.get(pk=task.id).completed is True
