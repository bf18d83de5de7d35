import pytest
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.models import User
from accounts.tests.api import bearer, log_in, refresh
from accounts.tests.factories import PASSWORD
from api.tests.assertions import assert_invalid, assert_problem

pytestmark = pytest.mark.django_db


def delete_account(client, password):
    return client.delete(reverse("auth-me"), {"password": password})


def test_deleted_account_tokens_are_refused(api_client, user):
    first = log_in(api_client, user.email)
    second = log_in(api_client, user.email)

    assert delete_account(bearer(second["access"]), PASSWORD).status_code == 204

    assert_problem(bearer(first["access"]).get(reverse("auth-me")), 401, "user_not_found")
    for token in (first["refresh"], second["refresh"]):
        assert_problem(refresh(api_client, token), 401, "token_not_valid")
    assert BlacklistedToken.objects.filter(token__jti__isnull=False).count() == 2


def test_missing_password_is_400(auth_client, user):
    errors = assert_invalid(auth_client.delete(reverse("auth-me")))
    assert "password" in errors
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_needs_authentication(api_client, user):
    assert_problem(delete_account(api_client, PASSWORD), 401, "not_authenticated")
    assert User.objects.filter(pk=user.pk).exists()
