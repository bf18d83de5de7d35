from datetime import timedelta

import jwt
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.api import assert_bearer_challenge, bearer, claims, refresh
from api.tests.assertions import assert_invalid, assert_problem

pytestmark = pytest.mark.django_db


def is_blacklisted(token: str) -> bool:
    return BlacklistedToken.objects.filter(token__jti=claims(token)["jti"]).exists()


def test_refresh_returns_a_new_token_pair(api_client, user, tokens):
    response = refresh(api_client, tokens["refresh"])

    assert response.status_code == 200
    body = response.json()
    assert body.keys() == {"access", "refresh"}
    assert body["refresh"] != tokens["refresh"]
    assert claims(body["access"])["user_id"] == str(user.pk)
    me = bearer(body["access"]).get(reverse("auth-me"))
    assert me.status_code == 200
    assert me.json()["id"] == str(user.pk)


def test_refresh_blacklists_the_spent_token(api_client, tokens):
    new_refresh = refresh(api_client, tokens["refresh"]).json()["refresh"]

    assert is_blacklisted(tokens["refresh"])
    assert not is_blacklisted(new_refresh)
    assert OutstandingToken.objects.filter(jti=claims(new_refresh)["jti"]).exists()


def test_refresh_with_a_spent_token_is_401(api_client, tokens):
    refresh(api_client, tokens["refresh"])

    response = refresh(api_client, tokens["refresh"])

    assert_problem(response, 401, "token_not_valid")
    assert_bearer_challenge(response)


def test_rotated_refresh_token_can_be_spent_in_turn(api_client, tokens):
    rotated = refresh(api_client, tokens["refresh"]).json()["refresh"]

    response = refresh(api_client, rotated)

    assert response.status_code == 200
    assert is_blacklisted(rotated)


def test_refresh_token_spent_by_a_concurrent_request_is_401(api_client, tokens, monkeypatch):
    # Two requests may both pass the blacklist check before either writes to
    # it; the blacklist's unique index must still let only one of them win.
    monkeypatch.setattr(RefreshToken, "check_blacklist", lambda token: None)

    first = refresh(api_client, tokens["refresh"])
    second = refresh(api_client, tokens["refresh"])

    assert first.status_code == 200
    assert_problem(second, 401, "token_not_valid")


def test_refresh_token_of_a_deleted_user_is_401(api_client, user, tokens):
    user.delete()

    response = refresh(api_client, tokens["refresh"])

    assert_problem(response, 401, "token_not_valid")
    assert_bearer_challenge(response)


def test_refresh_token_of_an_inactive_user_is_401(api_client, user, tokens):
    user.is_active = False
    user.save()

    response = refresh(api_client, tokens["refresh"])

    assert_problem(response, 401, "token_not_valid")
    assert_bearer_challenge(response)
    assert not is_blacklisted(tokens["refresh"])


def test_access_token_sent_to_refresh_is_401(api_client, tokens):
    response = refresh(api_client, tokens["access"])

    assert_problem(response, 401, "token_not_valid")
    assert_bearer_challenge(response)


def test_expired_refresh_token_is_401(api_client, user):
    token = RefreshToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(days=30))

    response = refresh(api_client, str(token))

    assert_problem(response, 401, "token_not_valid")


def test_refresh_token_signed_with_another_key_is_401(api_client, tokens):
    forged = jwt.encode(
        claims(tokens["refresh"]), "another-key-that-is-long-enough-for-hs256", algorithm="HS256"
    )

    response = refresh(api_client, forged)

    assert_problem(response, 401, "token_not_valid")
    assert not is_blacklisted(tokens["refresh"])


def test_garbage_refresh_token_is_401(api_client):
    response = refresh(api_client, "not-a-token")

    assert_problem(response, 401, "token_not_valid")
    assert_bearer_challenge(response)


def test_refresh_without_a_token_is_400(api_client):
    response = api_client.post(reverse("auth-refresh"), {})

    assert assert_invalid(response) == {"refresh": ["This field is required."]}


def test_refresh_ignores_a_stale_authorization_header(api_client, tokens, stale_authorization):
    api_client.credentials(HTTP_AUTHORIZATION=stale_authorization)

    response = refresh(api_client, tokens["refresh"])

    assert response.status_code == 200


def test_refreshed_access_token_lives_15_minutes_by_default(api_client, tokens):
    access = refresh(api_client, tokens["refresh"]).json()["access"]

    payload = claims(access)
    assert payload["exp"] - payload["iat"] == 15 * 60
