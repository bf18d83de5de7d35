import uuid

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import EMAIL_TAKEN
from accounts.tests.api import assert_user_body, bearer, refresh
from accounts.tests.factories import PASSWORD, UserFactory
from api.tests.assertions import assert_invalid

pytestmark = pytest.mark.django_db


def register(client, **data):
    return client.post(reverse("auth-register"), data)


def test_register_creates_the_user_and_returns_it_with_a_token_pair(api_client):
    response = register(api_client, email="ann@example.org", password=PASSWORD, name="Ann")

    assert response.status_code == 201
    body = response.json()
    assert body.keys() == {"user", "access", "refresh"}
    user = User.objects.get()
    assert isinstance(user.pk, uuid.UUID)
    assert user.email == "ann@example.org"
    assert user.name == "Ann"
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert_user_body(body["user"], user)


def test_register_returns_tokens_that_work(api_client):
    body = register(api_client, email="ann@example.org", password=PASSWORD, name="Ann").json()

    me = bearer(body["access"]).get(reverse("auth-me"))
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]
    assert refresh(api_client, body["refresh"]).status_code == 200


def test_register_stores_the_email_lowercased(api_client):
    response = register(api_client, email="Ann.Smith@Example.ORG", password=PASSWORD, name="Ann")

    assert response.status_code == 201
    assert response.json()["user"]["email"] == "ann.smith@example.org"
    assert User.objects.get().email == "ann.smith@example.org"


@pytest.mark.parametrize("email", ["ann@example.org", "ANN@EXAMPLE.ORG", "Ann@Example.Org"])
def test_register_with_an_email_taken_in_any_case_is_400(api_client, email):
    existing = UserFactory(email="ann@example.org")

    response = register(api_client, email=email, password=PASSWORD, name="Another Ann")

    assert assert_invalid(response) == {"email": [EMAIL_TAKEN]}
    assert list(User.objects.all()) == [existing]


def test_register_losing_a_race_for_the_email_is_400_like_a_taken_email(api_client, monkeypatch):
    # Both requests pass the "is it taken?" check before either inserts: the
    # database's unique index decides, and the loser gets the usual answer.
    existing = UserFactory(email="ann@example.org")
    monkeypatch.setattr("accounts.services._email_taken", lambda *args, **kwargs: False)

    response = register(api_client, email="ANN@example.org", password=PASSWORD, name="Ann")

    assert assert_invalid(response) == {"email": [EMAIL_TAKEN]}
    assert list(User.objects.all()) == [existing]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("x7#Qz1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("80417362951", "This password is entirely numeric."),
        ("ann.smith.example", "The password is too similar to the email address."),
    ],
    ids=["too-short", "common", "numeric", "similar-to-email"],
)
def test_register_with_a_weak_password_is_400(api_client, password, message):
    response = register(api_client, email="ann.smith@example.org", password=password, name="Ann")

    errors = assert_invalid(response)
    assert errors.keys() == {"password"}
    assert message in errors["password"]
    assert not User.objects.exists()


def test_register_reports_a_taken_email_and_a_weak_password_together(api_client):
    UserFactory(email="ann@example.org")

    response = register(api_client, email="ann@example.org", password="12345678", name="Ann")

    errors = assert_invalid(response)
    assert errors.keys() == {"email", "password"}
    assert errors["email"] == [EMAIL_TAKEN]
    assert User.objects.count() == 1


@pytest.mark.parametrize("missing", ["email", "password"])
def test_register_without_a_required_field_is_400(api_client, missing):
    data = {"email": "ann@example.org", "password": PASSWORD, "name": "Ann"}
    del data[missing]

    response = register(api_client, **data)

    assert assert_invalid(response) == {missing: ["This field is required."]}
    assert not User.objects.exists()


def test_register_with_an_empty_body_is_400(api_client):
    errors = assert_invalid(register(api_client))

    assert errors.keys() == {"email", "password"}
    assert not User.objects.exists()


def test_register_with_an_invalid_email_is_400(api_client):
    response = register(api_client, email="not-an-email", password=PASSWORD, name="Ann")

    assert assert_invalid(response).keys() == {"email"}
    assert not User.objects.exists()


def test_register_ignores_a_stale_authorization_header(api_client, stale_authorization):
    api_client.credentials(HTTP_AUTHORIZATION=stale_authorization)

    response = register(api_client, email="ann@example.org", password=PASSWORD, name="Ann")

    assert response.status_code == 201
    assert User.objects.filter(email="ann@example.org").exists()


def test_register_reports_an_invalid_email_and_a_weak_password_together(api_client):
    response = register(api_client, email="not-an-address", password="12345678", name="Ann")

    errors = assert_invalid(response, "email", "password")
    assert "This password is too common." in errors["password"]
    assert not User.objects.exists()
