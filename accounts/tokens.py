"""The service's own token pairs: issued, rotated, revoked, a sign-in's family at a time.

Every sign-in (registration, login, password change) starts a *family*: its
refresh token carries a `family` claim, and so does each token that a refresh
gives in exchange. A refresh token can be spent once. Presenting one that was
already spent means that two parties hold it, the client and whoever copied
it: the whole family is revoked (every refresh token descended from that
sign-in, including the one the legitimate client holds now), and the event
is logged with the user's id. Logging out revokes the family too.

Access tokens are not revoked: they live until they expire (15 minutes by
default, JWT_ACCESS_TOKEN_MINUTES), except that a password change ends every
one issued before it (they carry a digest of the password hash).
"""

import logging
import uuid

import jwt
from django.contrib.auth import get_user_model
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

logger = logging.getLogger(__name__)
FAMILY_CLAIM = "family"


class InvalidRefreshToken(exceptions.AuthenticationFailed):
    default_detail = "The refresh token is invalid, expired or revoked. Log in again."
    default_code = "token_not_valid"


def tokens_for_user(user, *, family: str | None = None) -> dict[str, str]:
    """A new token pair: of a new family (a sign-in), or of `family` (a refresh)."""
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = family or uuid.uuid4().hex
    # simplejwt recorded the token (OutstandingToken) before it had its family.
    OutstandingToken.objects.filter(jti=refresh[jwt_settings.JTI_CLAIM]).update(token=str(refresh))
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def token_refresh(*, refresh: str) -> dict[str, str]:
    """Spend a refresh token: it is blacklisted and a new pair of its family is issued."""
    token = _valid_refresh_token(refresh)
    user_id = token.payload.get(jwt_settings.USER_ID_CLAIM)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise InvalidRefreshToken()
    if token.payload.get(jwt_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise InvalidRefreshToken()
    _blacklist_once(token)
    return tokens_for_user(user, family=token.payload.get(FAMILY_CLAIM))


def token_revoke(*, refresh: str) -> None:
    """Log out: the refresh token and the rest of its family can no longer be used."""
    token = _valid_refresh_token(refresh)
    _blacklist_once(token)
    _revoke_family(token.payload)


def user_revoke_all_tokens(*, user) -> int:
    """Blacklist every refresh token of the user that is not blacklisted yet."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    return _blacklist(list(outstanding))


def _valid_refresh_token(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # signature, expiry, type and blacklist
    except TokenError as exc:
        _revoke_family_if_reused(raw)
        raise InvalidRefreshToken() from exc


def _blacklist_once(token: RefreshToken) -> None:
    # get_or_create is decided by the unique index on the blacklist, so of two
    # requests spending the same refresh token at once only one succeeds; the
    # other presented a spent token, and its family goes.
    _, created = token.blacklist()
    if not created:
        _revoked_for_reuse(token.payload)
        raise InvalidRefreshToken()


def _revoke_family_if_reused(raw: str) -> None:
    """If `raw` is a genuine refresh token that was spent already, revoke its family."""
    try:
        payload = token_backend.decode(raw, verify=True)  # signature and expiry
    except TokenBackendError:
        return  # not one of ours, or expired: nothing to learn from it
    spent = BlacklistedToken.objects.filter(token__jti=payload.get(jwt_settings.JTI_CLAIM))
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) == "refresh" and spent.exists():
        _revoked_for_reuse(payload)


def _revoked_for_reuse(payload: dict) -> None:
    revoked = _revoke_family(payload)
    logger.warning(
        "A spent refresh token was presented again: user %s, %d refresh token(s) of its "
        "sign-in revoked.",
        payload.get(jwt_settings.USER_ID_CLAIM),
        revoked,
        extra={"user_id": payload.get(jwt_settings.USER_ID_CLAIM), "event": "refresh_reuse"},
    )


def _revoke_family(payload: dict) -> int:
    """Blacklist the user's refresh tokens of this token's family (all of them, for a
    token issued before families existed); how many were not blacklisted yet."""
    family = payload.get(FAMILY_CLAIM)
    outstanding = OutstandingToken.objects.filter(
        user_id=payload.get(jwt_settings.USER_ID_CLAIM), blacklistedtoken__isnull=True
    )
    members = [token for token in outstanding if family is None or _family(token) == family]
    return _blacklist(members)


def _family(outstanding: OutstandingToken) -> str | None:
    claims = jwt.decode(outstanding.token, options={"verify_signature": False})
    return claims.get(FAMILY_CLAIM)


def _blacklist(tokens: list[OutstandingToken]) -> int:
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in tokens], ignore_conflicts=True
    )
    return len(created)
