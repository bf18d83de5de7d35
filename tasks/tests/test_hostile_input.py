"""Hostile bodies and parameters are refused in the error format and change nothing."""

import pytest
from django.urls import reverse

from api.tests.assertions import assert_problem
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def post_raw(client, body: str | bytes, content_type="application/json"):
    return client.generic("POST", reverse("task-list"), body, content_type=content_type)


def assert_refused(response, status, code):
    assert_problem(response, status, code)
    assert not Task.objects.exists()


def test_body_over_the_limit_is_413(auth_client, settings):
    body = '{"title": "x", "description": "' + "a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'
    assert_refused(post_raw(auth_client, body), 413, "request_too_large")


def test_body_at_the_limit_is_read(auth_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    body = '{"title": "fits"}'.ljust(64)
    response = post_raw(auth_client, body)
    assert response.status_code == 201


def test_json_nested_thousands_deep_is_400(auth_client):
    body = '{"title": "x", "description": ' + "[" * 50_000 + "]" * 50_000 + "}"
    assert_refused(post_raw(auth_client, body), 400, "parse_error")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_are_400(auth_client, constant):
    assert_refused(post_raw(auth_client, f'{{"title": {constant}}}'), 400, "parse_error")


def test_body_that_is_not_utf8_is_400(auth_client):
    assert_refused(post_raw(auth_client, b'{"title": "\xff\xfe"}'), 400, "parse_error")


@pytest.mark.parametrize(
    "title",
    ["nul\u0000inside", "x" * 10_000],
    ids=["nul", "10k-characters"],
)
def test_unstorable_titles_are_400(auth_client, title):
    response = auth_client.post(reverse("task-list"), {"title": title})
    assert_refused(response, 400, "invalid")
    assert "title" in response.json()["errors"]


def test_lone_surrogate_escape_in_raw_json_is_400(auth_client):
    assert_refused(post_raw(auth_client, '{"title": "\\ud800"}'), 400, "invalid")


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE tasks_task; --",
        "Robert'); DELETE FROM accounts_user WHERE ('1'='1",
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
    ],
)
def test_sql_and_markup_are_stored_and_returned_literally(auth_client, text):
    created = auth_client.post(reverse("task-list"), {"title": text, "description": text})
    assert created.status_code == 201
    task_id = created.json()["id"]
    fetched = auth_client.get(reverse("task-detail", args=[task_id])).json()
    assert fetched["title"] == text
    assert fetched["description"] == text
    assert Task.objects.get(pk=task_id).title == text
    found = auth_client.get(reverse("task-list"), {"search": text})
    assert [t["id"] for t in found.json()] == [task_id]


@pytest.mark.parametrize(
    "task_id", ["1", "not-a-uuid", "' OR 1=1 --", "00000000-0000-0000-0000-00000000000g"]
)
def test_ids_that_are_not_uuids_are_404(auth_client, user, task_id):
    TaskFactory(user=user)
    response = auth_client.patch(f"/api/tasks/{task_id}/", {"title": "hijack"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Task.objects.filter(title="hijack").exists()


@pytest.mark.parametrize(
    "query",
    [
        "status=pending&status=completed",
        "sort=title&sort=-title",
        "page=1&page=2",
        "page_size=10&page_size=20",
        "page=two",
        "page_size=1.5",
        "priority=1",
        "due_before=yesterday",
        "due_after=2026-13-45T00:00:00Z",
    ],
)
def test_repeated_or_mistyped_query_parameters_are_400(auth_client, query):
    response = auth_client.get(reverse("task-list") + "?" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert query.split("=")[0] in body["errors"]
