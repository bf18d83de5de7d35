import re

import pytest
from django.core.management import call_command
from django.urls import reverse

ENDPOINTS = [
    "/api/auth/register/",
    "/api/auth/login/",
    "/api/auth/refresh/",
    "/api/auth/logout/",
    "/api/auth/me/",
    "/api/auth/password/",
    "/api/tasks/",
    "/api/tasks/{id}/",
    "/api/tasks/{id}/complete/",
    "/api/{user_id}/tasks/",
    "/api/{user_id}/tasks/{id}/",
    "/api/{user_id}/tasks/{id}/complete/",
]


@pytest.fixture
def schema(api_client, db):
    response = api_client.get(reverse("schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_schema_describes_every_endpoint(schema):
    assert set(ENDPOINTS) <= set(schema["paths"])


def test_schema_documents_paging_and_location_headers(schema):
    list_op = schema["paths"]["/api/tasks/"]["get"]
    assert {"Link", "X-Total-Count"} <= set(list_op["responses"]["200"]["headers"])
    params = {p["name"] for p in list_op["parameters"]}
    assert {"status", "sort", "priority", "search", "due_before", "due_after", "page"} <= params
    create_op = schema["paths"]["/api/tasks/"]["post"]
    assert "Location" in create_op["responses"]["201"]["headers"]


def test_schema_documents_the_error_format(schema):
    assert {"type", "title", "status", "detail", "code", "errors"} <= set(
        schema["components"]["schemas"]["Problem"]["properties"]
    )
    not_found = schema["paths"]["/api/tasks/{id}/"]["get"]["responses"]["404"]
    assert "application/problem+json" in not_found["content"]


def test_schema_generation_validates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


@pytest.mark.parametrize("url_name", ["swagger-ui", "redoc"])
def test_docs_pages_load_their_assets_from_this_server(api_client, db, url_name):
    response = api_client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "/static/drf_spectacular_sidecar/" in html
