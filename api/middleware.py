from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware


class OptionalTrailingSlashMiddleware:
    """Serve `/api/tasks` exactly as `/api/tasks/`, for every method.

    URL patterns are written once, with the trailing slash, and reverse()
    yields that canonical form. Rewriting the path before URL resolution
    (instead of redirecting, as APPEND_SLASH does) means a POST or PATCH
    without the slash is neither redirected nor refused.
    """

    PREFIXES = ("/api/", "/health", "/admin")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(self.PREFIXES) and not path.endswith("/"):
            request.path_info = path + "/"
            request.path = request.path + "/"
        return self.get_response(request)


# The admin is the only part of the site with cookie sessions and a logged-in
# Django user: the API authenticates every request with its bearer token.
ADMIN_PREFIX = "/admin/"


def is_admin_request(request) -> bool:
    return request.path_info.startswith(ADMIN_PREFIX)


class AdminOnly:
    """Runs a middleware for the admin's pages only; other requests go straight through.

    Sessions, the session user and messages cost an API request about 5 % of
    its time for nothing: outside the admin, these three do nothing.
    """

    def __call__(self, request):
        if is_admin_request(request):
            return super().__call__(request)
        return self.get_response(request)


class AdminSessionMiddleware(AdminOnly, SessionMiddleware):
    pass


class AdminAuthenticationMiddleware(AdminOnly, AuthenticationMiddleware):
    pass


class AdminMessageMiddleware(AdminOnly, MessageMiddleware):
    pass
