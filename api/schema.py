"""OpenAPI generation: every operation documents the errors it can answer with.

drf-spectacular describes the success responses from the serializers; this
AutoSchema adds the problem+json error responses (and their headers) that
apply to each operation, so clients see one error format everywhere. The
schema is also what `make fuzz` tests the running API against, so it states
what the API accepts exactly (text patterns, empty query values, a body
declared on a DELETE). The apps add how their operations chain (OpenAPI
links: tasks.schema, accounts.schema).
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from api.errors import PROBLEM_CONTENT_TYPE, ProblemSerializer

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
            for parameter in parameters:
                if parameter["in"] == "query":
                    # django-filter and the paginator read `?status=` as no status.
                    parameter["allowEmptyValue"] = True
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

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        if "{user_id}" in self.path:
            # The path shape serves the same operations as /api/tasks/.
            return operation_id.replace("api_", "api_user_", 1)
        return operation_id
