"""The benchmark's data: groups of users and their tasks, written with COPY.

Every scenario draws on a group of its own, so that no scenario changes what
another measures (creates never grow a list being listed, deletes have a pool
of their own). Rows come from a seeded random generator, so two databases
seeded with the same plan hold the same data; 100,000 tasks take seconds.

Every user has three lists and a handful of tags; a third of the tasks carry
one or two of them. The counts the database keeps (TaskCounts, each list's
and each tag's) are left to its triggers, which COPY fires as any INSERT
does, and checked once everything is written.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

from tasks.order import POSITION_STEP

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
    "id, user_id, list_id, parent_id, position, title, description, completed, completed_at, "
    "priority, due_date, created_at, updated_at, version, due_at"
)
LIST_COLUMNS = (
    "id, user_id, name, color, position, is_inbox, task_count, completed_count, "
    "created_at, updated_at, version"
)
TAG_COLUMNS = "id, user_id, name, key, task_count, created_at, updated_at, version"
# Every user's lists, in their order, with the share of the user's tasks
# each holds. Users written in bulk get no Inbox from the application.
LISTS = [("Inbox", None, 0.3), ("Work", "#3B82F6", 0.45), ("Home", None, 0.25)]
# Tag names in mixed case, so that the API's case-insensitive order shows.
TAG_NAMES = "Urgent errands calls Waiting someday health Finance reading".split()
TAGS_PER_USER = (4, 6)
TAGGED_SHARE = 1 / 3
# What the growth rows filter by: one of every user's lists, and a tag that
# every tagged task of a growth user carries (Group.known_tag).
GROWTH_LIST = "Work"
KNOWN_TAG = "Urgent"


@dataclass(frozen=True)
class Group:
    name: str
    users: int
    tasks_per_user: int
    # Also known to an external issuer (EXTERNAL_ISSUER), by their id as subject.
    linked: bool = False
    # Every tagged task of its users carries KNOWN_TAG: a known share (TAGGED_SHARE).
    known_tag: bool = False


# The external issuer the benchmark's EdDSA tokens come from (bench/run.py).
EXTERNAL_ISSUER = "https://front-end.bench.example.org"


@dataclass
class SeededUser:
    id: uuid.UUID
    email: str
    list_ids: dict[str, uuid.UUID]  # by name
    tag_ids: dict[str, uuid.UUID]  # by name
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

    def user(self, group: Group, number: int) -> SeededUser:
        names = self.random.sample(TAG_NAMES, self.random.randint(*TAGS_PER_USER))
        if group.known_tag and KNOWN_TAG not in names:
            names[0] = KNOWN_TAG
        return SeededUser(
            self.new_id(),
            email_for(group.name, number),
            {name: self.new_id() for name, _, _ in LISTS},
            {name: self.new_id() for name in names},
        )

    def row(self, user: SeededUser) -> tuple:
        """A task without its position, which depends on the others of its list (numbered)."""
        pick = self.random.random
        created = self.now - timedelta(seconds=pick() * 365 * 86400)
        completed = pick() < 0.3
        completed_at = created + timedelta(seconds=pick() * 86400) if completed else None
        due = None if pick() < 0.2 else self.now + timedelta(seconds=(pick() - 0.5) * 360 * 86400)
        [list_name] = self.random.choices(
            [name for name, _, _ in LISTS], weights=[share for _, _, share in LISTS]
        )
        return (
            self.new_id(),
            user.id,
            user.list_ids[list_name],
            None,
            self.title(),
            self.description(),
            completed,
            completed_at,
            self.random.choice(PRIORITIES),
            due,
            created,
            completed_at or created,
            1,
            due,  # due_at: the benchmark's tasks are due at instants (tasks.dates)
        )

    def tags(self, user: SeededUser, known_tag: bool) -> list[str]:
        """The names of a new task's tags: none for most, one or two for TAGGED_SHARE."""
        if self.random.random() >= TAGGED_SHARE:
            return []
        count = 1 if self.random.random() < 0.6 else 2
        if known_tag:
            others = [name for name in user.tag_ids if name != KNOWN_TAG]
            return [KNOWN_TAG, *self.random.sample(others, count - 1)]
        return self.random.sample(list(user.tag_ids), count)


def numbered(rows: list[tuple]) -> list[tuple]:
    """Task rows (without position) with the positions the API gives top-level tasks
    created oldest first: each list's numbered by creation, then id, POSITION_STEP apart.

    The rows stay in the order given, which is the order they are written in.
    """
    positions, counts = {}, {}
    for row in sorted(rows, key=lambda row: (row[10], row[0])):
        counts[row[2]] = counts.get(row[2], 0) + 1
        positions[row[0]] = counts[row[2]] * POSITION_STEP
    return [(*row[:4], positions[row[0]], *row[4:]) for row in rows]


