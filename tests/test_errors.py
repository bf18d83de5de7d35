"""The project's URLconf answers in the problem+json format wherever no route matches."""

import pytest
from django.test import Client

from api.tests.assertions import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/tasks/x/y/z/", "/nothing-here"])
def test_unknown_address_is_404_problem(auth_client, path):
    assert_problem(auth_client.get(path), 404, "not_found")


def test_unknown_api_address_is_404_problem_even_in_debug(auth_client, settings):
    settings.DEBUG = True
    assert_problem(auth_client.get("/api/nothing-here/"), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_api_address_is_404_problem_for_every_method(auth_client, method):
    response = getattr(auth_client, method)("/api/tasks//", {"title": "x"})
    assert_problem(response, 404, "not_found")


def test_csrf_failure_is_a_403_problem(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/admin/logout/")
    assert_problem(response, 403, "csrf_failed")
