"""Fixtures shared by every app's tests: users and API clients.

Test data comes from the factories of each app (accounts/tests/factories.py,
tasks/tests/factories.py), which tests import directly.
"""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.api import client_for
from accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed-name storage needs `collectstatic`; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Nearly every test hashes or checks a password; the production hasher would
    # spend most of the run on them. What is checked here does not depend on it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        email="operator@example.org", password=PASSWORD, name="Operator"
    )


@pytest.fixture
def admin_session(client, superuser):
    """Django's test client, logged in to the admin as a superuser."""
    client.force_login(superuser)
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def auth_client(user):
    return client_for(user)


@pytest.fixture
def other_client(other_user):
    return client_for(other_user)
