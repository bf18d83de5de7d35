import pytest
from django.urls import reverse

from tasks.tests.factories import TaskFactory


@pytest.mark.django_db
def test_preflight_from_a_local_front_end_is_allowed_with_credentials(api_client):
    response = api_client.options(
        reverse("task-list"),
        HTTP_ORIGIN="http://localhost:5173",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert "authorization" in response["Access-Control-Allow-Headers"]


@pytest.mark.django_db
def test_paging_headers_are_exposed_to_scripts(auth_client, user):
    TaskFactory(user=user)
    response = auth_client.get(reverse("task-list"), HTTP_ORIGIN="http://localhost:3000")
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"link", "x-total-count", "location"} <= exposed


@pytest.mark.django_db
def test_unknown_origin_gets_no_cors_headers(api_client):
    response = api_client.get(reverse("health"), HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response
