"""Demo data: a demo user (and more if asked) with varied tasks; safe to run again.

For demos: with DEBUG off it refuses to run unless given --force, and the
demo users get a random password, printed once, when they are created.
"""

import secrets
import sys
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from tqdm import tqdm

from accounts.models import User
from tasks import lists
from tasks.models import Priority, Task, TaskList

BATCH_SIZE = 1000
PROGRESS_FROM = 1000  # tasks; smaller runs finish before a bar would help
PRIORITIES = [Priority.HIGH, Priority.MEDIUM, Priority.LOW, None]
TITLES = [
    "Buy groceries",
    "Call the dentist",
    "Finish the quarterly report",
    "Renew passport",
    "Water the plants",
    "Book train tickets",
    "Review pull request",
    "Pay electricity bill",
    "Plan the team offsite",
    "Back up the laptop",
]


def demo_email(number: int) -> str:
    return "demo@example.org" if number == 1 else f"demo{number}@example.org"


# Each demo user's lists besides the Inbox; tasks go round the three in turn.
DEMO_LISTS = ["Work", "Home"]


def demo_task(user, list_id, index: int, now) -> Task:
    """The index-th demo task: priorities, due dates and completion vary with it."""
    due_offsets = [timedelta(days=-3), timedelta(hours=5), timedelta(days=4), None]
    offset = due_offsets[index % len(due_offsets)]
    completed = index % 3 == 0
    return Task(
        user=user,
        list_id=list_id,
        title=f"{TITLES[index % len(TITLES)]} #{index + 1}",
        description="Seeded demo task." if index % 2 else None,
        priority=PRIORITIES[index % len(PRIORITIES)],
        due_date=now + offset + timedelta(days=index // 20) if offset else None,
        completed=completed,
        completed_at=now - timedelta(hours=index % 48) if completed else None,
    )


class Command(BaseCommand):
    help = (
        "Create demo users (demo@example.org, demo2@example.org, ...) with varied tasks. "
        "Running it again tops up to the requested counts and otherwise changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=1, metavar="N", help="Default 1.")
        parser.add_argument(
            "--tasks", type=int, default=25, metavar="M", help="Tasks per user (default 25)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off too (it adds demo accounts to whatever database is set).",
        )

    def handle(self, *args, users, tasks, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds demo accounts: with DEBUG off, pass --force to run it anyway."
            )
        if users < 1:
            raise CommandError("--users must be at least 1.")
        if tasks < 0:
            raise CommandError("--tasks must be 0 or more.")

        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            demo_users, new_users = self.ensure_users(users, password)
            created = self.top_up_tasks(demo_users, tasks)

        self.stdout.write(f"Demo users: {users}; tasks created now: {created}.")
        if new_users:
            emails = ", ".join(user.email for user in new_users)
            self.stdout.write(f"Created {emails}, all with the same new password.")
            self.stdout.write(f"Log in as {new_users[0].email} with password {password}")
        else:
            self.stdout.write("No user created: they keep the password printed when they were.")

    def ensure_users(self, count: int, password: str) -> tuple[list[User], list[User]]:
        """The demo users, and those of them created now (with `password`)."""
        emails = [demo_email(n) for n in range(1, count + 1)]
        existing = {u.email: u for u in User.objects.filter(email__in=emails)}
        missing = [e for e in emails if e not in existing]
        if missing:
            password = make_password(password)  # hashed once: hashing is slow on purpose
            User.objects.bulk_create(
                [
                    User(email=e, name=f"Demo {emails.index(e) + 1}", password=password)
                    for e in missing
                ],
                batch_size=BATCH_SIZE,
            )
            existing = {u.email: u for u in User.objects.filter(email__in=emails)}
            # Written in bulk, the users are made without the Inbox that
            # creating one by one gives them.
            lists.create_inboxes([existing[e].pk for e in missing])
            for email in missing:
                for name in DEMO_LISTS:
                    lists.list_create(owner_id=existing[email].pk, name=name)
        return [existing[e] for e in emails], [existing[e] for e in missing]

    def top_up_tasks(self, users: list[User], per_user: int) -> int:
        have = dict(
            Task.objects.filter(user__in=users)
            .values("user")
            .annotate(n=Count("id"))
            .values_list("user", "n")
        )
        now = timezone.now()
        lists_of: dict = {}
        for user_id, list_id in (
            TaskList.objects.filter(user__in=users)
            .order_by("position")
            .values_list("user_id", "id")
        ):
            lists_of.setdefault(user_id, []).append(list_id)
        pending = (
            demo_task(user, lists_of[user.pk][index % len(lists_of[user.pk])], index, now)
            for user in users
            for index in range(have.get(user.pk, 0), per_user)
        )
        total = sum(max(0, per_user - have.get(user.pk, 0)) for user in users)
        # The bar is for a person at a terminal, so it goes to the real stderr.
        with tqdm(total=total, unit="task", file=sys.stderr, disable=total < PROGRESS_FROM) as bar:
            while batch := list(islice(pending, BATCH_SIZE)):
                Task.objects.bulk_create(batch)
                bar.update(len(batch))
        return total
