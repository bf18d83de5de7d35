import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tasks.serializers import TaskSerializer

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


def test_deleting_the_account_documents_its_body(schema):
    operation = schema["paths"]["/api/auth/me/"]["delete"]
    body = operation["requestBody"]
    assert body["required"] is True
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert schema["components"]["schemas"][ref.split("/")[-1]]["required"] == ["password"]


def test_list_parameters_may_be_empty(schema):
    # An empty value (`?status=`) is read as no value, as the schema says.
    parameters = schema["paths"]["/api/tasks/"]["get"]["parameters"]
    assert all(p.get("allowEmptyValue") for p in parameters if p["in"] == "query")


@pytest.mark.parametrize("collection", ["/api/tasks/", "/api/{user_id}/tasks/"])
def test_a_created_task_links_to_the_operations_on_it(schema, collection):
    links = schema["paths"][collection]["post"]["responses"]["201"]["links"]
    item_operations = [
        operation
        for path, operations in schema["paths"].items()
        if path.startswith(collection + "{id}/")
        for operation in operations.values()
    ]
    assert set(links) == {operation["operationId"] for operation in item_operations}
    update = next(link for name, link in links.items() if name.endswith("_update"))
    assert update["parameters"]["path.id"] == "$response.body#/id"
    assert update["parameters"]["header.If-Match"] == "$response.header.ETag"
    if "{user_id}" in collection:
        assert update["parameters"]["path.user_id"] == "$response.body#/user_id"


TEXTS = [
    "x",
    "  Buy milk \t ",
    "",
    " ",
    "\t\n",
    "\x85",
    "\u3000x\u3000",
    "\ufeff",
    "\x1cx\x1f",
    "x" * 200,
    "  " + "x" * 200 + "  ",
    "x" * 201,
    "d" * 1000,
    " " + "d" * 1000 + " ",
    "d" * 1001,
    "nul\x00inside",
]


@pytest.mark.parametrize("text", TEXTS, ids=lambda text: repr(text)[:20])
def test_text_patterns_accept_exactly_what_the_api_accepts(schema, text):
    # Trimmed first, then at most 200 (title) or 1,000 (description) characters, no NUL.
    properties = schema["components"]["schemas"]["TaskRequest"]["properties"]
    title = properties["title"]
    description, empty = properties["description"]["oneOf"]
    assert empty == {"type": "string", "maxLength": 0}

    title_valid = len(text) >= title["minLength"] and re.search(title["pattern"], text)
    description_valid = text == "" or re.search(description["pattern"], text)

    assert bool(title_valid) == TaskSerializer(data={"title": text}).is_valid()
    assert (
        bool(description_valid)
        == TaskSerializer(data={"title": "x", "description": text}).is_valid()
    )
