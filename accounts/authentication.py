from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import User
from todo_project.key_lookup import KeyLookup

# Every authenticated request reads its user: by key, SQL written once.
USER_BY_ID = KeyLookup(User, "id")


class BearerTokenAuthentication(JWTAuthentication):
    """simplejwt's authentication, reading the header strictly and the user quickly.

    Only `Bearer <token>` with one space and nothing around the token is
    accepted; simplejwt alone splits on any run of white space and so
    accepts variants a client should be told are malformed.
    """

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

    def get_user(self, validated_token):
        """simplejwt's checks (user exists, is active, password unchanged), same answers.

        Only the lookup differs: USER_BY_ID instead of `objects.get()`. Both
        checks always run (settings.SIMPLE_JWT turns them on anyway).
        """
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        try:
            user = USER_BY_ID.get(user_id)
        except (ValidationError, TypeError, ValueError):
            user = None  # a signed claim that is not a user id: no such user
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        revoke_claim = validated_token.get(api_settings.REVOKE_TOKEN_CLAIM)
        if revoke_claim != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user
