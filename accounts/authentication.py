import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from accounts import external_tokens
from accounts.services import user_for_external_token

TIME_CLAIMS = ("exp", "iat", "nbf")


def _times_are_numbers(claims: dict) -> bool:
    """RFC 7519's NumericDate: a JSON number (PyJWT also reads "123" as one)."""
    return all(
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        for value in (claims[claim] for claim in TIME_CLAIMS if claim in claims)
    )


class BearerTokenAuthentication(JWTAuthentication):
    """simplejwt's authentication, reading the Authorization header strictly, and
    accepting the tokens of the configured external issuers beside the service's own.

    Only `Bearer <token>` with one space and nothing around the token is
    accepted; simplejwt alone splits on any run of white space and so
    accepts variants a client should be told are malformed. The service's
    own tokens and their user are checked by simplejwt itself (user exists,
    is active, password unchanged); the user is read with one plain SQL
    statement (UserManager.get). A token of another issuer is checked
    against that issuer's keys (accounts.external_tokens) and signs in the
    user linked to its issuer and subject, made on first sight. With
    external issuers configured, a refused token of either kind is a 401
    with `WWW-Authenticate: Bearer realm="api", error="invalid_token"`.
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            request.bearer_token_refused = True
            raise

    def authenticate_header(self, request):
        # RFC 6750's error code for a token that was presented and refused;
        # without external issuers the challenge stays as it always was.
        header = super().authenticate_header(request)
        if settings.EXTERNAL_JWT and getattr(request, "bearer_token_refused", False):
            return f'{header}, error="invalid_token"'
        return header

    def get_raw_token(self, header: bytes):
        scheme, _, token = header.partition(b" ")
        if scheme not in AUTH_HEADER_TYPE_BYTES:
            return None  # not a Bearer credential: the request is unauthenticated
        if not token or token != token.strip() or b" " in token:
            raise AuthenticationFailed(
                "The Authorization header must be exactly 'Bearer <token>'.",
                code="bad_authorization_header",
            )
        return token

    def get_validated_token(self, raw_token: bytes):
        issuer = external_tokens.issuer_of(raw_token)
        if issuer is not None:
            token = external_tokens.verify(raw_token, issuer)
            claims = token.claims
        else:
            try:
                token = super().get_validated_token(raw_token)
            except (TypeError, ValueError, OverflowError) as exc:
                # A signed time claim that simplejwt cannot read as a date ("123", 1e30).
                raise InvalidToken(_("Token has an invalid time claim")) from exc
            claims = token.payload
        if not _times_are_numbers(claims):
            raise InvalidToken(_("Token has an invalid time claim"))
        return token

    def get_user(self, validated_token):
        if isinstance(validated_token, external_tokens.ExternalToken):
            user = user_for_external_token(token=validated_token)
            if not user.is_active:
                raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
            return user
        try:
            return super().get_user(validated_token)
        except ValidationError as exc:
            # A signed claim that cannot be a user id ("x", a list): no such user.
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from exc
