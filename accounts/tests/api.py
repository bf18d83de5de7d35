"""How the accounts tests talk to the auth API and check what it answers."""

from datetime import timedelta

import jwt
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tests.factories import PASSWORD


def log_in(client: APIClient, email: str, password: str = PASSWORD) -> dict:
    response = client.post(reverse("auth-login"), {"email": email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def refresh(client: APIClient, token: str):
    return client.post(reverse("auth-refresh"), {"refresh": token})


def client_for(user) -> APIClient:
    """An API client sending an access token of `user`."""
    return bearer(str(RefreshToken.for_user(user).access_token))


def client_in_zone(user, time_zone: str = "UTC") -> APIClient:
    """An API client of `user`, whose time zone is now `time_zone`."""
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
    return client_for(user)


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


def assert_bearer_challenge(response) -> None:
    assert response["WWW-Authenticate"].startswith("Bearer")


def assert_user_body(body: dict, user) -> None:
    assert body.keys() == {"id", "email", "name", "time_zone", "date_joined"}
    assert body["id"] == str(user.pk)
    assert body["time_zone"] == user.time_zone
    assert body["email"] == user.email
    assert body["name"] == user.name
    assert parse_datetime(body["date_joined"]) == user.date_joined
