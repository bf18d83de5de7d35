import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse

from accounts.models import User
from accounts.tests.api import log_in
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION_HASHERS = [
    "accounts.hashers.Argon2idHasher",
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


def test_argon2_uses_the_configured_cost(api_client, production_hashers):
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    assert "$argon2id$v=19$m=19456,t=2,p=1$" in user.password


def test_django_default_argon2_hashes_are_rehashed_at_login(api_client, production_hashers):
    user = UserFactory()
    django_default = Argon2PasswordHasher()  # m=102400
    user.password = django_default.encode(PASSWORD, django_default.salt())
    user.save(update_fields=["password"])
    assert "m=102400" in user.password

    log_in(api_client, user.email)

    user.refresh_from_db()
    assert "m=19456" in user.password
    rehashed = user.password

    log_in(api_client, user.email)

    user.refresh_from_db()
    assert user.password == rehashed  # once at the right cost, never rehashed again
