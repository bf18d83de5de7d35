"""One error format for every response that is not a success.

Errors are `application/problem+json` (RFC 9457): `type`, `title` (the
HTTP reason phrase), `status`, `detail` (a sentence a person can act on),
`code` (stable and machine-readable) and, for validation errors, `errors`
mapping each field or query parameter to its messages. DRF's exceptions
come through `problem_exception_handler`; Django's own 400/403/404/500
pages through the `handler*` views wired in the root URLconf.
"""

from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback
from rest_framework_simplejwt.exceptions import InvalidToken

PROBLEM_CONTENT_TYPE = "application/problem+json"
NOT_FOUND_DETAIL = "No resource was found at this address."
DATABASE_RETRY_AFTER_SECONDS = 5
INVALID_TOKEN_DETAIL = "The access token is invalid or has expired. Refresh it or log in again."  # noqa: S105


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The service cannot reach its database right now. Try again shortly."
    default_code = "database_unavailable"
    wait = DATABASE_RETRY_AFTER_SECONDS


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"

    def __init__(self):
        limit_kib = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        super().__init__(f"The request body is larger than the {limit_kib} KiB accepted.")


class ProblemSerializer(serializers.Serializer):
    """The error body, for the OpenAPI schema."""

    type = serializers.CharField(default="about:blank")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, in a sentence a person can act on.")
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: messages for each field or query parameter.",
    )

    class Meta:
        # Only validation errors carry `errors` (api.schema: the rest is always there).
        optional_response_fields = ["errors"]


def problem_body(status: int, code: str, detail: str, errors: dict | None = None) -> dict:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_exception_handler(exc, context):
    exc = _as_api_exception(exc)
    if exc is None:
        return None  # unexpected: Django's 500 handler answers and logs it

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        body = problem_body(exc.status_code, "invalid", _validation_detail(errors), errors)
    else:
        body = problem_body(exc.status_code, _code(exc), _detail(exc))

    set_rollback()
    return Response(
        body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )


def _as_api_exception(exc):
    # A lost or refused connection (or SQLite's "database is locked") is
    # temporary: 503 with Retry-After, and the next request reconnects.
    if isinstance(exc, (OperationalError, InterfaceError)):
        return DatabaseUnavailable()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, Http404):
        return exceptions.NotFound(NOT_FOUND_DETAIL)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.APIException):
        return exc
    return None


def _field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        errors = {}
        for field, value in detail.items():
            for name, messages in _field_errors(value).items():
                key = field if name == "non_field_errors" else f"{field}.{name}"
                errors.setdefault(key, []).extend(messages)
        return errors
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {"non_field_errors": [str(item) for item in detail]}
        errors = {}
        for index, item in enumerate(detail):
            for name, messages in _field_errors(item).items():
                errors.setdefault(f"{index}.{name}", []).extend(messages)
        return errors
    return {"non_field_errors": [str(detail)]}


def _validation_detail(errors: dict[str, list[str]]) -> str:
    parts = [f"{field}: {messages[0]}" for field, messages in errors.items() if messages]
    return "Invalid input. " + " ".join(parts) if parts else "Invalid input."


def _detail(exc) -> str:
    if isinstance(exc, InvalidToken):
        return INVALID_TOKEN_DETAIL
    detail = exc.detail
    if isinstance(detail, dict):
        detail = detail.get("detail", next(iter(detail.values()), exc.default_detail))
    if isinstance(detail, list):
        detail = detail[0] if detail else exc.default_detail
    return str(detail)


def _code(exc) -> str:
    code = getattr(exc.detail, "code", None)
    if isinstance(exc.detail, dict):
        code = exc.detail.get("code", code)
    return str(code or exc.default_code)


def _problem_response(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        problem_body(status, code, detail), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        error = RequestTooLarge()
        return _problem_response(error.status_code, error.default_code, str(error.detail))
    return _problem_response(400, "bad_request", "The request could not be understood.")


def permission_denied(request, exception=None):
    return _problem_response(
        403, "permission_denied", "You do not have permission to perform this action."
    )


def csrf_failure(request, reason=""):
    return _problem_response(
        403, "csrf_failed", "CSRF verification failed. Reload the page and submit the form again."
    )


def not_found(request, exception=None):
    return _problem_response(404, "not_found", NOT_FOUND_DETAIL)


class DatabaseUnavailableMiddleware:
    """The same 503 for pages outside the API (the admin) when the database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            response = _problem_response(
                503, DatabaseUnavailable.default_code, str(DatabaseUnavailable.default_detail)
            )
            response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
            return response
        return None


def server_error(request):
    return _problem_response(
        500, "server_error", "The server failed to handle the request. Try again later."
    )
