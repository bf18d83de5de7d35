from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed


class BearerTokenAuthentication(JWTAuthentication):
    """simplejwt's authentication, reading the header strictly.

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
