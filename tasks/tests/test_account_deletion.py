"""Deleting an account (DELETE /api/auth/me/) takes the user's tasks with it, and no one else's."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.api import bearer, log_in, refresh
from accounts.tests.factories import PASSWORD, UserFactory
from api.tests.assertions import assert_invalid
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


def test_wrong_password_deletes_nothing(api_client, user):
    TaskFactory(user=user)
    tokens = log_in(api_client, user.email)

    errors = assert_invalid(delete_account(bearer(tokens["access"]), "not the password"))

    assert "password" in errors
    assert User.objects.filter(pk=user.pk).exists()
    assert Task.objects.filter(user=user).count() == 1
    assert refresh(api_client, tokens["refresh"]).status_code == 200


def test_another_user_is_untouched(api_client, user):
    other = UserFactory()
    TaskFactory(user=other)
    tokens = log_in(api_client, user.email)

    delete_account(bearer(tokens["access"]), PASSWORD)

    assert User.objects.filter(pk=other.pk).exists()
    assert Task.objects.filter(user=other).count() == 1
    assert log_in(api_client, other.email)["access"]
