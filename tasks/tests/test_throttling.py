"""The task API is limited per user (THROTTLE_TASKS_RATE): one user's burst never stops another."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from accounts.tests.api import client_for
from api.tests.assertions import assert_problem
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def low_rate(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "tasks": f"{LIMIT}/minute"}
    caches["throttle"].clear()


def assert_throttled(response):
    body = assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    return body


def test_task_api_is_limited_per_user(user, other_user):
    TaskFactory(user=user)
    client = client_for(user)
    for _ in range(LIMIT):
        assert client.get(reverse("task-list")).status_code == 200
    assert_throttled(client.get(reverse("task-list")))
    assert client_for(other_user).get(reverse("task-list")).status_code == 200
