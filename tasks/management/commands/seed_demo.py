"""Demo data: a demo user (and more if asked) with varied tasks; safe to run again.

Every task is made from its index among the user's tasks (demo_task), so a
run that tops up continues where the last one stopped: every fifth task has
the next two as subtasks, some tasks have tags, the recurring ones have
reminders, and each task goes last among its siblings.

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
from tasks.models import Priority, Tag, Task, TaskList, TaskTag, tag_key
from tasks.order import last_position
from tasks.reminders import Spec, reschedule

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


# Each demo user's lists besides the Inbox; top-level tasks go round the three in turn.
DEMO_LISTS = ["Work", "Home"]


# Tag names of the index-th task, in turn: four tasks in seven have some.
DEMO_TAGS = [["home"], [], ["errands", "urgent"], ["reading"], [], ["urgent"], []]
TAG_NAMES = sorted({name for names in DEMO_TAGS for name in names})
SUBTASKS_OF_EVERY = 5  # tasks: the first of each five has the next two as subtasks


def demo_title(index: int) -> str:
    return f"{TITLES[index % len(TITLES)]} #{index + 1}"


def demo_parent_index(index: int) -> int | None:
    """The index of the task the index-th is a subtask of, or None: top-level."""
    return index - index % SUBTASKS_OF_EVERY if index % SUBTASKS_OF_EVERY in (1, 2) else None


# Rules the demo's recurring tasks take in turn (tasks.recurrence).
RECURRENCES = ["FREQ=WEEKLY", "FREQ=DAILY;INTERVAL=2", "FREQ=MONTHLY;BYDAY=-1FR"]


def demo_task(user, list_id, index: int, now) -> Task:
    """The index-th demo task: priorities, due dates and completion vary with it."""
    due_offsets = [timedelta(days=-3), timedelta(hours=5), timedelta(days=4), None]
    offset = due_offsets[index % len(due_offsets)]
    due_date = now + offset + timedelta(days=index // 20) if offset else None
    # Every seventh task with a due date recurs (and is pending: completing
    # it would move it on).
    recurrence = RECURRENCES[index % len(RECURRENCES)] if due_date and index % 7 == 1 else None
    completed = index % 3 == 0 and recurrence is None
    return Task(
        user=user,
        list_id=list_id,
        title=demo_title(index),
        description="Seeded demo task." if index % 2 else None,
        priority=PRIORITIES[index % len(PRIORITIES)],
        due_date=due_date,
        recurrence=recurrence,
        recurrence_start_date=due_date if recurrence else None,
        completed=completed,
        completed_at=now - timedelta(hours=index % 48) if completed else None,
    )


def demo_reminders(task: Task, index: int, now) -> list[Spec]:
    """The index-th demo task's reminders: a recurring one is reminded half an hour
    before each due, and some also an hour from now."""
    if task.recurrence is None:
        return []
    soon = [Spec(at=now + timedelta(hours=1))] if index % 14 == 1 else []
    return [Spec(before_due_minutes=30), *soon]


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
        todo = {
            user.pk: range(have.get(user.pk, 0), per_user)
            for user in users
            if have.get(user.pk, 0) < per_user
        }
        if not todo:
            return 0
        now = timezone.now()
        lists_of: dict = {}
        for user_id, list_id in (
            TaskList.objects.filter(user__in=list(todo))
            .order_by("position")
            .values_list("user_id", "id")
        ):
            lists_of.setdefault(user_id, []).append(list_id)
        tags_of = self.ensure_tags(list(todo))
        parents_of = self.stored_parents(todo)
        last = self.last_positions(todo, parents_of)
        pending = (
            made
            for user in users
            if user.pk in todo
            for made in demo_tasks(
                user, lists_of[user.pk], todo[user.pk], now, last, parents_of.get(user.pk, {})
            )
        )
        total = sum(len(indexes) for indexes in todo.values())
        # The bar is for a person at a terminal, so it goes to the real stderr.
        with tqdm(total=total, unit="task", file=sys.stderr, disable=total < PROGRESS_FROM) as bar:
            while batch := list(islice(pending, BATCH_SIZE)):
                Task.objects.bulk_create([task for task, _, _ in batch])
                TaskTag.objects.bulk_create(
                    TaskTag(task_id=task.pk, tag_id=tags_of[task.user_id][tag_key(name)])
                    for task, names, _ in batch
                    for name in names
                )
                for task, _, specs in batch:
                    if specs:
                        reschedule(task, time_zone=task.user.time_zone, specs=specs)
                bar.update(len(batch))
        return total

    def ensure_tags(self, user_ids: list) -> dict:
        """Each user's demo tags, by key (tasks.models.tag_key), made where missing."""
        keys = {tag_key(name): name for name in TAG_NAMES}
        tags_of = {user_id: {} for user_id in user_ids}
        for user_id, key, pk in Tag.objects.filter(user_id__in=user_ids, key__in=keys).values_list(
            "user_id", "key", "pk"
        ):
            tags_of[user_id][key] = pk
        missing = [
            Tag(user_id=user_id, name=name, key=key)
            for user_id, tags in tags_of.items()
            for key, name in keys.items()
            if key not in tags
        ]
        Tag.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        for tag in missing:
            tags_of[tag.user_id][tag.key] = tag.pk
        return tags_of

    def stored_parents(self, todo: dict) -> dict:
        """For each user whose next task is a subtask, its parent made by an earlier run:
        {user id: {index: (id, list id)}}."""
        wanted = {
            (user_id, demo_title(parent)): parent
            for user_id, indexes in todo.items()
            if (parent := demo_parent_index(indexes.start)) is not None
        }
        if not wanted:
            return {}
        found = Task.objects.filter(
            user_id__in={user_id for user_id, _ in wanted},
            title__in={title for _, title in wanted},
            parent__isnull=True,
        ).values_list("user_id", "title", "id", "list_id")
        return {
            user_id: {wanted[user_id, title]: (pk, list_id)}
            for user_id, title, pk, list_id in found
            if (user_id, title) in wanted
        }

    def last_positions(self, todo: dict, parents_of: dict) -> dict:
        """The last position among the top-level tasks of each of the users' lists, and
        among the subtasks of each parent of parents_of, keyed by list or parent id."""
        parent_ids = [pk for parents in parents_of.values() for pk, _ in parents.values()]
        list_ids = TaskList.objects.filter(user_id__in=list(todo)).values_list("pk", flat=True)
        by_list, by_parent = Task.objects.last_positions(
            list_ids=list(list_ids), parent_ids=parent_ids
        )
        return by_list | by_parent


def demo_tasks(user, list_ids: list, indexes: range, now, last: dict, parents: dict):
    """The user's demo tasks of these indexes, each with its tags' names and its reminders.

    Each goes last among its siblings: `last` holds the last position of
    each group of siblings, by list id (its top-level tasks) or parent id
    (its subtasks), and is kept up to date. A subtask goes to its parent's
    list; `parents` holds the user's tasks that may be parents, by index.
    """
    for index in indexes:
        parent_id, list_id = parents.get(demo_parent_index(index), (None, None))
        if parent_id is None:
            list_id = list_ids[index % len(list_ids)]
        task = demo_task(user, list_id, index, now)
        task.parent_id = parent_id
        group = list_id if parent_id is None else parent_id
        task.position = last[group] = last_position(last.get(group))
        if index % SUBTASKS_OF_EVERY == 0:
            parents[index] = (task.pk, list_id)
        yield task, DEMO_TAGS[index % len(DEMO_TAGS)], demo_reminders(task, index, now)
