from contextlib import contextmanager
from datetime import datetime
from http import HTTPStatus

from tasks.models import Task

PROBLEM_CONTENT_TYPE = "application/problem+json"
TASK_FIELDS = {
    "id",
    "user_id",
    "title",
    "description",
    "completed",
    "completed_at",
    "priority",
    "due_date",
    "created_at",
    "updated_at",
}


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """Assert an error answer in the problem+json format and return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    assert body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


def assert_invalid(response, *names: str) -> dict:
    """Assert a 400 validation error naming exactly these fields or query parameters."""
    body = assert_problem(response, 400, "invalid")
    assert set(body["errors"]) == set(names), body
    assert all(body["errors"][name] for name in names)
    return body


def stored_tasks() -> list[dict]:
    return list(Task.objects.order_by("id").values())


@contextmanager
def tasks_unchanged():
    """Assert that the block changes no task of anyone, field for field."""
    before = stored_tasks()
    yield
    assert stored_tasks() == before


def parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
