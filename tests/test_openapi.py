import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tasks.filters import SORT_CHOICES, STATUS_CHOICES
from tasks.models import Priority
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


# Clients generated from the schema are as strict as the data (docs/API.md).


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def subschemas(node):
    """Every object in the document, nested ones included."""
    if isinstance(node, dict):
        yield node
        node = node.values()
    for child in node:
        if isinstance(child, dict | list):
            yield from subschemas(child)


def test_every_field_of_a_response_is_required(schema):
    components = schema["components"]["schemas"]
    for name in ["Task", "User", "AuthResponse", "TokenPair", "HealthStatus"]:
        assert set(components[name]["required"]) == set(components[name]["properties"]), name
    assert {"description", "completed", "priority", "due_date"} <= set(
        components["Task"]["required"]
    )
    assert "name" in components["User"]["required"]
    # Only validation problems carry `errors`.
    problem = components["Problem"]
    assert set(problem["required"]) == set(problem["properties"]) - {"errors"}


PUBLIC_OPERATIONS = {
    ("/api/auth/register/", "post"),
    ("/api/auth/login/", "post"),
    ("/api/auth/refresh/", "post"),
    ("/api/auth/logout/", "post"),
    ("/health/", "get"),
    ("/health/ready/", "get"),
}


def test_public_operations_declare_no_security_requirement(schema):
    assert "security" not in schema  # each operation declares its own
    for path, method, operation in operations(schema):
        if (path, method) in PUBLIC_OPERATIONS:
            assert operation["security"] == [], (path, method)
        else:
            assert operation["security"] == [{"jwtAuth": []}], (path, method)


def test_task_ids_in_paths_are_uuids(schema):
    ids = [
        parameter
        for path, _, operation in operations(schema)
        if "{id}" in path
        for parameter in operation["parameters"]
        if parameter["in"] == "path" and parameter["name"] == "id"
    ]
    # Tasks: retrieve, update, partial update, delete, complete, move,
    # completions; lists: retrieve, partial update, delete, move; tags:
    # retrieve, partial update, delete; notifications: retrieve, read; each
    # in two shapes.
    assert len(ids) == 32
    assert all(parameter["schema"] == {"type": "string", "format": "uuid"} for parameter in ids)


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def test_enums_are_components_used_by_reference(schema):
    components = schema["components"]["schemas"]
    assert components["PriorityEnum"]["enum"] == list(Priority.values)
    assert components["TaskStatusEnum"]["enum"] == [value for value, _ in STATUS_CHOICES]
    sort = components["TaskSortEnum"]
    assert sort["enum"] == [value for value, _ in SORT_CHOICES]
    names = sort["x-enum-varnames"]
    assert len(names) == len(set(names)) == len(sort["enum"])
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in names)
    assert names[sort["enum"].index("-due_date")] == "DUE_DATE_DESC"

    for body in ["Task", "TaskRequest", "PatchedTaskRequest"]:
        priority = components[body]["properties"]["priority"]
        assert priority == {"oneOf": [ref("PriorityEnum"), {"type": "null"}]}, body
    for collection in ["/api/tasks/", "/api/{user_id}/tasks/"]:
        parameters = {
            p["name"]: p["schema"] for p in schema["paths"][collection]["get"]["parameters"]
        }
        assert parameters["priority"] == ref("PriorityEnum")
        assert parameters["status"] == ref("TaskStatusEnum")
        assert parameters["sort"] == ref("TaskSortEnum")
    # Declared once: no enum outside the components that are one.
    inline = [
        node
        for component in components.values()
        for node in subschemas(component)
        if "enum" in node and node is not component
    ]
    assert inline == []
    assert not [node for node in subschemas(schema["paths"]) if "enum" in node]


def test_nullable_fields_carry_a_type(schema):
    assert schema["openapi"].startswith("3.1.")  # a null is a type, not `nullable`
    components = schema["components"]["schemas"]
    assert "NullEnum" not in components
    nodes = list(subschemas(schema))
    assert not [node for node in nodes if "nullable" in node]
    assert not [node for node in nodes if None in node.get("enum", [])]
    task = components["Task"]["properties"]
    assert task["description"]["type"] == ["string", "null"]
    for name in ["completed_at", "due_date"]:  # a format: the null is an alternative
        assert task[name]["oneOf"] == [{"type": "string", "format": "date-time"}, {"type": "null"}]
    # Every null is a type: beside the one type it goes with, or an alternative of its own.
    types = [node["type"] for node in nodes if isinstance(node.get("type"), list)]
    assert types and all(len(pair) == 2 and pair[1] == "null" for pair in types)


