from django.core.management.base import BaseCommand

from tasks.services import tasks_recount


class Command(BaseCommand):
    help = (
        "Recount every user's tasks into the task counts that list totals are read from. "
        "Database triggers keep them exact; this repairs writes that bypassed the triggers."
    )

    def handle(self, *args, **options):
        wrong = tasks_recount()
        self.stdout.write(f"Recounted tasks: {wrong} user(s) had wrong counts, now put right.")
