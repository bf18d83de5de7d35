"""Every error, whoever raises it, is answered in the one problem+json format (api.errors)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.tests.assertions import assert_problem

pytestmark = pytest.mark.urls("api.tests.urls")


def test_malformed_json_is_400(api_client):
    response = api_client.post(reverse("notes"), data='{"title": ', content_type="application/json")
    assert_problem(response, 400, "parse_error")


def test_unsupported_content_type_is_415(api_client):
    response = api_client.post(reverse("notes"), data="title=x", content_type="text/plain")
    assert_problem(response, 415, "unsupported_media_type")


def test_wrong_method_is_405(api_client):
    assert_problem(api_client.delete(reverse("notes")), 405, "method_not_allowed")


def test_validation_error_names_the_fields_and_sums_them_up(api_client):
    response = api_client.post(reverse("notes"), {"title": " ", "done": "yes"})

    body = assert_problem(response, 400, "invalid")
    assert list(body["errors"]) == ["title", "done"]
    assert body["detail"] == (
        "Invalid input. title: This field may not be blank. done: Must be a valid boolean."
    )


@pytest.mark.django_db
def test_missing_token_is_401_with_bearer_challenge(api_client):
    response = api_client.get(reverse("private"))
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_address_is_404_problem(api_client):
    assert_problem(api_client.get("/api/nothing-here/"), 404, "not_found")


def test_unexpected_error_is_500_problem_without_internals():
    response = APIClient(raise_request_exception=False).get(reverse("broken"))

    assert_problem(response, 500, "server_error")
    text = response.content.decode()
    assert "SELECT" not in text
    assert "Traceback" not in text


def test_a_database_that_cannot_be_reached_is_503_with_retry_after(api_client):
    response = api_client.get(reverse("database-down"))

    assert_problem(response, 503, "database_unavailable")
    assert int(response["Retry-After"]) > 0
    assert "server closed" not in response.content.decode()
