"""Request ids and the one log line written for every request.

A client's `X-Request-ID` (if it looks like an id) is kept, otherwise one is
generated; either way it is returned in the response and attached to every
log record written while the request is handled, tracebacks included, so
one id finds everything that happened for a request.
"""

import contextvars
import logging
import re
import time
import uuid

request_id_var = contextvars.ContextVar("request_id", default="-")
logger = logging.getLogger("todo.request")

# Anything else (too long, spaces, control characters) could forge log lines.
CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, for the log formats to print."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if CLIENT_REQUEST_ID.match(supplied) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        path = request.get_full_path()  # as the client sent it, before any rewriting
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = (time.perf_counter() - started) * 1000
            user_id = _user_id(request)
            logger.info(
                "%s %s %s %.1fms user=%s",
                request.method,
                path,
                response.status_code,
                duration_ms,
                user_id,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round(duration_ms, 1),
                    "user_id": user_id,
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _user_id(request) -> str:
    # The API's authentication sets request.user; a request it rejected, or
    # one that never reached a view, has no user to report.
    user = request.__dict__.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    return str(user.pk)