TAGS = {
    "/api/auth/": "auth",
    "/api/tasks/": "tasks",
    "/api/{user_id}/tasks/": "tasks (user path)",
    "/api/lists/": "lists",
    "/api/{user_id}/lists/": "lists (user path)",
    "/api/tags/": "tags",
    "/api/{user_id}/tags/": "tags (user path)",
    "/api/notifications/": "notifications",
    "/api/{user_id}/notifications/": "notifications (user path)",
    "/health/": "health",
}


def test_one_tag_per_resource_each_described(schema):
    assert [tag["name"] for tag in schema["tags"]] == list(TAGS.values())
    assert all(tag["description"] for tag in schema["tags"])
    for path, method, operation in operations(schema):
        prefix = next(prefix for prefix in TAGS if path.startswith(prefix))
        assert operation["tags"] == [TAGS[prefix]], (path, method)


OPERATION_IDS = {
    ("/api/auth/register/", "post"): "auth_register",
    ("/api/auth/login/", "post"): "auth_login",
    ("/api/auth/refresh/", "post"): "auth_refresh",
    ("/api/auth/logout/", "post"): "auth_logout",
    ("/api/auth/me/", "get"): "auth_me_retrieve",
    ("/api/auth/me/", "patch"): "auth_me_partial_update",
    ("/api/auth/me/", "delete"): "auth_me_destroy",
    ("/api/auth/password/", "post"): "auth_password",
    ("/api/tasks/", "get"): "tasks_list",
    ("/api/tasks/", "post"): "tasks_create",
    ("/api/tasks/{id}/", "get"): "tasks_retrieve",
    ("/api/tasks/{id}/", "put"): "tasks_update",
    ("/api/tasks/{id}/", "patch"): "tasks_partial_update",
    ("/api/tasks/{id}/", "delete"): "tasks_destroy",
    ("/api/tasks/{id}/complete/", "patch"): "tasks_complete",
    ("/api/lists/", "get"): "lists_list",
    ("/api/lists/", "post"): "lists_create",
    ("/api/lists/{id}/", "get"): "lists_retrieve",
    ("/api/lists/{id}/", "patch"): "lists_partial_update",
    ("/api/lists/{id}/", "delete"): "lists_destroy",
    ("/api/lists/{id}/move/", "post"): "lists_move",
    ("/api/{user_id}/lists/{id}/move/", "post"): "user_lists_move",
    ("/api/{user_id}/tasks/", "get"): "user_tasks_list",
    ("/api/{user_id}/tasks/{id}/complete/", "patch"): "user_tasks_complete",
    ("/api/tasks/{id}/move/", "post"): "tasks_move",
    ("/api/tasks/{id}/completions/", "get"): "tasks_completions_list",
    ("/api/{user_id}/tasks/{id}/move/", "post"): "user_tasks_move",
    ("/api/tags/", "get"): "tags_list",
    ("/api/tags/{id}/", "get"): "tags_retrieve",
    ("/api/tags/{id}/", "patch"): "tags_partial_update",
    ("/api/tags/{id}/", "delete"): "tags_destroy",
    ("/api/{user_id}/tags/", "get"): "user_tags_list",
    ("/api/notifications/", "get"): "notifications_list",
    ("/api/notifications/{id}/", "get"): "notifications_retrieve",
    ("/api/notifications/{id}/read/", "post"): "notifications_read",
    ("/api/{user_id}/notifications/", "get"): "user_notifications_list",
    ("/health/", "get"): "health_retrieve",
    ("/health/ready/", "get"): "health_ready_retrieve",
}


def test_operation_ids_are_readable_and_unique(schema):
    found = {
        (path, method): operation["operationId"] for path, method, operation in operations(schema)
    }
    assert {key: found.get(key) for key in OPERATION_IDS} == OPERATION_IDS
    assert len(set(found.values())) == len(found)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", operation_id) for operation_id in found.values())


def test_readiness_documents_its_503_problem(schema):
    response = schema["paths"]["/health/ready/"]["get"]["responses"]["503"]
    content = response["content"]
    assert content == {"application/problem+json": {"schema": ref("Problem")}}
    assert "Retry-After" in response["headers"]
