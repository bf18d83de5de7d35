"""Reminders through the API: what a task takes, when each fires, and how they
follow its due, its completion and its deletion. (Delivery: test_delivery.)"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.tests.api import client_for, client_in_zone
from api.tests.assertions import assert_invalid
from tasks.models import Reminder
from tasks.store import REMINDER_NEEDS_A_DUE

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(user):
    return client_in_zone(user)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def soon(**delta) -> datetime:
    return (timezone.now() + timedelta(**delta)).replace(microsecond=0)


def create(client, **fields):
    response = client.post(reverse("task-list"), {"title": "Call the bank", **fields})
    assert response.status_code == 201, response.content
    return response.json()


def patch(client, task, **fields):
    response = client.patch(reverse("task-detail", args=[task["id"]]), fields)
    assert response.status_code == 200, response.content
    return response.json()


def fires(task) -> list:
    return [
        None if r["fires_at"] is None else parse_datetime(r["fires_at"]) for r in task["reminders"]
    ]


def test_reminders_are_kept_in_order_with_when_each_fires(client):
    due = soon(days=2)
    at = soon(days=1)
    task = create(
        client,
        due_date=iso(due),
        reminders=[{"before_due_minutes": 30}, {"at": iso(at)}, {"before_due_minutes": 0}],
    )

    assert task["reminders"] == [
        {"at": None, "before_due_minutes": 30, "fires_at": iso(due - timedelta(minutes=30))},
        {"at": iso(at), "before_due_minutes": None, "fires_at": iso(at)},
        {"at": None, "before_due_minutes": 0, "fires_at": iso(due)},
    ]
    shown = client.get(reverse("task-detail", args=[task["id"]])).json()
    assert shown["reminders"] == task["reminders"]
    [listed] = client.get(reverse("task-list")).json()
    assert listed["reminders"] == task["reminders"]
    assert Reminder.objects.filter(task_id=task["id"], pending=True).count() == 3


def test_an_all_day_tasks_reminders_count_from_nine_in_the_users_zone(user):
    client = client_in_zone(user, "Europe/Paris")
    day = (timezone.now() + timedelta(days=10)).date()
    task = create(client, due_on=day.isoformat(), reminders=[{"before_due_minutes": 60}])

    nine_in_paris = datetime.combine(day, datetime.min.time()).replace(hour=9)
    from zoneinfo import ZoneInfo

    expected = nine_in_paris.replace(tzinfo=ZoneInfo("Europe/Paris")) - timedelta(hours=1)
    assert fires(task) == [expected.astimezone(UTC)]


def test_the_time_of_day_all_day_reminders_count_from_is_a_setting(user, settings):
    settings.REMINDER_ALL_DAY_TIME = "07:30"
    client = client_in_zone(user, "UTC")
    day = (timezone.now() + timedelta(days=3)).date()
    task = create(client, due_on=day.isoformat(), reminders=[{"before_due_minutes": 0}])

    assert fires(task) == [
        datetime.combine(day, datetime.min.time(), UTC).replace(hour=7, minute=30)
    ]


@pytest.mark.parametrize(
    "reminders",
    [
        [{}],
        [{"at": "2030-01-01T00:00:00Z", "before_due_minutes": 5}],
        [{"before_due_minutes": -1}],
        [{"before_due_minutes": 40321}],
        [{"at": "tomorrow"}],
        [{"before_due_minutes": n} for n in range(6)],
        "not a list",
        [3],
    ],
)
def test_reminders_that_cannot_be_are_a_400_on_reminders(client, reminders):
    response = client.post(
        reverse("task-list"),
        {"title": "x", "due_date": iso(soon(days=1)), "reminders": reminders},
    )
    assert_invalid(response, "reminders")


def test_the_extremes_are_allowed_and_the_same_reminder_twice_is_one(client):
    task = create(
        client,
        due_date=iso(soon(days=40)),
        reminders=[
            {"before_due_minutes": 0},
            {"before_due_minutes": 40320},
            {"before_due_minutes": 0},
        ],
    )
    assert [r["before_due_minutes"] for r in task["reminders"]] == [0, 40320]


def test_a_reminder_before_the_due_needs_a_due(client):
    response = client.post(
        reverse("task-list"), {"title": "x", "reminders": [{"before_due_minutes": 10}]}
    )
    assert assert_invalid(response, "reminders") == {"reminders": [REMINDER_NEEDS_A_DUE]}

    task = create(client, reminders=[{"at": iso(soon(hours=1))}])  # at an instant: no due needed
    response = client.patch(
        reverse("task-detail", args=[task["id"]]), {"reminders": [{"before_due_minutes": 5}]}
    )
    assert assert_invalid(response, "reminders") == {"reminders": [REMINDER_NEEDS_A_DUE]}


def test_changing_the_due_moves_reminders_before_it(client):
    task = create(client, due_date=iso(soon(days=1)), reminders=[{"before_due_minutes": 15}])
    later = soon(days=3)

    task = patch(client, task, due_date=iso(later))

    assert fires(task) == [later - timedelta(minutes=15)]
    assert Reminder.objects.get(task_id=task["id"]).fire_at == later - timedelta(minutes=15)


def test_removing_the_due_leaves_reminders_before_it_waiting(client):
    task = create(client, due_date=iso(soon(days=1)), reminders=[{"before_due_minutes": 15}])

    task = patch(client, task, due_date=None)
    assert task["reminders"] == [{"at": None, "before_due_minutes": 15, "fires_at": None}]
    assert not Reminder.objects.get(task_id=task["id"]).pending

    due = soon(days=2)
    task = patch(client, task, due_date=iso(due))
    assert fires(task) == [due - timedelta(minutes=15)]


def test_completing_cancels_reminders_and_reopening_arms_those_ahead(client):
    past = soon(minutes=-5)
    task = create(
        client,
        due_date=iso(soon(days=1)),
        reminders=[{"before_due_minutes": 10}, {"at": iso(past)}],
    )
    url = reverse("task-complete", args=[task["id"]])

    done = client.patch(url, {"completed": True}).json()
    assert fires(done) == [None, None]
    assert not Reminder.objects.filter(task_id=task["id"], pending=True).exists()

    reopened = client.patch(url, {"completed": False}).json()
    assert fires(reopened)[0] is not None  # still ahead
    assert fires(reopened)[1] is None  # its time went by


@pytest.mark.parametrize("route", ["toggle", "put", "patch"])
def test_every_completion_route_cancels_reminders(client, route):
    task = create(client, due_date=iso(soon(days=1)), reminders=[{"before_due_minutes": 10}])
    detail = reverse("task-detail", args=[task["id"]])
    if route == "toggle":
        response = client.patch(reverse("task-complete", args=[task["id"]]))
    elif route == "put":
        response = client.put(
            detail,
            {
                "title": task["title"],
                "completed": True,
                "due_date": task["due_date"],
                "reminders": [{"before_due_minutes": 10}],
            },
        )
    else:
        response = client.patch(detail, {"completed": True})
    assert response.status_code == 200
    assert fires(response.json()) == [None]


def test_a_reminder_set_at_a_time_gone_by_does_not_fire(client):
    task = create(client, reminders=[{"at": iso(soon(minutes=-1))}])

    assert fires(task) == [None]
    assert not Reminder.objects.get(task_id=task["id"]).pending


def test_a_due_reminder_not_yet_delivered_stays_pending_while_its_time_stays(client):
    """A reminder that fell due while no worker ran is still delivered (late), even if
    the task is written meanwhile."""
    task = create(client, due_date=iso(soon(days=1)), reminders=[{"before_due_minutes": 10}])
    reminder = Reminder.objects.get(task_id=task["id"])
    gone_by = soon(minutes=-3)
    Reminder.objects.filter(pk=reminder.pk).update(fire_at=gone_by)  # as if time passed
    # Its due as the stored time makes it: 10 minutes after the reminder.
    task = patch(client, task, due_date=iso(gone_by + timedelta(minutes=10)))
    task = patch(client, task, title="Call the bank today", reminders=task["reminders"])

    assert Reminder.objects.get(task_id=task["id"]).pending
    assert fires(task) == [gone_by]


def test_put_without_reminders_clears_them_and_patch_keeps_them(client):
    task = create(client, due_date=iso(soon(days=1)), reminders=[{"before_due_minutes": 10}])

    kept = patch(client, task, title="Renamed")
    assert len(kept["reminders"]) == 1

    response = client.put(reverse("task-detail", args=[task["id"]]), {"title": "Bare"})
    assert response.status_code == 200
    assert response.json()["reminders"] == []
    assert not Reminder.objects.filter(task_id=task["id"]).exists()


def test_a_reminder_kept_through_a_write_keeps_its_row(client):
    task = create(
        client,
        due_date=iso(soon(days=1)),
        reminders=[{"before_due_minutes": 10}, {"before_due_minutes": 20}],
    )
    first = Reminder.objects.get(task_id=task["id"], before_due_minutes=10).pk

    patch(client, task, reminders=[{"before_due_minutes": 30}, {"before_due_minutes": 10}])

    kept = Reminder.objects.get(task_id=task["id"], before_due_minutes=10)
    assert kept.pk == first
    assert kept.position == 1
    assert set(
        Reminder.objects.filter(task_id=task["id"]).values_list("before_due_minutes", flat=True)
    ) == {10, 30}


def test_deleting_the_task_deletes_its_reminders(client):
    task = create(client, due_date=iso(soon(days=1)), reminders=[{"before_due_minutes": 10}])

    assert client.delete(reverse("task-detail", args=[task["id"]])).status_code == 204
    assert not Reminder.objects.exists()


def test_a_recurring_task_moved_on_keeps_reminders_before_its_due_and_drops_instants_gone_by(
    client,
):
    due = soon(minutes=2)
    ahead = soon(days=30)
    task = create(
        client,
        due_date=iso(due),
        recurrence="FREQ=DAILY",
        reminders=[
            {"before_due_minutes": 1},
            {"at": iso(soon(seconds=-30))},
            {"at": iso(ahead)},
        ],
    )

    moved = client.patch(reverse("task-complete", args=[task["id"]])).json()

    assert moved["completed"] is False
    next_due = due + timedelta(days=1)
    assert parse_datetime(moved["due_date"]) == next_due
    assert [(r["at"], r["before_due_minutes"]) for r in moved["reminders"]] == [
        (None, 1),
        (iso(ahead), None),
    ]
    assert fires(moved) == [next_due - timedelta(minutes=1), ahead]


def test_a_time_zone_change_moves_all_day_reminders(user):
    client = client_in_zone(user, "UTC")
    day = (timezone.now() + timedelta(days=5)).date()
    task = create(client, due_on=day.isoformat(), reminders=[{"before_due_minutes": 0}])

    response = client.patch(reverse("auth-me"), {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 200

    shown = client.get(reverse("task-detail", args=[task["id"]])).json()
    nine_in_tokyo = datetime.combine(day, datetime.min.time(), UTC).replace(hour=0)  # 09:00 JST
    assert fires(shown) == [nine_in_tokyo]


def test_another_users_task_reminders_are_never_shown(client, other_user):
    theirs = create(
        client_for(other_user), due_date=iso(soon(days=1)), reminders=[{"before_due_minutes": 5}]
    )
    assert client.get(reverse("task-detail", args=[theirs["id"]])).status_code == 404
    assert client.get(reverse("task-list")).json() == []
