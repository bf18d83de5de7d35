from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tasks.delivery import last_run
from tasks.models import Reminder

# A worker looks every minute: a last run older than this means none is running.
STALE_AFTER = timedelta(minutes=2)


class Command(BaseCommand):
    help = (
        "When the worker last looked for reminders to deliver, and how many are waiting. "
        "Exits 1 if no worker ran in the last two minutes (usable as a probe)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        waiting = Reminder.objects.filter(pending=True, fire_at__lte=now).count()
        run = last_run()
        if run is None:
            raise CommandError(f"No worker has run yet; {waiting} reminders are due.")
        ago = (now - run.finished_at).total_seconds()
        summary = (
            f"Last run: {run.finished_at.isoformat()} ({ago:.0f} s ago), "
            f"delivered {run.delivered}; {waiting} reminders due and not yet delivered."
        )
        if now - run.finished_at > STALE_AFTER:
            raise CommandError(f"No worker is running. {summary}")
        self.stdout.write(summary)
