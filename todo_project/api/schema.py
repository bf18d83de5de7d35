"""OpenAPI generation: every operation documents the errors it can answer with.

drf-spectacular describes the success responses from the serializers; this
AutoSchema adds the problem+json error responses (and their headers) that
apply to each operation, so clients see one error format everywhere.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

from todo_project.api.errors import PROBLEM_CONTENT_TYPE, ProblemSerializer

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


class BearerTokenScheme(SimpleJWTScheme):
    """Documents the project's strict Bearer authentication as simplejwt's scheme."""

    target_class = "accounts.authentication.BearerTokenAuthentication"


class ProblemAutoSchema(AutoSchema):
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
