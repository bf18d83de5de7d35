"""Toggles sent at the same moment must not be lost: an even number leaves the task as it was."""

import threading

import pytest
from django.db import connection

from accounts.tests.api import client_for
from tasks.tests.factories import TaskFactory
from tasks.tests.routes import TaskRoutes

TOGGLES = 10  # even, so the task must end as it began
BURSTS = 3  # a lost update cancelled by another goes unseen; more bursts, more chances


def toggle_at_once(clients, url) -> list[int]:
    """PATCH `url` with no body from every client at the same moment; the statuses."""
    start = threading.Barrier(len(clients))
    statuses = []

    def toggle(client):
        try:
            start.wait()
            statuses.append(client.patch(url).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=toggle, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("initially_completed", [False, True])
def test_simultaneous_toggles_cancel_out(user, initially_completed):
    task = TaskFactory(user=user, completed=initially_completed)
    completed_at = task.completed_at
    url = TaskRoutes().complete_url(task.id)
    clients = [client_for(user) for _ in range(TOGGLES)]

    for _ in range(BURSTS):
        statuses = toggle_at_once(clients, url)

        assert statuses == [200] * TOGGLES
        task.refresh_from_db()
        assert task.completed is initially_completed
        assert (task.completed_at is not None) is initially_completed
        if initially_completed:
            assert task.completed_at > completed_at  # completed again by the last toggle
