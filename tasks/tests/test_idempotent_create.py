"""POST /api/tasks/ with an Idempotency-Key: a retry never creates a second task."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.api import client_for
from api.tests.assertions import assert_problem
from idempotency.models import IdempotencyKey
from idempotency.services import fingerprint
from tasks.models import Task

pytestmark = pytest.mark.django_db

BODY = {"title": "Pay rent", "priority": "high"}


@pytest.fixture
def list_url():
    return reverse("task-list")


def post(client, url, body=BODY, key="key-1"):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(url, body, **headers)


def test_retry_with_same_key_and_body_returns_the_first_response(auth_client, user, list_url):
    first = post(auth_client, list_url)
    again = post(auth_client, list_url)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert Task.objects.filter(user=user).count() == 1


def test_key_order_and_spacing_of_the_body_do_not_matter(auth_client, user, list_url):
    post(auth_client, list_url, {"title": "A", "priority": "low"})
    again = auth_client.generic(
        "POST",
        list_url,
        '{ "priority": "low",   "title": "A" }',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )
    assert again.status_code == 201
    assert Task.objects.filter(user=user).count() == 1


def test_same_key_with_another_body_is_422_and_creates_nothing(auth_client, user, list_url):
    post(auth_client, list_url)
    response = post(auth_client, list_url, {"title": "Something else"})

    assert_problem(response, 422, "idempotency_key_reused")
    assert list(Task.objects.filter(user=user).values_list("title", flat=True)) == ["Pay rent"]


def test_request_still_in_flight_is_409(auth_client, user, list_url):
    IdempotencyKey.objects.create(user=user, key="key-1", fingerprint=fingerprint(BODY))
    response = post(auth_client, list_url)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_flight"
    assert not Task.objects.exists()


def test_abandoned_claim_can_be_taken_over(auth_client, user, list_url):
    IdempotencyKey.objects.create(
        user=user,
        key="key-1",
        fingerprint=fingerprint(BODY),
        created_at=timezone.now() - timedelta(minutes=10),
    )
    assert post(auth_client, list_url).status_code == 201
    assert Task.objects.count() == 1


def test_keys_are_per_user(user, other_user, list_url):
    post(client_for(user), list_url)
    response = post(client_for(other_user), reverse("task-list"))
    assert response.status_code == 201
    assert Task.objects.filter(user=other_user).count() == 1
    assert response.json()["user_id"] == str(other_user.pk)


def test_expired_key_acts_as_new(auth_client, user, list_url):
    post(auth_client, list_url)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = post(auth_client, list_url)
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Task.objects.filter(user=user).count() == 2


def test_failed_request_releases_the_key(auth_client, user, list_url):
    bad = post(auth_client, list_url, {"title": ""})
    assert bad.status_code == 400
    fixed = post(auth_client, list_url, {"title": "fixed"})
    assert fixed.status_code == 201
    assert not IdempotencyKey.objects.filter(response_status__isnull=True).exists()


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\tinside"])
def test_invalid_keys_are_400(auth_client, list_url, key):
    response = post(auth_client, list_url, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Task.objects.exists()


def test_longest_key_is_accepted(auth_client, list_url):
    assert post(auth_client, list_url, key="k" * 255).status_code == 201


def test_without_the_header_each_post_creates(auth_client, user, list_url):
    post(auth_client, list_url, key=None)
    post(auth_client, list_url, key=None)
    assert Task.objects.filter(user=user).count() == 2


def statements(queries) -> list[str]:
    # The test runs inside a transaction, so the view's own transaction becomes
    # a SAVEPOINT and its RELEASE, statements that do not exist outside tests
    # (there it is the driver's BEGIN and COMMIT, not queries).
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_the_header_costs_at_most_two_queries_more(auth_client, list_url):
    with CaptureQueriesContext(connection) as plain:
        post(auth_client, list_url, key=None)
    with CaptureQueriesContext(connection) as keyed:
        assert post(auth_client, list_url, key="budget").status_code == 201
    with CaptureQueriesContext(connection) as replayed:
        assert post(auth_client, list_url, key="budget").status_code == 201
    assert len(statements(keyed)) <= len(statements(plain)) + 2
    assert len(statements(replayed)) <= len(statements(plain)) + 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_exactly_one_task(user):
    clients = [client_for(user) for _ in range(6)]
    start = threading.Barrier(len(clients))
    statuses = []

    def send(client):
        try:
            start.wait()
            statuses.append(post(client, reverse("task-list"), key="burst").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Task.objects.filter(user=user).count() == 1
    assert set(statuses) <= {201, 409}
    assert 201 in statuses


def test_a_failure_after_the_insert_leaves_no_task_and_frees_the_key(
    auth_client, user, list_url, monkeypatch
):
    from django.db import OperationalError

    from idempotency import services

    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "idempotency_complete", lost)
    assert post(auth_client, list_url).status_code == 503
    assert not Task.objects.exists()  # rolled back with the failed completion
    monkeypatch.undo()
    assert post(auth_client, list_url).status_code == 201
    assert Task.objects.filter(user=user).count() == 1
