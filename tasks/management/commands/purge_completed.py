from django.core.management.base import BaseCommand, CommandError

from tasks.services import tasks_purge_completed


class Command(BaseCommand):
    help = "Delete tasks completed more than DAYS days ago, for every user."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days.")
        count = tasks_purge_completed(older_than_days=older_than, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} completed task(s) older than {older_than} day(s).")
