"""Request rate limits.

Rates live in settings.THROTTLE_RATES (read at each request, so they can be
changed in tests and from the environment). Endpoints that check
credentials count per client address (AuthAddressThrottle; accounts adds a
count per email) in the shared "default" cache; everything behind
authentication counts per user in the "throttle" cache, which never costs an
SQL query (see the cache settings).
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework import throttling


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the trusted proxy header if configured."""
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # X-Forwarded-For grows to the right: the last entry is the one our
        # proxy wrote; anything before it came from the client and can be forged.
        candidate = value.split(",")[-1].strip()
        if candidate:
            return candidate
    return request.META.get("REMOTE_ADDR", "")


class ConfiguredRateThrottle(throttling.SimpleRateThrottle):
    def get_rate(self):
        return settings.THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return client_address(request)


class UserRateThrottle(ConfiguredRateThrottle):
    """Per authenticated user, for everything behind authentication."""

    scope = "tasks"

    @property
    def cache(self):
        return caches["throttle"]

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # refused by authentication before it costs anything
        return f"throttle:{self.scope}:user:{request.user.pk}"


class AuthAddressThrottle(ConfiguredRateThrottle):
    """Per client address, on the view's `throttle_scope` (login, register...)."""

    def __init__(self):
        pass  # the scope, hence the rate, is only known from the view

    def allow_request(self, request, view):
        self.scope = view.throttle_scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return f"throttle:{self.scope}:address:{self.get_ident(request)}"
