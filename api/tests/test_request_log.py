"""One log line per request, tagged with a request id that the client also sees."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from api.tests.urls import BrokenView

pytestmark = pytest.mark.urls("api.tests.urls")


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "todo.request"]


@pytest.mark.django_db
def test_each_request_logs_one_line_with_method_path_status_duration_and_user(
    auth_client, user, caplog
):
    caplog.set_level(logging.INFO, logger="todo.request")
    response = auth_client.get(reverse("private") + "?status=pending")

    [record] = request_lines(caplog)
    assert record.method == "GET"
    assert record.path == "/api/private/?status=pending"
    assert record.status == 200
    assert record.duration_ms >= 0
    assert record.user_id == str(user.pk)
    assert record.request_id == response["X-Request-ID"]
    assert f"user={user.pk}" in record.getMessage()


@pytest.mark.django_db
def test_anonymous_request_logs_a_dash_for_the_user(api_client, caplog):
    caplog.set_level(logging.INFO, logger="todo.request")
    api_client.get(reverse("private"))
    [record] = request_lines(caplog)
    assert record.status == 401
    assert record.user_id == "-"


@pytest.mark.django_db
def test_client_request_id_is_echoed_and_logged(api_client, caplog):
    caplog.set_level(logging.INFO, logger="todo.request")
    response = api_client.get(reverse("health"), HTTP_X_REQUEST_ID="client-id.42")
    assert response["X-Request-ID"] == "client-id.42"
    assert request_lines(caplog)[0].request_id == "client-id.42"


@pytest.mark.django_db
@pytest.mark.parametrize("supplied", [None, "", "has spaces", "x" * 129, "line\\nbreak"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_generated_one(api_client, supplied):
    headers = {} if supplied is None else {"HTTP_X_REQUEST_ID": supplied}
    first = api_client.get(reverse("health"), **headers)["X-Request-ID"]
    second = api_client.get(reverse("health"), **headers)["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert first != supplied


def test_server_error_traceback_is_logged_with_the_request_id_not_returned(monkeypatch, caplog):
    def explode(self, request, *args, **kwargs):
        raise RuntimeError("boom from the database layer")

    monkeypatch.setattr(BrokenView, "get", explode)
    client = APIClient(raise_request_exception=False)
    response = client.get(reverse("broken"), HTTP_X_REQUEST_ID="trace-me")

    assert response.status_code == 500
    assert "boom" not in response.content.decode()
    errors = [r for r in caplog.records if r.exc_info]
    assert errors, "the traceback is logged server-side"
    assert errors[0].request_id == "trace-me"
    assert "boom from the database layer" in str(errors[0].exc_info[1])


def test_json_log_format_writes_one_json_object_per_line():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "todo_project.settings",
        "ENV_FILE": os.devnull,
        "LOG_FORMAT": "json",
        "ALLOWED_HOSTS": "testserver",
    }
    code = (
        "import django; django.setup(); from django.test import Client; "
        "Client().get('/health', HTTP_X_REQUEST_ID='json-1')"
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # Other output (a warning from a library, say) may share stderr; log records are JSON.
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [line] = [r for r in records if r["logger"] == "todo.request"]
    assert line["request_id"] == "json-1"
    assert line["status"] == 200
    assert line["path"] == "/health"
    assert line["user_id"] == "-"


def test_unknown_log_format_refuses_to_start():
    env = {**os.environ, "ENV_FILE": os.devnull, "LOG_FORMAT": "xml"}
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "todo_project: configuration error: LOG_FORMAT must be plain or json, not 'xml'."
    ]
