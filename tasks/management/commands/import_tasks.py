import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, normalize_email
from tasks.transfer import parse_task_file, tasks_import


class Command(BaseCommand):
    help = (
        "Import tasks for a user from a file written by export_tasks (JSON or CSV, by its "
        "extension or --format). Every row is checked with the API's rules; if any row is "
        "invalid nothing is imported. Rows whose id is already one of the user's tasks "
        "overwrite that task. A parent is a task of the file or of the user's; a task gets "
        "exactly the tags and reminders its row names."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, metavar="EMAIL", help="Who gets the tasks.")
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--format", choices=["json", "csv"], help="Default: from the extension."
        )

    def handle(self, *args, user, file, format, **options):
        owner = User.objects.filter(email=normalize_email(user)).first()
        if owner is None:
            raise CommandError(f"No user with email {user!r}.")
        path = Path(file)
        file_format = format or ("csv" if path.suffix.lower() == ".csv" else "json")
        try:
            # newline="" keeps line breaks inside CSV cells as they were written.
            with path.open(encoding="utf-8", newline="") as export:
                rows = parse_task_file(export.read(), file_format)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except (ValueError, json.JSONDecodeError) as exc:
            raise CommandError(
                f"{file} is not a valid {file_format.upper()} export: {exc}."
            ) from exc
        try:
            count = tasks_import(user=owner, rows=rows)
        except ValidationError as exc:
            raise CommandError(f"Nothing imported: {exc.messages[0]}") from exc
        self.stdout.write(f"Imported {count} task(s) for {owner.email}.")
