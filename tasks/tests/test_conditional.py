"""ETags and conditional requests: no update is lost silently."""

import threading

import pytest
from django.db import connection

from accounts.tests.api import client_for
from api.tests.assertions import assert_problem
from tasks.models import Task
from tasks.tests.assertions import tasks_unchanged
from tasks.tests.factories import TaskFactory
from tasks.tests.routes import TaskRoutes

pytestmark = pytest.mark.django_db


def etag_of(response) -> str:
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    return etag


def test_every_single_task_response_has_an_etag(auth_client, routes):
    created = auth_client.post(routes.list_url(), {"title": "x"})
    task_id = created.json()["id"]
    responses = [
        created,
        auth_client.get(routes.detail_url(task_id)),
        auth_client.put(routes.detail_url(task_id), {"title": "y"}),
        auth_client.patch(routes.detail_url(task_id), {"title": "z"}),
        auth_client.patch(routes.complete_url(task_id)),
    ]
    etags = [etag_of(r) for r in responses]
    # Creation and each of the three writes give a new ETag; the read does not.
    assert etags[0] == etags[1]
    assert len(set(etags)) == 4


def test_the_etag_changes_whenever_the_task_changes(auth_client, routes, task):
    first = etag_of(auth_client.get(routes.detail_url(task.id)))
    assert etag_of(auth_client.get(routes.detail_url(task.id))) == first
    auth_client.patch(routes.detail_url(task.id), {"priority": "high"})
    second = etag_of(auth_client.get(routes.detail_url(task.id)))
    Task.objects.filter(pk=task.id).set_completed(True)  # the admin's action
    third = etag_of(auth_client.get(routes.detail_url(task.id)))
    assert len({first, second, third}) == 3


@pytest.mark.parametrize(
    "method, view, body",
    [
        ("put", "detail", {"title": "Overwritten"}),
        ("patch", "detail", {"title": "Overwritten"}),
        ("delete", "detail", None),
        ("patch", "complete", None),
    ],
)
def test_stale_if_match_is_412_and_changes_nothing(auth_client, routes, task, method, view, body):
    stale = etag_of(auth_client.get(routes.detail_url(task.id)))
    auth_client.patch(routes.detail_url(task.id), {"description": "changed by someone else"})

    with tasks_unchanged():
        response = getattr(auth_client, method)(
            routes.url(view, task.id), body, HTTP_IF_MATCH=stale
        )

    assert_problem(response, 412, "precondition_failed")


@pytest.mark.parametrize(
    "method, view, body",
    [
        ("put", "detail", {"title": ""}),
        ("put", "detail", None),
        ("patch", "detail", {"due_date": "next week"}),
        ("patch", "complete", {"completed": "yes"}),
    ],
)
def test_invalid_body_is_400_whatever_the_if_match(auth_client, routes, task, method, view, body):
    # A request that could never apply is refused as such, not as a stale version.
    with tasks_unchanged():
        response = getattr(auth_client, method)(
            routes.url(view, task.id), body, HTTP_IF_MATCH='"999"'
        )

    assert_problem(response, 400, "invalid")


@pytest.mark.parametrize(
    "method, view, body, status",
    [
        ("put", "detail", {"title": "New"}, 200),
        ("patch", "detail", {"title": "New"}, 200),
        ("delete", "detail", None, 204),
        ("patch", "complete", None, 200),
    ],
)
def test_current_if_match_applies_the_change(auth_client, routes, task, method, view, body, status):
    current = etag_of(auth_client.get(routes.detail_url(task.id)))
    response = getattr(auth_client, method)(routes.url(view, task.id), body, HTTP_IF_MATCH=current)
    assert response.status_code == status
    if status == 204:
        assert not Task.objects.filter(pk=task.id).exists()
    else:
        assert etag_of(response) != current
        assert response["ETag"] == f'"{Task.objects.get(pk=task.id).version}"'


@pytest.mark.parametrize(
    "header, applies",
    [("*", True), ('"999", {current}', True), ("W/{current_bare}", False), ("garbage", False)],
)
def test_if_match_lists_star_and_weak_tags(auth_client, routes, task, header, applies):
    current = etag_of(auth_client.get(routes.detail_url(task.id)))
    value = header.format(current=current, current_bare=current)
    response = auth_client.patch(routes.detail_url(task.id), {"title": "T"}, HTTP_IF_MATCH=value)
    assert response.status_code == (200 if applies else 412)


def test_without_if_match_writes_behave_as_before(auth_client, routes, task):
    auth_client.patch(routes.detail_url(task.id), {"title": "one"})
    response = auth_client.patch(routes.detail_url(task.id), {"title": "two"})
    assert response.status_code == 200
    assert Task.objects.get(pk=task.id).title == "two"


def test_matching_if_none_match_is_304_without_a_body(auth_client, routes, task):
    current = etag_of(auth_client.get(routes.detail_url(task.id)))
    response = auth_client.get(routes.detail_url(task.id), HTTP_IF_NONE_MATCH=current)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == current
    weak = auth_client.get(routes.detail_url(task.id), HTTP_IF_NONE_MATCH=f"W/{current}")
    assert weak.status_code == 304


def test_stale_if_none_match_returns_the_task(auth_client, routes, task):
    stale = etag_of(auth_client.get(routes.detail_url(task.id)))
    auth_client.patch(routes.detail_url(task.id), {"title": "changed"})
    response = auth_client.get(routes.detail_url(task.id), HTTP_IF_NONE_MATCH=stale)
    assert response.status_code == 200
    assert response.json()["title"] == "changed"


def test_if_match_on_another_users_task_is_404(other_client, task):
    response = other_client.patch(f"/api/tasks/{task.id}/", {"title": "x"}, HTTP_IF_MATCH=task.etag)
    assert response.status_code == 404


def test_conditional_writes_stay_within_the_query_budget(
    auth_client, routes, task, django_assert_max_num_queries
):
    current = etag_of(auth_client.get(routes.detail_url(task.id)))
    with django_assert_max_num_queries(3):
        response = auth_client.patch(
            routes.detail_url(task.id), {"title": "x"}, HTTP_IF_MATCH=current
        )
    with django_assert_max_num_queries(3):
        auth_client.patch(routes.complete_url(task.id), HTTP_IF_MATCH=etag_of(response))
    with django_assert_max_num_queries(3):
        auth_client.patch(routes.complete_url(task.id), HTTP_IF_MATCH=current)  # stale: 412


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method, view", [("patch", "detail"), ("patch", "complete")])
def test_concurrent_conditional_updates_exactly_one_wins(user, method, view):
    task = TaskFactory(user=user)
    routes = TaskRoutes()
    etag = task.etag
    clients = [client_for(user) for _ in range(8)]
    start = threading.Barrier(len(clients))
    statuses = []

    def update(n, client):
        try:
            start.wait()
            body = {"title": f"writer {n}"} if view == "detail" else None
            response = getattr(client, method)(routes.url(view, task.id), body, HTTP_IF_MATCH=etag)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=update, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [412] * (len(clients) - 1)
    task.refresh_from_db()
    assert task.version == 2
