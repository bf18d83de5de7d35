from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, normalize_email
from tasks.transfer import tasks_export


class Command(BaseCommand):
    help = "Export one user's tasks as JSON or CSV (to a file, or to standard output)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, metavar="EMAIL", help="Whose tasks.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", metavar="FILE", help="Write here instead of stdout.")

    def handle(self, *args, user, format, output, **options):
        owner = User.objects.filter(email=normalize_email(user)).first()
        if owner is None:
            raise CommandError(f"No user with email {user!r}.")
        content = tasks_export(user=owner, file_format=format)
        if output is None:
            self.stdout.write(content, ending="")
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as file:
                file.write(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stderr.write(f"Exported {owner.tasks.count()} task(s) to {output}.")
