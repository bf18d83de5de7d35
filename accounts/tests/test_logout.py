import pytest
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.tests.api import assert_bearer_challenge, claims, log_in, refresh
from api.tests.assertions import assert_invalid, assert_problem

pytestmark = pytest.mark.django_db


def log_out(client, token: str):
    return client.post(reverse("auth-logout"), {"refresh": token})


def test_logout_is_204_and_revokes_the_refresh_token(api_client, tokens):
    response = log_out(api_client, tokens["refresh"])

    assert response.status_code == 204
    assert response.content == b""
    assert BlacklistedToken.objects.filter(token__jti=claims(tokens["refresh"])["jti"]).exists()
    assert_problem(refresh(api_client, tokens["refresh"]), 401, "token_not_valid")


def test_logout_leaves_the_users_other_sessions_alone(api_client, user, tokens):
    other_session = log_in(api_client, user.email)

    log_out(api_client, tokens["refresh"])

    assert refresh(api_client, other_session["refresh"]).status_code == 200


def test_logout_twice_with_the_same_token_is_401(api_client, tokens):
    log_out(api_client, tokens["refresh"])

    response = log_out(api_client, tokens["refresh"])

    assert_problem(response, 401, "token_not_valid")
    assert_bearer_challenge(response)


def test_logout_with_an_access_token_is_401(api_client, tokens):
    response = log_out(api_client, tokens["access"])

    assert_problem(response, 401, "token_not_valid")
    assert not BlacklistedToken.objects.exists()


def test_logout_with_a_garbage_token_is_401(api_client):
    response = log_out(api_client, "not-a-token")

    assert_problem(response, 401, "token_not_valid")
    assert_bearer_challenge(response)


def test_logout_without_a_token_is_400(api_client):
    response = api_client.post(reverse("auth-logout"), {})

    assert assert_invalid(response) == {"refresh": ["This field is required."]}


def test_logout_ignores_a_stale_authorization_header(api_client, tokens, stale_authorization):
    # A client whose access token expired must still be able to log out.
    api_client.credentials(HTTP_AUTHORIZATION=stale_authorization)

    response = log_out(api_client, tokens["refresh"])

    assert response.status_code == 204
    assert BlacklistedToken.objects.filter(token__jti=claims(tokens["refresh"])["jti"]).exists()
