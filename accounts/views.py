"""Account endpoints under /api/auth/: registration, JWT issuance, profile."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, tokens
from accounts.serializers import (
    AccountDeletionSerializer,
    AuthResponseSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UserSerializer,
)
from accounts.throttling import AuthEmailThrottle
from api.throttling import AuthAddressThrottle, UserRateThrottle


class NoStoreMixin:
    """Answers that carry tokens are never stored by a cache (RFC 6749, section 5.1)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class PublicAuthView(NoStoreMixin, APIView):
    """Endpoints used before a client holds a valid access token.

    They ignore any Authorization header (a stale access token must not stop
    a client from logging in or refreshing), yet still answer 401 with
    `WWW-Authenticate: Bearer` when the credentials they check are wrong.
    """

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (AuthAddressThrottle, AuthEmailThrottle)
    checks_credentials = True  # documents the 401 in the schema

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'

    def validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def auth_body(user, pair: dict[str, str]):
    return {"user": UserSerializer(user).data, **pair}


class RegisterView(PublicAuthView):
    throttle_scope = "register"
    checks_credentials = False

    @extend_schema(
        request=RegisterSerializer, responses={201: AuthResponseSerializer}, summary="Register"
    )
    def post(self, request):
        user = services.user_register(**self.validated(RegisterSerializer))
        return Response(auth_body(user, tokens.tokens_for_user(user)), status.HTTP_201_CREATED)


class LoginView(PublicAuthView):
    throttle_scope = "login"
    # Per address only: failures are counted per email too (accounts.lockout),
    # but a count of every attempt per email would lock its owner out.
    throttle_classes = (AuthAddressThrottle,)

    @extend_schema(
        request=LoginSerializer, responses={200: AuthResponseSerializer}, summary="Log in"
    )
    def post(self, request):
        user, pair = services.user_log_in(request=request, **self.validated(LoginSerializer))
        return Response(auth_body(user, pair))


class RefreshView(PublicAuthView):
    throttle_scope = "refresh"

    @extend_schema(
        request=RefreshSerializer,
        responses={200: TokenPairSerializer},
        summary="Exchange a refresh token for a new pair",
        description="The refresh token is rotated: the one sent is blacklisted.",
    )
    def post(self, request):
        return Response(tokens.token_refresh(**self.validated(RefreshSerializer)))


class LogoutView(PublicAuthView):
    throttle_scope = "refresh"

    @extend_schema(
        request=RefreshSerializer,
        responses={204: OpenApiResponse(description="The refresh token is revoked.")},
        summary="Log out",
        description=(
            "Needs only the refresh token, so a client whose access token expired "
            "can still log out."
        ),
    )
    def post(self, request):
        tokens.token_revoke(**self.validated(RefreshSerializer))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="Get the caller's account"),
    patch=extend_schema(
        summary="Change the caller's name or time zone, or email (with the current password)"
    ),
    # Keyed by the handler, `delete`: the schema never looks at `destroy`.
    delete=extend_schema(
        request=AccountDeletionSerializer,
        summary="Delete the account",
        description=(
            "Deletes the caller, all their tasks, and revokes their tokens. An account "
            "signed in by another issuer has no password: its deletion needs no body, "
            "but a token issued in the last 5 minutes (else 403)."
        ),
    ),
)
class MeView(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    # A user of another issuer deletes with a recent token only (documented in the schema).
    error_statuses = {"DELETE": {403}}
    throttle_scope = "account"

    def get_throttles(self):
        # Deleting the account and changing its email check the password and
        # (the email) tell whether an address is taken: limited like login.
        throttles = super().get_throttles()
        method, data = self.request.method, None
        if method == "PATCH":
            data = self.request.data
        if method == "DELETE" or (isinstance(data, dict) and "email" in data):
            throttles += [AuthAddressThrottle(), AuthEmailThrottle()]
        return throttles

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        services.user_update_profile(
            request=self.request, user=self.request.user, **serializer.validated_data
        )

    def destroy(self, request, *args, **kwargs):
        if request.user.is_external:
            services.external_user_delete_account(user=request.user, token=request.auth)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = AccountDeletionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_delete_account(
            request=request, user=request.user, **serializer.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(NoStoreMixin, APIView):
    throttle_classes = (UserRateThrottle, AuthAddressThrottle, AuthEmailThrottle)
    throttle_scope = "password"

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={200: TokenPairSerializer},
        summary="Change the password",
        description=(
            "Revokes every refresh and access token issued before, and returns a "
            "fresh pair for the caller."
        ),
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            services.user_change_password(
                request=request, user=request.user, **serializer.validated_data
            )
        )
