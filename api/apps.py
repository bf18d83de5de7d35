from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The HTTP API's shared plumbing: error format, paging, conditional requests,
    parsing and rendering, throttles, request log, middleware, health probes and
    the PostgreSQL backend. It knows no app's models; the apps build on it.
    """

    name = "api"
