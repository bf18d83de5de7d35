import pytest
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.models import User
from accounts.tests.api import bearer, log_in, refresh
from accounts.tests.factories import PASSWORD, UserFactory
from api.tests.assertions import assert_invalid, assert_problem
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def delete_account(client, password):
    return client.delete(reverse("auth-me"), {"password": password})


def test_deleting_the_account_removes_the_user_and_all_their_tasks(api_client, user):
    TaskFactory.create_batch(3, user=user)
    kept = TaskFactory()
    tokens = log_in(api_client, user.email)

    response = delete_account(bearer(tokens["access"]), PASSWORD)

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert list(Task.objects.all()) == [kept]


def test_deleted_account_tokens_are_refused(api_client, user):
    first = log_in(api_client, user.email)
    second = log_in(api_client, user.email)

    assert delete_account(bearer(second["access"]), PASSWORD).status_code == 204

    assert_problem(bearer(first["access"]).get(reverse("auth-me")), 401, "user_not_found")
    for token in (first["refresh"], second["refresh"]):
        assert_problem(refresh(api_client, token), 401, "token_not_valid")
    assert BlacklistedToken.objects.filter(token__jti__isnull=False).count() == 2


def test_wrong_password_deletes_nothing(api_client, user):
    TaskFactory(user=user)
    tokens = log_in(api_client, user.email)

    errors = assert_invalid(delete_account(bearer(tokens["access"]), "not the password"))

    assert "password" in errors
    assert User.objects.filter(pk=user.pk).exists()
    assert Task.objects.filter(user=user).count() == 1
    assert refresh(api_client, tokens["refresh"]).status_code == 200


def test_missing_password_is_400(auth_client, user):
    errors = assert_invalid(auth_client.delete(reverse("auth-me")))
    assert "password" in errors
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_needs_authentication(api_client, user):
    assert_problem(delete_account(api_client, PASSWORD), 401, "not_authenticated")
    assert User.objects.filter(pk=user.pk).exists()


def test_another_user_is_untouched(api_client, user):
    other = UserFactory()
    TaskFactory(user=other)
    tokens = log_in(api_client, user.email)

    delete_account(bearer(tokens["access"]), PASSWORD)

    assert User.objects.filter(pk=other.pk).exists()
    assert Task.objects.filter(user=other).count() == 1
    assert log_in(api_client, other.email)["access"]
