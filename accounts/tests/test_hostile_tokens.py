"""Forged and ill-timed tokens are refused with 401, whatever their payload claims."""

import base64
import json
import time

import jwt
import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.api import assert_bearer_challenge

pytestmark = pytest.mark.django_db


def signing_key() -> str:
    return settings.SIMPLE_JWT["SIGNING_KEY"]


def payload_for(user, **changes) -> dict:
    return {**AccessToken.for_user(user).payload, **changes}


def get_me(token: str):
    return APIClient().get(reverse("auth-me"), HTTP_AUTHORIZATION=f"Bearer {token}")


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_valid_token_is_accepted(user):
    assert (
        get_me(jwt.encode(payload_for(user), signing_key(), algorithm="HS256")).status_code == 200
    )


# The test key is shorter than HS512 wants; the token must be refused anyway.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_a_token_signed_with_another_algorithm_is_401(user, algorithm):
    token = jwt.encode(payload_for(user), signing_key(), algorithm=algorithm)
    response = get_me(token)
    assert response.status_code == 401
    assert_bearer_challenge(response)


def test_a_header_naming_another_algorithm_over_an_hs256_signature_is_401(user):
    good = jwt.encode(payload_for(user), signing_key(), algorithm="HS256")
    _, body, signature = good.split(".")
    forged = f"{b64({'alg': 'RS256', 'typ': 'JWT'})}.{body}.{signature}"
    assert get_me(forged).status_code == 401


def test_a_token_not_valid_yet_is_401(user):
    token = jwt.encode(
        payload_for(user, nbf=int(time.time()) + 3600), signing_key(), algorithm="HS256"
    )
    assert get_me(token).status_code == 401


def test_a_token_issued_in_the_future_is_401(user):
    token = jwt.encode(
        payload_for(user, iat=int(time.time()) + 3600), signing_key(), algorithm="HS256"
    )
    assert get_me(token).status_code == 401


def test_a_token_without_expiry_is_401(user):
    payload = payload_for(user)
    del payload["exp"]
    assert get_me(jwt.encode(payload, signing_key(), algorithm="HS256")).status_code == 401


def test_an_access_token_sent_to_refresh_is_401(api_client, user):
    access = str(AccessToken.for_user(user))
    response = api_client.post(reverse("auth-refresh"), {"refresh": access})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "user_id",
    ["not-a-uuid", 42, None, ["list"], "00000000-0000-0000-0000-000000000000"],
    ids=["text", "number", "null", "list", "nobody"],
)
def test_a_signed_token_naming_no_user_is_401(user, user_id):
    token = jwt.encode(payload_for(user, user_id=user_id), signing_key(), algorithm="HS256")
    response = get_me(token)
    assert response.status_code == 401
    assert response.json()["code"] == "user_not_found"


def test_a_signed_token_without_user_claim_is_401(user):
    payload = payload_for(user)
    del payload["user_id"]
    response = get_me(jwt.encode(payload, signing_key(), algorithm="HS256"))
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", "9999999999"),
        ("exp", 1e30),
        ("exp", True),
        ("iat", "1"),
        ("iat", None),
        ("iat", [1]),
        ("nbf", "1"),
        ("nbf", {"at": 1}),
    ],
)
def test_a_time_claim_that_is_not_a_number_is_401_never_500(user, claim, value):
    token = jwt.encode(payload_for(user, **{claim: value}), signing_key(), algorithm="HS256")
    response = APIClient(raise_request_exception=False).get(
        reverse("auth-me"), HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 401
    assert_bearer_challenge(response)
