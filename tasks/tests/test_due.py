"""All-day tasks (`due_on`) and the due filters, in the caller's time zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.api import client_for, client_in_zone
from api.tests.assertions import assert_invalid
from tasks.dates import end_of_day
from tasks.models import Task

pytestmark = pytest.mark.django_db

# Far from UTC both ways: "today" there is not UTC's today for hours every day.
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14
PAGO_PAGO = "Pacific/Pago_Pago"  # UTC-11


@pytest.fixture
def client(user):
    return client_for(user)


def create(client, title, **fields):
    response = client.post(reverse("task-list"), {"title": title, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def titles(client, **params) -> list[str]:
    response = client.get(reverse("task-list"), params)
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()]


def local_today(time_zone) -> date:
    return timezone.now().astimezone(ZoneInfo(time_zone)).date()


def test_an_all_day_task_is_due_on_a_day(client):
    task = create(client, "Dentist", due_on="2026-12-24")

    assert (task["due_on"], task["due_date"]) == ("2026-12-24", None)
    shown = client.get(reverse("task-detail", args=[task["id"]])).json()
    assert shown["due_on"] == "2026-12-24"
    assert [t["due_on"] for t in client.get(reverse("task-list")).json()] == ["2026-12-24"]


def test_setting_one_clears_the_other(client):
    task = create(client, "t", due_date="2026-12-24T10:00:00Z")
    url = reverse("task-detail", args=[task["id"]])

    on_a_day = client.patch(url, {"due_on": "2026-12-25"}).json()
    at_an_instant = client.patch(url, {"due_date": "2026-12-26T08:00:00Z"}).json()

    assert (on_a_day["due_on"], on_a_day["due_date"]) == ("2026-12-25", None)
    assert (at_an_instant["due_on"], at_an_instant["due_date"]) == (None, "2026-12-26T08:00:00Z")
    both = client.patch(url, {"due_on": "2026-12-25", "due_date": "2026-12-26T08:00:00Z"})
    assert_invalid(both, "due_on")
    for bad in ["2026-13-01", "tomorrow", "2026-12-24T10:00:00Z", 20261224]:
        assert_invalid(client.patch(url, {"due_on": bad}), "due_on")


def test_put_without_due_on_clears_it(client):
    task = create(client, "t", due_on="2026-12-24")

    put = client.put(reverse("task-detail", args=[task["id"]]), {"title": "t"}).json()

    assert put["due_on"] is None


def test_due_date_sorts_and_filters_by_the_end_of_the_day_in_the_users_zone(user):
    client = client_in_zone(user, "Europe/Paris")  # UTC+1 in December
    create(client, "all day on the 24th", due_on="2026-12-24")
    create(client, "the 24th, 22:30 UTC", due_date="2026-12-24T22:30:00Z")  # 23:30 in Paris
    create(client, "the 24th, 23:30 UTC", due_date="2026-12-24T23:30:00Z")  # the 25th in Paris
    create(client, "none")

    assert titles(client, sort="due_date") == [
        "the 24th, 22:30 UTC",
        "all day on the 24th",
        "the 24th, 23:30 UTC",
        "none",
    ]
    assert titles(client, sort="-due_date")[:3] == [
        "the 24th, 23:30 UTC",
        "all day on the 24th",
        "the 24th, 22:30 UTC",
    ]
    assert "all day on the 24th" in titles(client, due_before="2026-12-24T23:00:00Z")
    assert "all day on the 24th" not in titles(client, due_before="2026-12-24T22:58:00Z")
    assert "all day on the 24th" in titles(client, due_after="2026-12-24T22:58:00Z")


def test_an_all_day_task_stays_on_its_day_when_the_time_zone_changes(user):
    client = client_in_zone(user, "Europe/Paris")
    task = create(client, "all day", due_on="2026-12-24")

    response = client.patch(reverse("auth-me"), {"time_zone": "America/Los_Angeles"})

    assert response.status_code == 200
    assert client.get(reverse("task-detail", args=[task["id"]])).json()["due_on"] == "2026-12-24"
    stored = Task.objects.get(pk=task["id"])
    assert stored.due_at == end_of_day(date(2026, 12, 24), "America/Los_Angeles")
    assert stored.due_at == datetime(2026, 12, 25, 7, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize("time_zone", [KIRITIMATI, PAGO_PAGO, "UTC"])
def test_the_due_filter_reckons_days_in_the_users_zone(user, time_zone):
    client = client_in_zone(user, time_zone)
    today = local_today(time_zone)
    now = timezone.now()
    create(client, "today, all day", due_on=today.isoformat())
    create(client, "yesterday, all day", due_on=(today - timedelta(days=1)).isoformat())
    create(client, "tomorrow, all day", due_on=(today + timedelta(days=1)).isoformat())
    create(client, "in a week, all day", due_on=(today + timedelta(days=7)).isoformat())
    create(client, "an hour ago", due_date=(now - timedelta(hours=1)).isoformat())
    create(
        client, "an hour ago, done", due_date=(now - timedelta(hours=1)).isoformat(), completed=True
    )
    create(client, "no due")

    assert "today, all day" in titles(client, due="today")
    assert set(titles(client, due="today")) <= {
        "today, all day",
        "an hour ago",
        "an hour ago, done",
    }
    assert set(titles(client, due="overdue")) == {"yesterday, all day", "an hour ago"}
    assert set(titles(client, due="next_7_days")) >= {"today, all day", "tomorrow, all day"}
    assert "in a week, all day" not in titles(client, due="next_7_days")
    assert "yesterday, all day" not in titles(client, due="next_7_days")
    assert titles(client, due="none") == ["no due"]
    assert_invalid(client.get(reverse("task-list"), {"due": "soon"}), "due")


def test_today_is_the_users_today_not_the_servers(user):
    # In Kiritimati it is always a later date than in Pago Pago (25 hours apart).
    client = client_in_zone(user, KIRITIMATI)
    their_today = local_today(KIRITIMATI)
    create(client, "due on Kiritimati's today", due_on=their_today.isoformat())

    assert titles(client, due="today") == ["due on Kiritimati's today"]
    client = client_in_zone(user, PAGO_PAGO)
    assert titles(client, due="today") == []
