"""The token issuers besides this service: a JWKS issuer (Better Auth, say) and a shared secret.

Built once, in settings.py, from the EXTERNAL_JWT_* variables (and
BETTER_AUTH_URL), and checked there: a value that cannot work stops the
server at start with a one-line reason (ImproperlyConfigured). Nothing here
imports the app's models, so settings can use it.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The asymmetric algorithms a JWKS key can verify. HS* and "none" are never
# accepted with a JWKS: a public key must not become a shared secret.
ASYMMETRIC_ALGORITHMS = {
    "EdDSA",
    "ES256",
    "ES384",
    "ES512",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
}
DEFAULT_ALGORITHMS = ("EdDSA", "ES256", "RS256")
# What identities made from shared-secret tokens record as their issuer when
# no EXTERNAL_JWT_ISSUER is set (the token's own `iss` is then not checked,
# so it must not name the identity).
SHARED_SECRET_ISSUER = "shared-secret"  # noqa: S105 - a label
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Issuer:
    """One issuer of tokens this service accepts, and how its tokens are checked."""

    name: str  # recorded with each user it signs in: (name, subject) is the identity
    issuer: str | None  # the `iss` its tokens must carry; None: not checked
    audiences: tuple[str, ...]  # a token must name one of them in `aud`; empty: not checked
    algorithms: tuple[str, ...]
    jwks_url: str | None = None  # keys from this JWKS document...
    secret: str | None = None  # ...or this HS256 shared secret


@dataclass(frozen=True)
class ExternalIssuers:
    jwks: Issuer | None
    shared_secret: Issuer | None
    user_id_claim: str
    leeway_seconds: int

    def __bool__(self) -> bool:
        return self.jwks is not None or self.shared_secret is not None


def external_issuers(
    *,
    better_auth_url: str = "",
    jwks_url: str = "",
    issuer: str = "",
    audiences: list[str] | None = None,
    algorithms: list[str] | None = None,
    secret: str = "",
    user_id_claim: str = "sub",
    leeway_seconds: int = 30,
    signing_key: str = "",
) -> ExternalIssuers:
    """The configured issuers. BETTER_AUTH_URL sets the JWKS URL and the expected issuer
    and audience (the URL's origin); the explicit variables win over it."""
    audiences = [value for value in (audiences or []) if value]
    if better_auth_url:
        origin = _origin(better_auth_url, "BETTER_AUTH_URL")
        jwks_url = jwks_url or better_auth_url.rstrip("/") + "/api/auth/jwks"
        jwks_issuer, jwks_audiences = issuer or origin, audiences or [origin]
    else:
        jwks_issuer, jwks_audiences = issuer, audiences

    jwks = None
    if jwks_url:
        _origin(jwks_url, "EXTERNAL_JWT_JWKS_URL")
        if not jwks_issuer or not jwks_audiences:
            raise ImproperlyConfigured(
                "EXTERNAL_JWT_JWKS_URL needs EXTERNAL_JWT_ISSUER and EXTERNAL_JWT_AUDIENCE "
                "(or BETTER_AUTH_URL): tokens checked with a JWKS must name both."
            )
        chosen = _algorithms(algorithms)
        jwks = Issuer(jwks_issuer, jwks_issuer, tuple(jwks_audiences), chosen, jwks_url=jwks_url)

    shared = None
    if secret:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(
                f"EXTERNAL_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters."
            )
        if secret == signing_key:
            raise ImproperlyConfigured(
                "EXTERNAL_JWT_SECRET must differ from the key this service signs its own "
                "tokens with (JWT_SIGNING_KEY or SECRET_KEY)."
            )
        # A shared secret checks the explicit issuer and audience only: the ones
        # derived from BETTER_AUTH_URL belong to its JWKS.
        shared = Issuer(
            issuer or SHARED_SECRET_ISSUER,
            issuer or None,
            tuple(audiences),
            ("HS256",),
            secret=secret,
        )
        if jwks is not None and shared.issuer == jwks.issuer:
            raise ImproperlyConfigured(
                "EXTERNAL_JWT_SECRET and the JWKS cannot share one issuer: a token is "
                "checked against the keys of the issuer it names, and only those."
            )

    if not user_id_claim:
        raise ImproperlyConfigured("EXTERNAL_JWT_USER_ID_CLAIM must name a claim.")
    if leeway_seconds < 0:
        raise ImproperlyConfigured("EXTERNAL_JWT_LEEWAY_SECONDS must be 0 or more.")
    return ExternalIssuers(jwks, shared, user_id_claim, leeway_seconds)


def _origin(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an http(s) URL, not {url!r}.")
    return f"{parts.scheme}://{parts.netloc}"


def _algorithms(names: list[str] | None) -> tuple[str, ...]:
    chosen = tuple(name for name in (names or DEFAULT_ALGORITHMS) if name) or DEFAULT_ALGORITHMS
    refused = [name for name in chosen if name not in ASYMMETRIC_ALGORITHMS]
    if refused:
        raise ImproperlyConfigured(
            f"EXTERNAL_JWT_ALGORITHMS: {', '.join(refused)} cannot verify tokens with a JWKS "
            f"(use some of {', '.join(sorted(ASYMMETRIC_ALGORITHMS))})."
        )
    return chosen
