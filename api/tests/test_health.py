import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from api.tests.assertions import assert_problem


def test_health_answers_ok_without_touching_the_database(api_client):
    # No django_db mark: any database access in this test raises.
    response = api_client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/health", "/health/", "/health/ready", "/health/ready/"])
def test_health_paths_work_with_and_without_trailing_slash(api_client, path):
    assert api_client.get(path).status_code == 200


@pytest.mark.django_db
def test_ready_is_ok_when_the_database_answers(api_client):
    response = api_client.get(reverse("health-ready"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_is_503_problem_when_the_database_fails(api_client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = api_client.get(reverse("health-ready"))
    assert_problem(response, 503, "database_unavailable")
    assert "connection refused" not in response.content.decode()
