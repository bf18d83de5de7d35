"""How the accounts tests talk to the auth API and check what it answers."""

from datetime import timedelta
from http import HTTPStatus

import jwt
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from conftest import PASSWORD

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def log_in(client: APIClient, email: str, password: str = PASSWORD) -> dict:
    response = client.post(reverse("auth-login"), {"email": email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def refresh(client: APIClient, token: str):
    return client.post(reverse("auth-refresh"), {"refresh": token})


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def claims(token: str) -> dict:
    """The payload of a JWT, read without checking it."""
    return jwt.decode(token, options={"verify_signature": False})


def expired_access_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    return str(token)


def assert_problem(response, status: int, code: str) -> dict:
    """The response is an RFC 9457 problem with this status and code; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0] == PROBLEM_CONTENT_TYPE
    body = response.json()
    expected_keys = PROBLEM_KEYS | {"errors"} if code == "invalid" else PROBLEM_KEYS
    assert body.keys() == expected_keys
    assert body["type"] == "about:blank"
    assert body["title"] == HTTPStatus(status).phrase
    assert body["status"] == status
    assert body["code"] == code
    assert body["detail"]
    return body


def assert_invalid(response) -> dict[str, list[str]]:
    """The response is a 400 validation problem; returns its field errors."""
    return assert_problem(response, 400, "invalid")["errors"]


def assert_bearer_challenge(response) -> None:
    assert response["WWW-Authenticate"].startswith("Bearer")


def assert_user_body(body: dict, user) -> None:
    assert body.keys() == {"id", "email", "name", "date_joined"}
    assert body["id"] == str(user.pk)
    assert body["email"] == user.email
    assert body["name"] == user.name
    assert parse_datetime(body["date_joined"]) == user.date_joined
