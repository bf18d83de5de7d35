"""The benchmark's data: groups of users and their tasks, written with COPY.

Every scenario draws on a group of its own, so that no scenario changes what
another measures (creates never grow a list being listed, deletes have a pool
of their own). Rows come from a seeded random generator, so two databases
seeded with the same plan hold the same data; 100,000 tasks take seconds.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

# One word every search looks for; no other word of the vocabulary contains it.
SEARCH_TERM = "invoice"
VERBS = "Buy Call Email Fix Plan Review Write Book Clean Pay Send Read Check Order Prepare Update"
NOUNS = (
    "milk report car dentist tickets garden slides budget rent letter package book laptop "
    "meeting notes flowers printer passport insurance kitchen contract taxes bike roof"
)
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
PRIORITIES = ["low", "medium", "high", None]

USER_COLUMNS = (
    "id, password, last_login, is_superuser, email, name, is_active, is_staff, date_joined, "
    "external_issuer, external_subject, external_email"
)
TASK_COLUMNS = (
    "id, user_id, list_id, title, description, completed, completed_at, priority, due_date, "
    "created_at, updated_at, version"
)
# Every user's Inbox, which holds their tasks (written in bulk, users get
# none from the application).
LIST_COLUMNS = "id, user_id, name, color, position, is_inbox, created_at, updated_at, version"


@dataclass(frozen=True)
class Group:
    name: str
    users: int
    tasks_per_user: int
    # Also known to an external issuer (EXTERNAL_ISSUER), by their id as subject.
    linked: bool = False


# The external issuer the benchmark's EdDSA tokens come from (bench/run.py).
EXTERNAL_ISSUER = "https://front-end.bench.example.org"


@dataclass
class SeededUser:
    id: uuid.UUID
    email: str
    inbox_id: uuid.UUID
    task_ids: list[uuid.UUID] = field(default_factory=list)


def email_for(group: str, number: int) -> str:
    return f"{group}-{number}@bench.example.org"


class TaskFactory:
    """Varied, realistic tasks: some done, some without a due date or priority."""

    def __init__(self, seed: int, now: datetime):
        self.random = random.Random(seed)
        self.now = now
        self.verbs, self.nouns, self.weekdays = VERBS.split(), NOUNS.split(), WEEKDAYS.split()

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    def title(self) -> str:
        words = [self.random.choice(self.verbs), "the", self.random.choice(self.nouns)]
        if self.random.random() < 0.02:
            words.append(SEARCH_TERM)
        return " ".join(words)

    def description(self) -> str | None:
        if self.random.random() < 0.5:
            return None
        noun, day = self.random.choice(self.nouns), self.random.choice(self.weekdays)
        extra = f" and the {SEARCH_TERM}" if self.random.random() < 0.02 else ""
        return f"Remember the {noun}{extra} before {day}; ask the others first."

    def row(self, user: "SeededUser") -> tuple:
        pick = self.random.random
        created = self.now - timedelta(seconds=pick() * 365 * 86400)
        completed = pick() < 0.3
        completed_at = created + timedelta(seconds=pick() * 86400) if completed else None
        due = None if pick() < 0.2 else self.now + timedelta(seconds=(pick() - 0.5) * 360 * 86400)
        return (
            self.new_id(),
            user.id,
            user.inbox_id,
            self.title(),
            self.description(),
            completed,
            completed_at,
            self.random.choice(PRIORITIES),
            due,
            created,
            completed_at or created,
            1,
        )


def seed(database_url: str, groups: list[Group], password_hash: str) -> dict[str, list]:
    """Insert every group's users (all with password_hash) and tasks; the users by group."""
    now = datetime.now(UTC)
    factory = TaskFactory(seed=1, now=now)
    seeded: dict[str, list[SeededUser]] = {}
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        with cursor.copy(f"COPY accounts_user ({USER_COLUMNS}) FROM STDIN") as copy:
            for group in groups:
                seeded[group.name] = []
                for number in range(group.users):
                    user = SeededUser(
                        factory.new_id(), email_for(group.name, number), factory.new_id()
                    )
                    seeded[group.name].append(user)
                    name = f"{group.name} {number}"
                    identity = (EXTERNAL_ISSUER, str(user.id)) if group.linked else (None, None)
                    copy.write_row(
                        (user.id, password_hash, None, False, user.email, name, True, False, now)
                        + (*identity, "")
                    )
        with cursor.copy(f"COPY tasks_tasklist ({LIST_COLUMNS}) FROM STDIN") as copy:
            for users in seeded.values():
                for user in users:
                    copy.write_row((user.inbox_id, user.id, "Inbox", None, 0, True, now, now, 1))
        with cursor.copy(f"COPY tasks_task ({TASK_COLUMNS}) FROM STDIN") as copy:
            for group in groups:
                for user in seeded[group.name]:
                    for _ in range(group.tasks_per_user):
                        row = factory.row(user)
                        user.task_ids.append(row[0])
                        copy.write_row(row)
    settle(database_url)
    return seeded


def settle(database_url: str) -> None:
    """Vacuum and analyze, as autovacuum eventually would after a burst of writes.

    Gives the planner statistics and index-only scans a visibility map, and
    empties the GIN indexes' pending lists, which every write grows and every
    search must read: without it, a server that wrote more would search slower.
    """
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) accounts_user, tasks_tasklist, tasks_task")


def clone_database(admin_url: str, source: str, target: str) -> str:
    """A copy of database `source` (no one may be connected to it) as `target`; its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    return admin_url.rsplit("/", 1)[0] + f"/{target}"
