"""Every error, whoever raises it, is answered in the one problem+json format."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tasks.views import TaskViewSet

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= body.keys()
    assert body["status"] == status
    assert body["code"] == code
    assert body["detail"]
    return body


@pytest.mark.django_db
def test_malformed_json_is_400(auth_client):
    response = auth_client.post(
        reverse("task-list"), data='{"title": ', content_type="application/json"
    )
    assert_problem(response, 400, "parse_error")


@pytest.mark.django_db
def test_unsupported_content_type_is_415(auth_client):
    response = auth_client.post(reverse("task-list"), data="title=x", content_type="text/plain")
    assert_problem(response, 415, "unsupported_media_type")


@pytest.mark.django_db
def test_wrong_method_is_405(auth_client):
    assert_problem(auth_client.delete(reverse("task-list")), 405, "method_not_allowed")


@pytest.mark.django_db
def test_validation_error_names_the_fields(auth_client):
    body = assert_problem(auth_client.post(reverse("task-list"), {"title": " "}), 400, "invalid")
    assert list(body["errors"]) == ["title"]
    assert body["errors"]["title"]


@pytest.mark.django_db
def test_missing_token_is_401_with_bearer_challenge(api_client):
    response = api_client.get(reverse("task-list"))
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/tasks/x/y/z/", "/nothing-here"])
def test_unknown_address_is_404_problem(auth_client, path):
    assert_problem(auth_client.get(path), 404, "not_found")


@pytest.mark.django_db
def test_unknown_api_address_is_404_problem_even_in_debug(auth_client, settings):
    settings.DEBUG = True
    assert_problem(auth_client.get("/api/nothing-here/"), 404, "not_found")


@pytest.mark.django_db
def test_unexpected_error_is_500_problem_without_internals(user, monkeypatch):
    def explode(self, request, *args, **kwargs):
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(TaskViewSet, "list", explode)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    response = client.get(reverse("task-list"))
    assert_problem(response, 500, "server_error")
    text = response.content.decode()
    assert "SELECT" not in text
    assert "Traceback" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_api_address_is_404_problem_for_every_method(auth_client, method):
    response = getattr(auth_client, method)("/api/tasks//", {"title": "x"})
    assert_problem(response, 404, "not_found")


@pytest.mark.django_db
def test_csrf_failure_is_a_403_problem(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/admin/logout/")
    assert_problem(response, 403, "csrf_failed")
