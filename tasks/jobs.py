"""The worker's jobs, run by Huey's consumer (`manage.py run_huey`, `make worker`).

Both deliver whatever reminders are due (tasks.delivery): one is queued by
tasks.reminders for the moment a reminder fires, the other runs when a
worker starts and every minute after, so that reminders fall due within a
minute even if a wake-up was lost, and those that fell due while no worker
ran are delivered as soon as one starts.
"""

from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from tasks import delivery

# When this worker process started: what fell due before then fell due while
# no worker ran, and is delivered marked late.
started_at: datetime | None = None


@on_startup()
def note_the_start() -> None:
    global started_at
    if started_at is None:  # the first of the process's worker threads
        started_at = timezone.now()


@db_task()
def deliver_reminders() -> int:
    return delivery.deliver_due(running_since=started_at)


@db_periodic_task(crontab(minute="*"))
def deliver_reminders_every_minute() -> int:
    return delivery.deliver_due(running_since=started_at)
