"""CORS fits front ends that send bearer tokens: the API only, no cookies, listed origins only."""

import pytest
from django.urls import reverse

from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

FRONT_END = "https://app.example.org"
REQUEST_HEADERS = [
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
]
EXPOSED = {
    "etag",
    "location",
    "link",
    "x-total-count",
    "retry-after",
    "idempotent-replayed",
    "x-request-id",
}


@pytest.fixture(autouse=True)
def front_end(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]


def preflight(client, path: str, method: str, origin: str = FRONT_END):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=", ".join(REQUEST_HEADERS),
    )


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_preflights_allow_the_headers_the_api_reads_on_every_method(api_client, method):
    response = preflight(api_client, "/api/tasks/00000000-0000-0000-0000-000000000000/", method)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert set(REQUEST_HEADERS) <= allowed
    assert method in response["Access-Control-Allow-Methods"]


def test_no_credentials_by_default_and_a_setting_to_allow_them(api_client, settings):
    assert "Access-Control-Allow-Credentials" not in preflight(api_client, "/api/tasks/", "GET")
    settings.CORS_ALLOW_CREDENTIALS = True
    response = preflight(api_client, "/api/tasks/", "GET")
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_scripts_may_read_the_headers_the_api_answers_with(auth_client, user):
    TaskFactory(user=user)
    response = auth_client.get(reverse("task-list"), HTTP_ORIGIN=FRONT_END)
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert exposed >= EXPOSED


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/health"])
def test_cors_stays_off_outside_the_api(api_client, path):
    response = api_client.get(path, HTTP_ORIGIN=FRONT_END)
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in preflight(api_client, path, "POST")


def test_an_unlisted_origin_gets_no_cors_headers(api_client):
    response = api_client.get(reverse("task-list"), HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_no_origin_is_allowed_by_default_with_debug_off():
    from tests.test_settings import run_python

    result = run_python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CORS_ALLOWED_ORIGINS)",
        SECRET_KEY="x" * 50,
    )
    assert result.stdout.strip() == "[]"
