"""OpenAPI generation: every operation documents the errors it can answer with.

drf-spectacular describes the success responses from the serializers; this
AutoSchema adds the problem+json error responses (and their headers) that
apply to each operation, so clients see one error format everywhere. The
schema is also what `make fuzz` tests the running API against, so it states
what the API accepts exactly (text patterns, empty query values, a body
declared on a DELETE). The apps add how their operations chain (OpenAPI
links: tasks.schema, accounts.schema).

Clients are generated from the schema (`make typed-clients`), so it is as
strict as the data, for every operation alike (docs/API.md): every field
of a response is required, public operations declare no security
requirement, an `{id}` is a UUID, choices are enum components, a null is a
`type`, and each operation has one tag and a readable operationId, both
taken from its path.
"""

import re

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    build_basic_type,
    force_instance,
    get_view_model,
    list_hash,
    load_enum_name_overrides,
)
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from inflection import camelize
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from api.errors import PROBLEM_CONTENT_TYPE, ProblemSerializer

# The second shape of the task API: its operations are those of /api/tasks/.
USER_PATH_PREFIX = "/api/{user_id}/"

WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "description": "The authentication scheme to use: `Bearer`.",
    }
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before trying again.",
    }
}
ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` names each field or query parameter and its messages.",
    401: "Missing, invalid or expired credentials.",
    403: "The caller may not act on this resource.",
    404: "No such resource for the caller.",
    405: "The method is not allowed on this resource.",
    406: "None of the accepted media types can be produced.",
    415: "The request body is not JSON.",
    409: "Conflict: the Idempotency-Key is in use by a request still running, or the task "
    "is being changed by others right now.",
    412: "The If-Match ETag no longer matches: fetch the task again.",
    413: "The request body is too large.",
    422: "The Idempotency-Key was already used with another request body.",
    429: "Too many requests: wait `Retry-After` seconds.",
    503: "The database cannot be reached: retry after `Retry-After` seconds.",
}


class TextFieldSchema(OpenApiSerializerFieldExtension):
    """A TextField: in requests the pattern it checks, in responses the length it guarantees."""

    target_class = "api.fields.TextField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        if isinstance(schema.get("type"), list):
            # OpenAPI 3.1 writes a null as a type, and drf-spectacular adds it again
            # to what an extension returns: leave it to that.
            schema["type"] = next(name for name in schema["type"] if name != "null")
        is_email = isinstance(field, serializers.EmailField)  # the format says the rest
        if direction == "request" and not is_email:
            schema["pattern"] = field.request_pattern()
        if field.max_length is not None and not (
            direction == "request" and field.trim_whitespace and not is_email
        ):
            schema["maxLength"] = field.max_length
        return schema


class ProblemAutoSchema(AutoSchema):
    def _get_request_body(self, direction="request"):
        # drf-spectacular documents no body for DELETE; an operation that
        # declares a serializer of its own (DELETE /api/auth/me/) reads one.
        if self.method != "DELETE" or not self._has_own_request_serializer():
            return super()._get_request_body(direction)
        serializer = self.get_request_serializer()
        schema, required = self._get_request_for_media_type(serializer, direction)
        body = {"content": {media_type: {"schema": schema} for media_type in self.map_parsers()}}
        if required:
            body["required"] = True
        return body

    def _has_own_request_serializer(self) -> bool:
        declared = self.get_request_serializer()
        return declared is not None and type(force_instance(declared)) is not type(
            force_instance(self._get_serializer())
        )

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # After drf-spectacular's own minLength (1 for a field that may not be blank).
        if getattr(field, "schema_min_length", None) is not None:
            schema["minLength"] = field.schema_min_length

    def _get_parameters(self):
        parameters = super()._get_parameters()
        if self._is_list_view():
            filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
            for parameter in parameters:
                if parameter["in"] == "query":
                    # django-filter and the paginator read `?status=` as no status.
                    parameter["allowEmptyValue"] = True
                    choices = getattr(filters.get(parameter["name"]), "extra", {}).get("choices")
                    if choices and not callable(choices):
                        parameter["schema"] = self._enum_component(parameter["name"], choices)
        return parameters

    def _enum_component(self, name: str, choices) -> dict:
        """A reference to the enum component of a query parameter's choices.

        drf-spectacular makes components of body fields' choices only, and
        writes a parameter's inline. Here a parameter shares the component of
        body fields with the same choices (PriorityEnum), or has its own, named
        in ENUM_NAME_OVERRIDES (else after the parameter), values in their order.
        """
        choices = list(choices)
        values = [value for value, _ in choices]
        component_name = load_enum_name_overrides().get(
            list_hash(choices), f"{camelize(name)}{spectacular_settings.ENUM_SUFFIX}"
        )
        schema = {**build_basic_type(type(values[0])), "enum": values}
        if not all(str(value).isidentifier() for value in values):
            # Generators would name a value such as `-created` VALUE_0: the
            # labels, as identifiers, name them instead.
            schema["x-enum-varnames"] = [
                re.sub(r"\W+", "_", str(label)).strip("_").upper() for _, label in choices
            ]
        component = ResolvedComponent(
            name=component_name, type=ResolvedComponent.SCHEMA, object=component_name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        model = get_view_model(self.view, emit_warnings=False)
        key = model._meta.pk if model is not None else None
        for parameter in parameters:
            # A lookup takes any segment, so that credentials are checked before
            # an id that is not a UUID is a 404; what clients send is the key.
            if parameter["name"] == "id" and isinstance(key, models.UUIDField):
                parameter["schema"] = build_basic_type(OpenApiTypes.UUID)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            responses.setdefault(str(status), self._problem_response(status))
        return dict(sorted(responses.items()))

    def _error_statuses(self) -> list[int]:
        statuses = {405, 406, 429, 503}
        public = any(
            issubclass(permission, AllowAny) for permission in self.view.permission_classes
        )
        if not public or getattr(self.view, "checks_credentials", False):
            statuses.add(401)
        if self.method in ("POST", "PUT", "PATCH", "DELETE") and self.get_request_serializer():
            statuses.update({400, 413, 415})
        if self._is_create_operation() and getattr(self.view, "idempotent_create", False):
            statuses.update({409, 422})
        if self.method in ("PUT", "PATCH", "DELETE") and "{id}" in self.path:
            statuses.update({409, 412})
        if any(getattr(p, "name", None) == "If-Match" for p in self.get_override_parameters()):
            statuses.add(412)  # an action that takes If-Match (POST .../move/)
        if self._is_list_view():
            statuses.add(400)
        if "{id}" in self.path:
            statuses.add(404)
        if "{user_id}" in self.path:
            statuses.add(403)
        # Answers a view declares for a method of its own (`error_statuses`).
        statuses.update(getattr(self.view, "error_statuses", {}).get(self.method, ()))
        return sorted(statuses)

    def _problem_response(self, status: int) -> dict:
        response = self._get_response_for_code(
            ProblemSerializer, str(status), media_types=[PROBLEM_CONTENT_TYPE]
        )
        response["description"] = ERROR_DESCRIPTIONS[status]
        if status == 401:
            response["headers"] = WWW_AUTHENTICATE
        if status in (429, 503):
            response["headers"] = RETRY_AFTER
        return response

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            # Every field of a response is in every response (null when it has
            # no value), so clients need not check for it; a serializer lists
            # the exceptions in Meta.optional_response_fields.
            meta = getattr(force_instance(serializer), "Meta", None)
            optional = set(getattr(meta, "optional_response_fields", ()))
            required = sorted(set(schema.get("properties", {})) - optional)
            if required:
                schema["required"] = required
        return schema

    def get_auth(self):
        # drf-spectacular marks an operation that needs no credentials with the
        # empty requirement ({}: "or none"), as if it took them optionally.
        auths = super().get_auth()
        return [] if auths == [{}] else auths

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            # No requirement, declared as such: an operation without one takes
            # the document's, and linters ask for one or the other.
            operation.setdefault("security", [])
        return operation

    def get_tags(self):
        # One tag per resource, declared with its description in
        # SPECTACULAR_SETTINGS["TAGS"]: the first word of the path under /api/
        # (auth, tasks), or of the path (health).
        if self.path.startswith(USER_PATH_PREFIX):
            return [f"{self._path_words()[0]} (user path)"]
        return self._path_words()[:1]

    def get_operation_id(self):
        # The function names of generated clients: the words of the path, then
        # what the operation does to it (tasks_list, auth_me_partial_update).
        words = self._path_words()
        if self.path.startswith(USER_PATH_PREFIX):
            words.insert(0, "user")  # the same operations as /api/tasks/
        action = self._operation_action()
        return "_".join([*words, action] if action else words)

    def _path_words(self) -> list[str]:
        words = self.path.removeprefix("/api/").strip("/").split("/")
        return [word for word in words if not word.startswith("{")]

    def _operation_action(self) -> str | None:
        if self.method == "GET" and self._is_list_view():
            return "list"
        action = getattr(self.view, "action", None)
        if action is not None and action not in self.method_mapping.values():
            return None  # a viewset's own action, the last word of its path (complete)
        if self.method == "POST" and not hasattr(self.view, "create"):
            return None  # a POST that does what its path says (login, refresh)
        return self.method_mapping[self.method.lower()]


NULL_ENUM_REF = {"$ref": "#/components/schemas/NullEnum"}
# What stays beside the alternatives of a nullable value: it describes both.
ANNOTATIONS = {"readOnly", "writeOnly", "description", "title", "default", "deprecated"}


def null_as_type(result, generator, request, public):
    """A postprocessing hook, after drf-spectacular's enums: every null is `type: "null"`.

    Where a field's schema would not say so plainly, its null becomes an
    alternative of its own, `oneOf: [<the value>, {type: "null"}]`:
    - a nullable enum, for which drf-spectacular adds a NullEnum component
      (generators make a type of it);
    - a nullable value with a format, such as `due_date`, which would be
      `type: [string, "null"]` beside `format: date-time`: Schemathesis then
      generates strings the format refuses ("") as valid ones.
    """
    result["components"]["schemas"].pop("NullEnum", None)
    _null_as_type(result)
    return result


def _null_as_type(node) -> None:
    if isinstance(node, dict):
        if "oneOf" in node:
            node["oneOf"] = [
                {"type": "null"} if one == NULL_ENUM_REF else one for one in node["oneOf"]
            ]
        types = node.get("type")
        if isinstance(types, list) and "null" in types and "format" in node:
            value = {key: node.pop(key) for key in list(node) if key not in ANNOTATIONS}
            value["type"] = next(name for name in types if name != "null")
            node["oneOf"] = [value, {"type": "null"}]
        node = node.values()
    for child in node:
        if isinstance(child, dict | list):
            _null_as_type(child)
