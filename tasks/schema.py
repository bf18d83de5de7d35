"""OpenAPI links of the task API: from a task to every operation on it.

A postprocessing hook of drf-spectacular (SPECTACULAR_SETTINGS). Clients and
tools (Schemathesis's stateful tests in `make fuzz`) follow the links.
"""

TASK_SCHEMA_REF = "#/components/schemas/Task"


def add_task_links(result, generator, request, public):
    """A task returned by any operation (201 from creation, 200 from the others)
    leads to every operation on that task, with its `id` (and `user_id` under
    /api/{user_id}/tasks/) and its ETag as If-Match.
    """
    paths = result["paths"]
    for collection in [path for path in paths if path.endswith("/tasks/")]:
        targets = [
            operation
            for path, operations in paths.items()
            if path.startswith(f"{collection}{{id}}/")
            for operation in operations.values()
        ]
        sources = [(paths[collection]["post"], "201")] + [
            (operation, "200") for operation in targets if _returns_task(operation, "200")
        ]
        for operation, status in sources:
            operation["responses"][status]["links"] = {
                target["operationId"]: _task_link(target) for target in targets
            }
    return result


def _returns_task(operation: dict, status: str) -> bool:
    content = operation["responses"].get(status, {}).get("content", {})
    return any(media.get("schema", {}).get("$ref") == TASK_SCHEMA_REF for media in content.values())


def _task_link(target: dict) -> dict:
    parameters = {}
    for parameter in target.get("parameters", []):
        if parameter["in"] == "path":
            # A task carries the path parameters that address it: id, user_id.
            parameters[f"path.{parameter['name']}"] = f"$response.body#/{parameter['name']}"
        elif parameter["in"] == "header" and parameter["name"] == "If-Match":
            parameters["header.If-Match"] = "$response.header.ETag"
    return {"operationId": target["operationId"], "parameters": parameters}