def seed(database_url: str, groups: list[Group], password_hash: str) -> dict[str, list]:
    """Insert every group's users (all with password_hash), lists, tags and tasks;
    the users by group."""
    now = datetime.now(UTC)
    factory = TaskFactory(seed=1, now=now)
    seeded: dict[str, list[SeededUser]] = {}
    links = []  # (task id, tag id)
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        with cursor.copy(f"COPY accounts_user ({USER_COLUMNS}) FROM STDIN") as copy:
            for group in groups:
                seeded[group.name] = []
                for number in range(group.users):
                    user = factory.user(group, number)
                    seeded[group.name].append(user)
                    name = f"{group.name} {number}"
                    identity = (EXTERNAL_ISSUER, str(user.id)) if group.linked else (None, None)
                    copy.write_row(
                        (user.id, password_hash, None, False, user.email, name, True, False, now)
                        + (*identity, "")
                    )
        users = [user for group in groups for user in seeded[group.name]]
        # Lists and tags before the tasks, so that the triggers find the rows to count in.
        with cursor.copy(f"COPY tasks_tasklist ({LIST_COLUMNS}) FROM STDIN") as copy:
            for user in users:
                for position, (name, color, _) in enumerate(LISTS):
                    list_id, is_inbox = user.list_ids[name], position == 0
                    row = (list_id, user.id, name, color, position * POSITION_STEP, is_inbox)
                    copy.write_row((*row, 0, 0, now, now, 1))
        with cursor.copy(f"COPY tasks_tag ({TAG_COLUMNS}) FROM STDIN") as copy:
            for user in users:
                for name, tag_id in user.tag_ids.items():
                    # key is tasks.models.tag_key(name).
                    copy.write_row((tag_id, user.id, name, name.casefold(), 0, now, now, 1))
        with cursor.copy(f"COPY tasks_task ({TASK_COLUMNS}) FROM STDIN") as copy:
            for group in groups:
                for user in seeded[group.name]:
                    rows = [factory.row(user) for _ in range(group.tasks_per_user)]
                    for row in rows:
                        user.task_ids.append(row[0])
                        names = factory.tags(user, group.known_tag)
                        links += [(row[0], user.tag_ids[name]) for name in names]
                    for row in numbered(rows):
                        copy.write_row(row)
        with cursor.copy("COPY tasks_tasktag (task_id, tag_id) FROM STDIN") as copy:
            for link in links:
                copy.write_row(link)
        conn.commit()
        check_counts(cursor)
    settle(database_url)
    return seeded


# Rows whose kept counts differ from the rows they count (none, if the
# triggers counted what COPY wrote).
MISCOUNTED = {
    "task counts": (
        "SELECT count(*) FROM tasks_taskcounts AS counts FULL JOIN ("
        "SELECT user_id, count(*) AS total, count(*) FILTER (WHERE completed) AS completed "
        "FROM tasks_task GROUP BY user_id) AS tasks USING (user_id) "
        "WHERE counts.total IS DISTINCT FROM tasks.total "
        "OR counts.completed IS DISTINCT FROM tasks.completed"
    ),
    "list counts": (
        "SELECT count(*) FROM tasks_tasklist AS lists LEFT JOIN ("
        "SELECT list_id, count(*) AS total, count(*) FILTER (WHERE completed) AS completed "
        "FROM tasks_task GROUP BY list_id) AS tasks ON tasks.list_id = lists.id "
        "WHERE lists.task_count <> coalesce(tasks.total, 0) "
        "OR lists.completed_count <> coalesce(tasks.completed, 0)"
    ),
    "tag counts": (
        "SELECT count(*) FROM tasks_tag AS tags LEFT JOIN ("
        "SELECT tag_id, count(*) AS total FROM tasks_tasktag GROUP BY tag_id) AS links "
        "ON links.tag_id = tags.id WHERE tags.task_count <> coalesce(links.total, 0)"
    ),
}


def check_counts(cursor) -> None:
    """Fail unless every count the database keeps matches the rows written."""
    for name, statement in MISCOUNTED.items():
        (wrong,) = cursor.execute(statement).fetchone()
        if wrong:
            raise RuntimeError(f"{wrong} rows of {name} do not match the tasks written")


def settle(database_url: str) -> None:
    """Vacuum and analyze, as autovacuum eventually would after a burst of writes.

    Gives the planner statistics and index-only scans a visibility map, and
    empties the GIN indexes' pending lists, which every write grows and every
    search must read: without it, a server that wrote more would search slower.
    """
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "VACUUM (ANALYZE) accounts_user, tasks_tasklist, tasks_tag, tasks_task, tasks_tasktag"
        )


def clone_database(admin_url: str, source: str, target: str) -> str:
    """A copy of database `source` (no one may be connected to it) as `target`; its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    return admin_url.rsplit("/", 1)[0] + f"/{target}"
