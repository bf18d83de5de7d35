"""GET /api/notifications/: the caller's delivered reminders, newest first, paged, and
POST .../read/. Another user's notification is a 404, as a task is."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.api import client_for
from api.tests.assertions import assert_invalid, assert_problem
from tasks.models import Notification

pytestmark = pytest.mark.django_db


def notify(user, count=1, **fields) -> list[Notification]:
    now = timezone.now()
    return [
        Notification.objects.create(
            user=user,
            task_id=uuid.uuid4(),
            reminder_id=index + 1000 * Notification.objects.count(),
            title=f"Task {index}",
            fire_at=now - timedelta(minutes=count - index),
            delivered_at=now - timedelta(minutes=count - index),
            **fields,
        )
        for index in range(count)
    ]


@pytest.fixture
def client(user):
    return client_for(user)


def test_the_list_is_newest_first_and_paged(client, user):
    made = notify(user, 5)

    response = client.get(reverse("notification-list"), {"page_size": 2})

    assert response.status_code == 200
    assert response["X-Total-Count"] == "5"
    assert 'rel="next"' in response["Link"]
    assert [n["id"] for n in response.json()] == [str(made[4].pk), str(made[3].pk)]
    page_3 = client.get(reverse("notification-list"), {"page_size": 2, "page": 3}).json()
    assert [n["id"] for n in page_3] == [str(made[0].pk)]


def test_a_notification_shows_what_it_reminded_of(client, user):
    [made] = notify(user, late=True)

    [shown] = client.get(reverse("notification-list")).json()

    assert shown == {
        "id": str(made.pk),
        "task_id": str(made.task_id),
        "title": "Task 0",
        "due_date": None,
        "due_on": None,
        "fire_at": shown["fire_at"],
        "delivered_at": shown["delivered_at"],
        "late": True,
        "read": False,
        "read_at": None,
    }
    assert client.get(reverse("notification-detail", args=[made.pk])).json() == shown


def test_marking_read_sets_the_flag_once(client, user):
    [made] = notify(user)
    url = reverse("notification-read", args=[made.pk])

    first = client.post(url)
    assert first.status_code == 200
    assert first.json()["read"] is True
    read_at = first.json()["read_at"]
    assert read_at is not None

    again = client.post(url)
    assert again.status_code == 200
    assert again.json()["read_at"] == read_at
    made.refresh_from_db()
    assert made.read


def test_the_read_filter(client, user):
    unread, read = notify(user, 2)
    client.post(reverse("notification-read", args=[read.pk]))

    only_unread = client.get(reverse("notification-list"), {"read": "false"})
    only_read = client.get(reverse("notification-list"), {"read": "true"})

    assert [n["id"] for n in only_unread.json()] == [str(unread.pk)]
    assert [n["id"] for n in only_read.json()] == [str(read.pk)]
    assert_invalid(client.get(reverse("notification-list"), {"read": "yes"}), "read")


def test_another_users_notifications_are_not_found(client, other_user):
    [theirs] = notify(other_user)

    assert client.get(reverse("notification-list")).json() == []
    assert_problem(client.get(reverse("notification-detail", args=[theirs.pk])), 404)
    assert_problem(client.post(reverse("notification-read", args=[theirs.pk])), 404)
    theirs.refresh_from_db()
    assert not theirs.read
    assert_problem(client.get(reverse("notification-detail", args=["not-a-uuid"])), 404)


def test_the_user_path_serves_the_callers_own_and_refuses_another_id(client, user, other_user):
    [mine] = notify(user)

    listed = client.get(reverse("user-notification-list", args=[user.pk]))
    assert [n["id"] for n in listed.json()] == [str(mine.pk)]
    read = client.post(reverse("user-notification-read", args=[user.pk, mine.pk]))
    assert read.status_code == 200
    assert_problem(client.get(reverse("user-notification-list", args=[other_user.pk])), 403)


def test_notifications_need_credentials_and_are_read_only(api_client, client, user):
    [made] = notify(user)

    assert_problem(api_client.get(reverse("notification-list")), 401)
    assert client.post(reverse("notification-list"), {}).status_code == 405
    assert client.delete(reverse("notification-detail", args=[made.pk])).status_code == 405
    assert client.patch(reverse("notification-detail", args=[made.pk]), {}).status_code == 405
