from django.core.management.base import BaseCommand

from tasks.services import tasks_recount


class Command(BaseCommand):
    help = (
        "Recount every user's tasks, and the tasks of every list and tag, into the counts "
        "that totals are read from. Database triggers keep them exact; this repairs writes "
        "that bypassed the triggers."
    )

    def handle(self, *args, **options):
        wrong = tasks_recount()
        self.stdout.write(
            f"Recounted tasks: {wrong.users} user(s) had wrong counts, as did "
            f"{wrong.lists} list(s) and {wrong.tags} tag(s); all now put right."
        )
