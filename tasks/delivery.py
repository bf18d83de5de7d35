"""Delivering reminders: an email to the owner and a notification, exactly once.

The worker (tasks.jobs) runs `deliver_due` when woken for a reminder's time
and every minute. It takes the due reminders one at a time, each in a
transaction of its own: the reminder is claimed (its row locked; on
PostgreSQL other workers skip it and take the next, on SQLite the write
lock queues them), marked delivered, its notification stored, the email
sent, and only then committed. So two workers never deliver the same
reminder, and a worker killed before the commit has recorded nothing:
the reminder is still pending and the next run delivers it (the one email
that may have left before the kill goes again). A reminder is marked late
when it fell due before the delivering worker started (no worker ran then,
as far as this one knows), or is delivered more than REMINDER_LATE_SECONDS
after its time (a mail server that refused meanwhile, say).
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from tasks.dates import iso_datetime
from tasks.models import Notification, Reminder, WorkerRun

logger = logging.getLogger(__name__)

JOB = "reminders"


def deliver_due(*, running_since: datetime | None = None) -> int:
    """Deliver every reminder due now; how many this run delivered. `running_since`:
    when the worker running this started (None: not a worker)."""
    delivered = 0
    mail = get_connection()
    try:
        while _deliver_next(mail, running_since):
            delivered += 1
    finally:
        mail.close()
    finished = timezone.now()
    # One row, written by every worker: the last run of any.
    WorkerRun.objects.bulk_create(
        [WorkerRun(job=JOB, finished_at=finished, delivered=delivered)],
        update_conflicts=True,
        unique_fields=["job"],
        update_fields=["finished_at", "delivered"],
    )
    if delivered:
        logger.info("Delivered %d reminders", delivered)
    return delivered


def _deliver_next(mail, running_since) -> bool:
    """Deliver the earliest due reminder no other worker holds; False when none is left."""
    with transaction.atomic():
        now = timezone.now()
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pending=True, fire_at__lte=now, task__completed=False)
            .select_related("task__user")
            .order_by("fire_at", "id")
            .first()
        )
        if reminder is None:
            return False
        Reminder.objects.filter(pk=reminder.pk).update(pending=False)
        task = reminder.task
        late = (running_since is not None and reminder.fire_at < running_since) or (
            now - reminder.fire_at
        ).total_seconds() > settings.REMINDER_LATE_SECONDS
        Notification.objects.create(
            user_id=task.user_id,
            task_id=task.pk,
            reminder_id=reminder.pk,
            title=task.title,
            due_date=task.due_date,
            due_on=task.due_on,
            fire_at=reminder.fire_at,
            delivered_at=now,
            late=late,
        )
        if task.user.email:
            mail.send_messages([reminder_email(task, reminder.fire_at, late=late)])
    return True


def reminder_email(task, fire_at, *, late: bool) -> EmailMessage:
    """The email a reminder of `task`, set for `fire_at`, sends its owner."""
    zone = ZoneInfo(task.user.time_zone)

    def local(moment):
        return moment.astimezone(zone).strftime("%A %d %B %Y, %H:%M") + f" ({zone.key})"

    if task.due_date is not None:
        due = local(task.due_date)
    elif task.due_on is not None:
        due = task.due_on.strftime("%A %d %B %Y")
    else:
        due = "no due date"
    lines = [task.title, "", f"Due: {due}", f"Reminder set for: {local(fire_at)}"]
    if late:
        lines += ["", "This reminder is late: it could not be delivered at its time."]
    return EmailMessage(
        subject=f"Reminder: {task.title}",
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[task.user.email],
        # The same instant for mail filters and clients, in UTC.
        headers={"X-Reminder-Time": iso_datetime(fire_at)},
    )


def last_run() -> WorkerRun | None:
    """The worker's last run, or None if no worker ever ran."""
    return WorkerRun.objects.filter(job=JOB).first()
