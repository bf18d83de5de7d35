"""The task API for a user another issuer signs in: the same API, the same query budget,
and the path shape under the issuer's own user id."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.api import bearer
from accounts.tests.issuer import payload, trusted_issuer
from api.tests.assertions import assert_problem
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.routes import OPERATIONS, TaskRoutes
from tasks.tests.test_query_budget import QUERY_BUDGET

pytestmark = pytest.mark.django_db

SUBJECT = payload()["sub"]


@pytest.fixture
def client(settings):
    """A client of a user signed in by a JWKS issuer, already known to the service."""
    with trusted_issuer(settings) as issuer:
        client = bearer(issuer.token(issuer.kid))
        assert client.get(reverse("auth-me")).status_code == 200  # first sight: made
        yield client


@pytest.fixture
def external_user(client):
    return User.objects.get(external_subject=SUBJECT)


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_every_endpoint_keeps_its_query_budget(
    client, external_user, operation, django_assert_max_num_queries
):
    tasks = Task.objects.bulk_create(TaskFactory.build_batch(20, user=external_user))

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = operation.send(client, TaskRoutes(), tasks[0].id)

    assert response.status_code == operation.status, response.content


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_the_path_shape_takes_the_issuers_user_id(client, external_user, operation):
    task = TaskFactory(user=external_user)

    response = operation.send(client, TaskRoutes(user_id=SUBJECT), task.id)

    assert response.status_code == operation.status, response.content


@pytest.mark.parametrize("user_id", ["local", SUBJECT.lower(), SUBJECT.upper(), SUBJECT + "x"])
def test_the_path_shape_takes_the_local_id_or_the_subject_exactly(client, external_user, user_id):
    named = str(external_user.pk) if user_id == "local" else user_id
    response = client.get(TaskRoutes(user_id=named).list_url())
    if user_id == "local":
        assert response.status_code == 200
    else:
        assert_problem(response, 403, "permission_denied")


def test_another_users_tasks_stay_out_of_reach(client, other_user):
    task = TaskFactory(user=other_user)
    assert_problem(client.get(TaskRoutes().detail_url(task.id)), 404, "not_found")
    assert client.get(TaskRoutes().list_url()).json() == []
