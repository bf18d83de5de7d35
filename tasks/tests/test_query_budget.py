"""Each task endpoint runs a fixed, small number of SQL queries, however many tasks there are.

Three at most: the caller's user row (token authentication), then for the
list its count and its page, and for one task its read and its write.
"""

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tasks.tests.routes import OPERATIONS

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 3


@pytest.mark.parametrize("task_count", [1, 200])
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_endpoint_stays_within_its_query_budget(
    auth_client, routes, user, other_user, operation, task_count, django_assert_max_num_queries
):
    tasks = Task.objects.bulk_create(TaskFactory.build_batch(task_count, user=user))
    Task.objects.bulk_create(TaskFactory.build_batch(task_count, user=other_user))

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = operation.send(auth_client, routes, tasks[0].id)

    assert response.status_code == operation.status, response.content
    if operation.name == "list":
        assert len(response.json()) == min(task_count, 100)
        assert response["X-Total-Count"] == str(task_count)


@pytest.mark.parametrize("params", [{"page_size": 500}, {"sort": "priority", "page": 2}])
def test_list_query_count_does_not_grow_with_the_page(
    auth_client, routes, user, params, django_assert_max_num_queries
):
    Task.objects.bulk_create(TaskFactory.build_batch(200, user=user, priority="low"))

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = auth_client.get(routes.list_url(), params)

    assert response.status_code == 200
    assert len(response.json()) == (200 if "page_size" in params else 100)
