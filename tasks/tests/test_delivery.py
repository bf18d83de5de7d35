"""Delivering reminders (tasks.delivery), run in the test's process: the email, the
notification, once each. Real worker processes, a real SMTP server and
concurrency: tests/test_worker.py."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.api import client_for
from tasks.delivery import deliver_due, last_run, reminder_email
from tasks.models import Notification, Reminder, Task

pytestmark = pytest.mark.django_db


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def client(user):
    return client_for(user)


def create(client, **fields) -> dict:
    response = client.post(reverse("task-list"), {"title": "Water the plants", **fields})
    assert response.status_code == 201, response.content
    return response.json()


def fall_due(task: dict, ago=timedelta(seconds=5)) -> None:
    """As if the task's reminders' times had come."""
    Reminder.objects.filter(task_id=task["id"], pending=True).update(fire_at=timezone.now() - ago)


def test_a_due_reminder_is_mailed_and_listed_once(client, user):
    task = create(
        client,
        due_date=iso(timezone.now() + timedelta(hours=2)),
        reminders=[{"before_due_minutes": 30}],
    )
    fall_due(task)

    assert deliver_due() == 1
    assert deliver_due() == 0

    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Reminder: Water the plants"
    assert "Water the plants" in message.body
    [notification] = Notification.objects.all()
    assert (notification.user_id, str(notification.task_id)) == (user.pk, task["id"])
    assert notification.late is False
    reminder = Reminder.objects.get(task_id=task["id"])
    assert reminder.pending is False
    shown = client.get(reverse("task-detail", args=[task["id"]])).json()
    assert shown["reminders"][0]["fires_at"] is None  # fired


def test_reminders_not_yet_due_wait(client):
    create(client, reminders=[{"at": iso(timezone.now() + timedelta(minutes=5))}])

    assert deliver_due() == 0
    assert mail.outbox == []
    assert Reminder.objects.get().pending


def test_a_reminder_delivered_long_after_its_time_is_marked_late(client, settings):
    settings.REMINDER_LATE_SECONDS = 60
    task = create(client, reminders=[{"at": iso(timezone.now() + timedelta(minutes=5))}])
    fall_due(task, ago=timedelta(minutes=3))

    deliver_due()

    assert Notification.objects.get().late is True
    assert "late" in mail.outbox[0].body


def test_a_completed_or_deleted_task_is_not_reminded(client):
    done = create(client, reminders=[{"at": iso(timezone.now() + timedelta(minutes=5))}])
    gone = create(client, reminders=[{"at": iso(timezone.now() + timedelta(minutes=5))}])
    fall_due(done)
    fall_due(gone)
    client.patch(reverse("task-complete", args=[done["id"]]), {"completed": True})
    client.delete(reverse("task-detail", args=[gone["id"]]))

    assert deliver_due() == 0
    assert mail.outbox == []


def test_a_recurring_tasks_reminder_fires_again_for_the_next_occurrence(client):
    due = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    task = create(
        client, due_date=iso(due), recurrence="FREQ=DAILY", reminders=[{"before_due_minutes": 60}]
    )
    fall_due(task)
    assert deliver_due() == 1

    moved = client.patch(reverse("task-complete", args=[task["id"]])).json()  # on to tomorrow
    assert moved["reminders"][0]["fires_at"] == iso(due + timedelta(days=1, minutes=-60))
    reminder = Reminder.objects.get()
    assert reminder.pending
    fall_due(task)
    assert deliver_due() == 1

    assert Notification.objects.filter(reminder_id=reminder.pk).count() == 2
    assert len(mail.outbox) == 2


def test_a_failing_mail_server_keeps_the_reminder_for_the_next_run(client, settings):
    task = create(client, reminders=[{"at": iso(timezone.now() + timedelta(minutes=5))}])
    fall_due(task)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1

    with pytest.raises(OSError):
        deliver_due()

    assert Reminder.objects.get().pending
    assert not Notification.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_due() == 1


def test_each_run_is_recorded(client):
    assert last_run() is None
    before = timezone.now()

    deliver_due()

    run = last_run()
    assert run.finished_at >= before
    assert run.delivered == 0


def test_the_email_gives_the_due_in_the_owners_time_zone(user):
    user.time_zone = "America/New_York"
    user.save()
    task = Task(user=user, title="Dentist", due_date=datetime(2027, 1, 4, 15, 30, tzinfo=UTC))
    message = reminder_email(task, datetime(2027, 1, 4, 15, 0, tzinfo=UTC), late=False)
    assert "Monday 04 January 2027, 10:30 (America/New_York)" in message.body
    assert "Reminder set for: Monday 04 January 2027, 10:00 (America/New_York)" in message.body
    assert message.extra_headers["X-Reminder-Time"] == "2027-01-04T15:00:00Z"

    all_day = Task(user=user, title="Birthday", due_on=date(2027, 3, 1))
    assert "Monday 01 March 2027" in reminder_email(all_day, timezone.now(), late=False).body
