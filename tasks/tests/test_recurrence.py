"""Recurring tasks: RRULEs in the user's time zone, completion moving the task on, history."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from accounts.tests.api import client_for, client_in_zone
from api.tests.assertions import assert_invalid, assert_problem
from tasks.models import Task, TaskCompletion
from tasks.store import NEEDS_A_DUE, NO_FUTURE_OCCURRENCE
from tasks.transfer import tasks_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(user):
    return client_in_zone(user)


def create(client, **fields):
    response = client.post(reverse("task-list"), {"title": "Recurring", **fields})
    assert response.status_code == 201, response.content
    return response.json()


def complete(client, task, **body):
    """Complete the task as it is now: with If-Match, the occurrence the client sees."""
    etag = client.get(reverse("task-detail", args=[task["id"]]))["ETag"]
    url = reverse("task-complete", args=[task["id"]])
    response = client.patch(url, body, headers={"If-Match": etag})
    assert response.status_code == 200, response.content
    return response.json()


def completions(client, task, **params):
    return client.get(reverse("task-completions", args=[task["id"]]), params)


def test_a_rule_is_kept_in_its_plain_form(client):
    task = create(client, due_on="2027-01-04", recurrence="rrule:freq=weekly;byday=mo,we")

    assert task["recurrence"] == "FREQ=WEEKLY;BYDAY=MO,WE"
    assert task["recur_from"] == "due"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",
        "FREQ=MINUTELY;INTERVAL=5",
        "FREQ=WEEKLY;BYHOUR=9",
        "FREQ=WEEKLY;FOO=1",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=DAILY;COUNT=two",
        "FREQ=DAILY;UNTIL=20200101T000000Z",
        "WEEKLY",
        "",
    ],
)
def test_a_rule_the_api_does_not_take_is_a_400(client, rule):
    response = client.post(
        reverse("task-list"), {"title": "t", "due_on": "2027-01-04", "recurrence": rule}
    )

    assert_invalid(response, "recurrence")
    assert not Task.objects.exists()


def test_a_rule_needs_a_due_and_an_occurrence_to_come(client):
    no_due = client.post(reverse("task-list"), {"title": "t", "recurrence": "FREQ=DAILY"})
    past = client.post(
        reverse("task-list"),
        {"title": "t", "due_on": "2020-01-01", "recurrence": "FREQ=DAILY;COUNT=3"},
    )

    assert assert_invalid(no_due, "recurrence")["recurrence"] == [NEEDS_A_DUE]
    assert assert_invalid(past, "recurrence")["recurrence"] == [NO_FUTURE_OCCURRENCE]
    task = create(client, due_on="2027-01-04")
    cleared = client.patch(
        reverse("task-detail", args=[task["id"]]), {"due_on": None, "recurrence": "FREQ=DAILY"}
    )
    assert_invalid(cleared, "recurrence")


@pytest.mark.parametrize("route", ["toggle", "set", "patch", "put"])
def test_completing_by_any_route_records_the_occurrence_and_moves_on(client, route):
    task = create(client, due_on="2027-01-04", recurrence="FREQ=WEEKLY;BYDAY=MO")
    url = reverse("task-detail", args=[task["id"]])

    if route == "toggle":
        moved = complete(client, task)
    elif route == "set":
        moved = complete(client, task, completed=True)
    elif route == "patch":
        moved = client.patch(url, {"completed": True}).json()
    else:
        body = {"title": "Recurring", "due_on": "2027-01-04", "completed": True}
        moved = client.put(url, {**body, "recurrence": "FREQ=WEEKLY;BYDAY=MO"}).json()

    assert (moved["completed"], moved["completed_at"], moved["due_on"]) == (
        False,
        None,
        "2027-01-11",
    )
    assert moved["id"] == task["id"]
    [done] = completions(client, task).json()
    assert done["due_on"] == "2027-01-04" and done["due_date"] is None
    assert done["completed_at"]


def test_a_task_at_nine_every_monday_stays_at_nine_across_daylight_saving(user):
    client = client_in_zone(user, "Europe/Paris")
    # Monday 22 March 2027, 09:00 in Paris (UTC+1); summer time starts on the 28th.
    task = create(client, due_date="2027-03-22T08:00:00Z", recurrence="FREQ=WEEKLY;BYDAY=MO")

    after = complete(client, task)
    later = complete(client, after)

    assert after["due_date"] == "2027-03-29T07:00:00Z"  # 09:00 in Paris, UTC+2
    assert later["due_date"] == "2027-04-05T07:00:00Z"


def test_monthly_on_the_31st_and_yearly_on_the_29th_of_february_skip_as_rfc_5545_says(client):
    monthly = create(client, due_on="2027-01-31", recurrence="FREQ=MONTHLY;BYMONTHDAY=31")
    leap = create(
        client, due_on="2028-02-29", recurrence="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=5"
    )
    last_friday = create(client, due_on="2027-01-29", recurrence="FREQ=MONTHLY;BYDAY=-1FR")

    assert complete(client, monthly)["due_on"] == "2027-03-31"
    assert complete(client, leap)["due_on"] == "2032-02-29"
    assert complete(client, last_friday)["due_on"] == "2027-02-26"


def test_a_completion_without_if_match_right_after_another_is_the_same_one(client):
    task = create(client, due_on="2027-01-04", recurrence="FREQ=DAILY")
    url = reverse("task-complete", args=[task["id"]])

    first = client.patch(url, {"completed": True}).json()
    again = client.patch(url, {"completed": True}).json()
    stale = client.patch(url, {"completed": True}, headers={"If-Match": '"1"'})

    assert first["due_on"] == again["due_on"] == "2027-01-05"
    assert_problem(stale, 412)
    assert TaskCompletion.objects.filter(task_id=task["id"]).count() == 1


def test_when_the_rule_is_exhausted_the_task_stays_completed(client):
    task = create(client, due_on="2027-01-04", recurrence="FREQ=DAILY;COUNT=2")

    second = complete(client, task)
    last = complete(client, second)

    assert second["due_on"] == "2027-01-05" and not second["completed"]
    assert last["completed"] is True and last["due_on"] == "2027-01-05"
    assert completions(client, task)["X-Total-Count"] == "2"
    reopened = complete(client, last)  # toggling a completed one reopens it, as any task
    assert reopened["completed"] is False
    again = complete(client, reopened)  # the last occurrence, completed once more
    assert again["completed"] is True
    assert completions(client, task)["X-Total-Count"] == "2"


def test_recur_from_completion_counts_from_the_day_of_completion(client):
    task = create(
        client, due_on="2026-01-05", recurrence="FREQ=DAILY;INTERVAL=7", recur_from="completion"
    )

    moved = complete(client, task)

    today = timezone.now().date()
    due_on = datetime.fromisoformat(moved["due_on"]).date()
    assert today < due_on <= today + timedelta(days=7)
    assert (due_on - datetime(2026, 1, 5).date()).days % 7 == 0


def test_completions_are_newest_first_paged_and_the_owners_only(client, other_user):
    task = create(client, due_on="2027-01-04", recurrence="FREQ=DAILY")
    current = task
    for _ in range(3):
        current = complete(client, current)

    first = completions(client, task, page_size=2)
    theirs = completions(client_for(other_user), task)

    assert first.status_code == 200
    assert [row["due_on"] for row in first.json()] == ["2027-01-06", "2027-01-05"]
    assert first["X-Total-Count"] == "3"
    assert_problem(theirs, 404)
    plain = create(client, title="plain")
    assert completions(client, plain).json() == []


@pytest.mark.django_db(transaction=True)
def test_two_completions_of_one_occurrence_at_once_move_it_on_once(user):
    client = client_in_zone(user)
    task = create(client, due_on="2027-01-04", recurrence="FREQ=DAILY")
    barrier = threading.Barrier(4)
    statuses = []

    def run():
        try:
            barrier.wait()
            url = reverse("task-complete", args=[task["id"]])
            statuses.append(client_for(user).patch(url, {"completed": True}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 4
    assert Task.objects.get(pk=task["id"]).due_on.isoformat() == "2027-01-05"
    assert TaskCompletion.objects.filter(task_id=task["id"]).count() == 1


def test_an_import_of_a_completed_recurring_task_moves_it_on(user):
    client_in_zone(user)
    row = {
        "title": "imported",
        "due_on": "2027-01-04",
        "recurrence": "FREQ=WEEKLY",
        "completed": True,
        "completed_at": datetime(2027, 1, 4, 12, tzinfo=UTC).isoformat(),
    }

    tasks_import(user=user, rows=[row])

    task = Task.objects.get(title="imported")
    assert (task.completed, task.due_on.isoformat()) == (False, "2027-01-11")
    [done] = TaskCompletion.objects.filter(task=task)
    assert done.due_on.isoformat() == "2027-01-04"
