from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed


class BearerTokenAuthentication(JWTAuthentication):
    """simplejwt's authentication, reading the Authorization header strictly.

    Only `Bearer <token>` with one space and nothing around the token is
    accepted; simplejwt alone splits on any run of white space and so
    accepts variants a client should be told are malformed. The token and
    its user are checked by simplejwt itself (user exists, is active,
    password unchanged); the user is read with one plain SQL statement
    (UserManager.get).
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
        try:
            return super().get_user(validated_token)
        except ValidationError as exc:
            # A signed claim that cannot be a user id ("x", a list): no such user.
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from exc
