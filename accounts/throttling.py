"""The per-email limit of the endpoints that check credentials (login, register...).

It sits beside the per-address limit of the API plumbing
(api.throttling.AuthAddressThrottle), counted in the same shared cache.
"""

import hashlib

from accounts.models import normalize_email
from api.throttling import AuthAddressThrottle


class AuthEmailThrottle(AuthAddressThrottle):
    """Per email address: the one sent in the body, or the caller's own."""

    def get_cache_key(self, request, view):
        email = None
        if request.user and request.user.is_authenticated:
            email = request.user.email
        elif isinstance(request.data, dict) and isinstance(request.data.get("email"), str):
            email = normalize_email(request.data["email"])
        if not email:
            return None
        # Hashed: the address comes from the request body before it is
        # validated, and a cache key must stay short and free of NULs
        # (the database cache's key column is 255 characters).
        return f"throttle:{self.scope}:email:{key_digest(email)}"


def key_digest(value: str) -> str:
    """A short key for a value read from a request before it is validated (an email,
    a header), whatever it holds: for cache keys and lockout buckets."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
