"""Requests the task API cannot take answer in the problem+json error format."""

import pytest

from api.tests.assertions import assert_problem
from tasks.models import Task
from tasks.tests.assertions import tasks_unchanged

pytestmark = pytest.mark.django_db

WRITES = [
    pytest.param("post", "list", id="create"),
    pytest.param("put", "detail", id="put"),
    pytest.param("patch", "detail", id="patch"),
    pytest.param("patch", "complete", id="complete"),
]


def send_raw(client, method: str, url: str, body: str, content_type: str):
    return getattr(client, method)(url, data=body, content_type=content_type)


@pytest.mark.parametrize("body", ['{"title": "Unclosed', "{'title': 'single quotes'}"])
@pytest.mark.parametrize(("method", "view"), WRITES)
def test_malformed_json_is_400(auth_client, routes, task, method, view, body):
    url = routes.url(view, None if view == "list" else task.id)

    with tasks_unchanged():
        response = send_raw(auth_client, method, url, body, "application/json")

    assert_problem(response, 400, "parse_error")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
@pytest.mark.parametrize(("method", "view"), WRITES)
def test_body_that_is_not_json_is_415(auth_client, routes, task, method, view, content_type):
    url = routes.url(view, None if view == "list" else task.id)

    with tasks_unchanged():
        response = send_raw(auth_client, method, url, '{"title": "x"}', content_type)

    assert_problem(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("method", "view", "allowed"),
    [
        ("put", "list", {"GET", "POST"}),
        ("patch", "list", {"GET", "POST"}),
        ("delete", "list", {"GET", "POST"}),
        ("post", "detail", {"GET", "PUT", "PATCH", "DELETE"}),
        ("get", "complete", {"PATCH"}),
        ("post", "complete", {"PATCH"}),
        ("put", "complete", {"PATCH"}),
        ("delete", "complete", {"PATCH"}),
    ],
)
def test_method_the_route_does_not_have_is_405(auth_client, routes, task, method, view, allowed):
    url = routes.url(view, None if view == "list" else task.id)

    with tasks_unchanged():
        response = getattr(auth_client, method)(url, {"title": "x"} if method != "get" else None)

    assert_problem(response, 405, "method_not_allowed")
    assert allowed <= {name.strip() for name in response["Allow"].split(",")}
    assert Task.objects.count() == 1


def test_unknown_address_under_a_task_is_404(auth_client, routes, task):
    response = auth_client.get(routes.detail_url(task.id) + "comments/")

    assert_problem(response, 404, "not_found")
