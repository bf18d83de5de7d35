"""A database that cannot be reached is a 503 with Retry-After, never a 500."""

import pytest
from django.contrib.admin import AdminSite
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.authentication import BearerTokenAuthentication
from api.tests.assertions import assert_problem
from tasks.views import TaskViewSet

pytestmark = pytest.mark.django_db


def assert_unavailable(response):
    assert_problem(response, 503, "database_unavailable")
    assert int(response["Retry-After"]) > 0
    assert "server closed" not in response.content.decode()


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_failure_while_authenticating_is_503(auth_client, monkeypatch, error):
    def lost(self, validated_token):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(BearerTokenAuthentication, "get_user", lost)
    assert_unavailable(auth_client.get(reverse("task-list")))


def test_failure_inside_a_view_is_503(auth_client, monkeypatch):
    def lost(self, request, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(TaskViewSet, "create", lost)
    assert_unavailable(auth_client.post(reverse("task-list"), {"title": "x"}))


def test_failure_on_a_page_outside_the_api_is_503(admin_user, monkeypatch):
    def lost(self, request, app_label=None):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(AdminSite, "get_app_list", lost)
    client = APIClient(raise_request_exception=False)
    client.force_login(admin_user)
    assert_unavailable(client.get("/admin/"))


def test_failure_on_login_is_503(api_client, user, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("accounts.services.authenticate", lost)
    response = api_client.post(reverse("auth-login"), {"email": user.email, "password": "x"})
    assert_unavailable(response)
