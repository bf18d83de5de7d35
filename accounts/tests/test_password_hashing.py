import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from accounts.models import User
from accounts.tests.api import log_in
from conftest import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS


def test_new_passwords_are_hashed_with_argon2(api_client, production_hashers):
    response = api_client.post(
        reverse("auth-register"),
        {"email": "argon@example.org", "password": PASSWORD, "name": "A"},
    )
    assert response.status_code == 201
    assert User.objects.get(email="argon@example.org").password.startswith("argon2$")


def test_older_pbkdf2_hashes_still_log_in_and_are_upgraded(api_client, production_hashers):
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    assert log_in(api_client, user.email)["access"]

    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert log_in(api_client, user.email)["access"]
