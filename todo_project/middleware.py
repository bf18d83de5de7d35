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
