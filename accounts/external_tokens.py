"""Tokens from other issuers (settings.EXTERNAL_JWT): which issuer a token is for, and its check.

A token is checked against the keys of the issuer it claims, and only
those: one naming the JWKS issuer in `iss` against that issuer's public
keys (asymmetric algorithms only); any other token that is not one of this
service's own (they carry simplejwt's `token_type`) against the shared
secret, if one is set; everything else is left to simplejwt, which checks
the service's own tokens with its own key. So no key ever serves another
issuer's tokens, and an `alg` that does not fit the key is refused: a token
signed with HS256 using a public key as the secret is a 401.

Checked: the signature; `exp` (required); `iat` not in the future beyond
the leeway; `iss` and `aud` (always with a JWKS, with a shared secret when
configured); the user-id claim, a string of 1 to 255 printable characters.
"""

from dataclasses import dataclass

import jwt
from django.conf import settings
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts import jwks
from accounts.issuers import Issuer

SUBJECT_MAX_LENGTH = 255
# The algorithms each kind of key can verify (the JWK's own `alg`, when it
# names one, narrows them further).
KEY_ALGORITHMS = {
    ("OKP", "Ed25519"): {"EdDSA"},
    ("OKP", "Ed448"): {"EdDSA"},
    ("EC", "P-256"): {"ES256"},
    ("EC", "P-384"): {"ES384"},
    ("EC", "P-521"): {"ES512"},
    ("RSA", None): {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"},
}
# simplejwt's claim on the service's own tokens.
OWN_TOKEN_CLAIM = "token_type"  # noqa: S105 - a claim name


@dataclass(frozen=True)
class ExternalToken:
    """A verified token of another issuer: who it says the user is, and all it claims."""

    issuer: str  # the issuer's name as identities record it (Issuer.name)
    subject: str
    claims: dict


def issuer_of(raw_token: str) -> Issuer | None:
    """The configured issuer that must check this token; None for the service's own kind."""
    issuers = settings.EXTERNAL_JWT
    if not issuers:
        return None
    try:
        claims = jwt.decode(raw_token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise InvalidToken("The token is not a JWT.") from exc
    if issuers.jwks is not None and claims.get("iss") == issuers.jwks.issuer:
        return issuers.jwks
    if issuers.shared_secret is not None and OWN_TOKEN_CLAIM not in claims:
        return issuers.shared_secret
    return None


def verify(raw_token: str, issuer: Issuer) -> ExternalToken:
    """The token's checked claims; InvalidToken (a 401) for any reason to refuse it."""
    issuers = settings.EXTERNAL_JWT
    try:
        key, algorithms = _key(raw_token, issuer)
        claims = jwt.decode(
            raw_token,
            key,
            algorithms=algorithms,
            issuer=issuer.issuer,
            audience=list(issuer.audiences) or None,
            leeway=issuers.leeway_seconds,
            options={
                "require": ["exp", *(["iss"] if issuer.issuer else [])],
                "verify_aud": bool(issuer.audiences),
            },
        )
    except (jwt.InvalidTokenError, jwt.PyJWKError) as exc:
        raise InvalidToken(f"The token is not valid: {exc}") from exc
    subject = claims.get(issuers.user_id_claim)
    if not _is_subject(subject):
        raise InvalidToken(
            f"The token's {issuers.user_id_claim!r} claim must be a user id: "
            f"1 to {SUBJECT_MAX_LENGTH} printable characters."
        )
    return ExternalToken(issuer.name, subject, claims)


def _key(raw_token: str, issuer: Issuer):
    """The key to check this token with, and the one algorithm it may use."""
    if issuer.secret is not None:
        return issuer.secret, ["HS256"]
    header = jwt.get_unverified_header(raw_token)
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in issuer.algorithms:
        raise jwt.InvalidAlgorithmError(f"the algorithm {algorithm!r} is not accepted")
    if not isinstance(kid, str):
        raise jwt.InvalidTokenError("the header names no key (kid)")
    jwk = jwks.jwk_for(issuer.jwks_url, kid)
    if jwk is None:
        raise jwt.InvalidTokenError(f"the issuer has no key {kid!r}")
    fitting = KEY_ALGORITHMS.get((jwk.get("kty"), jwk.get("crv")), set())
    if jwk.get("alg") is not None:
        fitting &= {jwk["alg"]}
    if algorithm not in fitting:
        raise jwt.InvalidAlgorithmError(f"the key {kid!r} does not sign with {algorithm}")
    return jwt.PyJWK(jwk, algorithm=algorithm).key, [algorithm]


def _is_subject(value) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= SUBJECT_MAX_LENGTH and value.isprintable()
