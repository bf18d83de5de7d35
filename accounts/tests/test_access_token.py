"""Only a valid, unexpired access token of an active user, sent as a Bearer token, is accepted."""

import jwt
import pytest
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tests.api import assert_bearer_challenge, bearer, claims, expired_access_token
from accounts.tests.factories import UserFactory
from api.tests.assertions import assert_problem

pytestmark = pytest.mark.django_db

OTHER_KEY = "another-signing-key-that-is-long-enough-for-hs256"


def tampered_signature(user) -> str:
    header, payload, signature = str(AccessToken.for_user(user)).split(".")
    # The first character carries six whole bits of the signature (the last one may only carry
    # padding), so changing it always changes the signature.
    first = "A" if signature[0] != "A" else "B"
    return f"Bearer {header}.{payload}.{first}{signature[1:]}"


def forged_payload(user) -> str:
    # The caller's own signature under a payload that names another user.
    header, _, signature = str(AccessToken.for_user(user)).split(".")
    _, payload, _ = str(AccessToken.for_user(UserFactory())).split(".")
    return f"Bearer {header}.{payload}.{signature}"


def signed_with_another_key(user) -> str:
    return f"Bearer {jwt.encode(AccessToken.for_user(user).payload, OTHER_KEY, algorithm='HS256')}"


def unsigned(user) -> str:
    return f"Bearer {jwt.encode(AccessToken.for_user(user).payload, None, algorithm='none')}"


def token_of_inactive_user(user) -> str:
    token = AccessToken.for_user(user)
    user.is_active = False
    user.save()
    return f"Bearer {token}"


def token_of_deleted_user(user) -> str:
    token = AccessToken.for_user(user)
    user.delete()
    return f"Bearer {token}"


BAD_AUTHORIZATIONS = {
    "scheme-without-token": (lambda user: "Bearer", "bad_authorization_header"),
    "token-with-spaces": (lambda user: "Bearer not a token", "bad_authorization_header"),
    "not-a-jwt": (lambda user: "Bearer not-a-jwt", "token_not_valid"),
    "other-scheme": (lambda user: f"Token {AccessToken.for_user(user)}", "not_authenticated"),
    "tampered-signature": (tampered_signature, "token_not_valid"),
    "forged-payload": (forged_payload, "token_not_valid"),
    "expired": (lambda user: f"Bearer {expired_access_token(user)}", "token_not_valid"),
    "signed-with-another-key": (signed_with_another_key, "token_not_valid"),
    "unsigned": (unsigned, "token_not_valid"),
    "refresh-token": (lambda user: f"Bearer {RefreshToken.for_user(user)}", "token_not_valid"),
    "inactive-user": (token_of_inactive_user, "user_inactive"),
    "deleted-user": (token_of_deleted_user, "user_not_found"),
}


@pytest.mark.parametrize(
    ("make_authorization", "code"), BAD_AUTHORIZATIONS.values(), ids=BAD_AUTHORIZATIONS.keys()
)
def test_bad_access_token_is_401(api_client, user, make_authorization, code):
    api_client.credentials(HTTP_AUTHORIZATION=make_authorization(user))

    response = api_client.get(reverse("auth-me"))

    assert_problem(response, 401, code)
    assert_bearer_challenge(response)


def test_missing_access_token_is_401(api_client, user):
    response = api_client.get(reverse("auth-me"))

    assert_problem(response, 401, "not_authenticated")
    assert_bearer_challenge(response)


def test_valid_bearer_access_token_is_accepted(user):
    response = bearer(str(AccessToken.for_user(user))).get(reverse("auth-me"))

    assert response.status_code == 200
    assert response.json()["id"] == str(user.pk)


def test_access_token_lives_15_minutes_by_default(tokens):
    payload = claims(tokens["access"])

    assert payload["token_type"] == "access"
    assert payload["exp"] - payload["iat"] == 15 * 60
