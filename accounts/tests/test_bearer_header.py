"""Only `Authorization: Bearer <token>`, exactly, authenticates."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.api import assert_bearer_challenge
from api.tests.assertions import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(user):
    return str(RefreshToken.for_user(user).access_token)


@pytest.mark.parametrize(
    "template",
    [
        "Bearer  {t}",
        "Bearer {t} ",
        "Bearer {t}\t",
        "Bearer\t{t}",
        "Bearer {t} {t}",
        "bearer{t}",
        "{t}",
        "Token {t}",
        "JWT {t}",
        "Bearer",
    ],
    ids=[
        "two-spaces",
        "trailing-space",
        "trailing-tab",
        "tab-separator",
        "two-tokens",
        "no-space",
        "no-prefix",
        "token-scheme",
        "jwt-scheme",
        "scheme-only",
    ],
)
def test_malformed_authorization_headers_are_401(access, template):
    client = APIClient()
    response = client.get(reverse("auth-me"), HTTP_AUTHORIZATION=template.format(t=access))
    assert_problem(response, 401)
    assert_bearer_challenge(response)


def test_exact_bearer_header_authenticates(access, user):
    client = APIClient()
    response = client.get(reverse("auth-me"), HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 200
    assert response.json()["id"] == str(user.pk)


def test_extra_whitespace_is_reported_as_a_malformed_header(access):
    response = APIClient().get(reverse("auth-me"), HTTP_AUTHORIZATION=f"Bearer  {access}")
    assert_problem(response, 401, "bad_authorization_header")
