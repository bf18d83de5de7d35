"""What the benchmark measures, and the data each measurement draws on.

Each scenario reads the users (and their tasks) of one group of the
dataset, so that none changes what another measures: `create` writes to
users nobody lists, `delete` spends a pool of its own, the updates and the
toggle change tasks nobody lists, and the mixed workload, which writes to
the readers, runs after every read-only scenario.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.dataset import GROWTH_LIST, KNOWN_TAG, SEARCH_TERM, Group, SeededUser

PASSWORD = "benchmark passphrase 42"  # every seeded user's
READERS = Group("reader", users=100, tasks_per_user=1000, linked=True)
# The readers again, with the EdDSA tokens of an external issuer instead of the API's own.
EXTERNAL_READERS = "reader-external"
WRITERS = Group("writer", users=20, tasks_per_user=100)
CREATORS = Group("creator", users=20, tasks_per_user=0)
LOGINS = Group("login", users=16, tasks_per_user=0)
# Enough tasks that `delete` never runs out: more than any server deletes a second.
DELETES_PER_SECOND = 4000
DELETERS = 16
# Tasks of a reader in its data file, to pick from for retrieve and toggle.
READER_TASKS_LISTED = 200


@dataclass(frozen=True)
class Mode:
    name: str
    seconds: int  # per server and measurement, in `slices` alternating slices
    sizes: tuple[int, ...]
    connections: int = 16
    slices: int = 4


QUICK = Mode("quick", seconds=3, sizes=(100, 100_000), slices=3)
FULL = Mode("full", seconds=10, sizes=(100, 10_000, 100_000), slices=5)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    script: str
    group: str
    args: tuple[str, ...] = ()


SCENARIOS = [
    Scenario("list", "first page of 100 of 1,000 tasks", "list.lua", "reader", ("",)),
    Scenario(
        "list filtered and sorted",
        "`status=pending&sort=due_date`, first page",
        "list.lua",
        "reader",
        ("status=pending&sort=due_date",),
    ),
    Scenario(
        "search",
        f"`search={SEARCH_TERM}` in 1,000 tasks",
        "list.lua",
        "reader",
        (f"search={SEARCH_TERM}",),
    ),
    Scenario("retrieve", "one task by id", "retrieve.lua", "reader"),
    Scenario(
        "retrieve, external token",
        "one task by id, with an external issuer's EdDSA token (JWKS)",
        "retrieve.lua",
        EXTERNAL_READERS,
    ),
    Scenario("create", "POST, every field", "create.lua", "creator"),
    Scenario("full update", "PUT, every field", "update.lua", "writer", ("put",)),
    Scenario("partial update", "PATCH, one field", "update.lua", "writer", ("patch",)),
    Scenario("toggle", "PATCH .../complete/, no body", "toggle.lua", "writer"),
    Scenario("delete", "each task once", "delete.lua", "deleter"),
    Scenario("login", "email and password, Argon2", "login.lua", "login", (PASSWORD,)),
    Scenario(
        "mixed",
        "60 % list, 20 % retrieve, 10 % create, 10 % toggle; 100 users",
        "mixed.lua",
        "reader",
    ),
]
MIXED = "mixed"


def growth_queries(today: datetime, owner: SeededUser) -> dict[str, str]:
    """The list queries measured for one user as their tasks grow (`owner`: that user)."""
    week = f"due_after={today:%Y-%m-%d}&due_before={today + timedelta(days=7):%Y-%m-%d}"
    return {
        "list": "status=pending&sort=-created",
        "due this week": f"{week}&sort=due_date",
        "search": f"search={SEARCH_TERM}",
        "list filtered by list": f"list={owner.list_ids[GROWTH_LIST]}",
        # In another letter case than the tag's name: the filter finds it by its key.
        "list filtered by tag": f"tags={KNOWN_TAG.lower()}",
    }


# Queries that must stay flat as the data grows (p50 at the largest size
# within FLAT_LIMIT times p50 at the smallest).
FLAT_QUERIES = ("list", "due this week", "list filtered by list", "list filtered by tag")
FLAT_LIMIT = 1.5


def growth_group(size: int) -> str:
    return f"owner{size}"


def groups(mode: Mode) -> list[Group]:
    pool_per_user = -(-DELETES_PER_SECOND * mode.seconds // DELETERS)
    return [
        READERS,
        WRITERS,
        CREATORS,
        LOGINS,
        Group("deleter", users=DELETERS, tasks_per_user=pool_per_user),
        *(
            Group(growth_group(size), users=1, tasks_per_user=size, known_tag=True)
            for size in mode.sizes
        ),
    ]


def write_data_files(
    directory: Path,
    seeded: dict[str, list[SeededUser]],
    tokens: dict[str, str],
    external_tokens: dict[str, str],
) -> dict[str, Path]:
    """One data file per group, in the format bench/wrk/common.lua reads; their paths.

    `external_tokens`: the readers' tokens from the external issuer, for
    EXTERNAL_READERS.
    """
    paths = {}
    for group, users in [*seeded.items(), (EXTERNAL_READERS, seeded[READERS.name])]:
        if group == EXTERNAL_READERS:
            tokens = external_tokens
        listed = READER_TASKS_LISTED if group in (READERS.name, EXTERNAL_READERS) else None
        lines = []
        for user in users:
            lines.append(f"U {tokens[str(user.id)]}")
            lines.extend(f"T {task_id}" for task_id in user.task_ids[:listed])
            lines.append(f"L {user.email}")
        paths[group] = directory / f"{group}.txt"
        paths[group].write_text("\n".join(lines) + "\n")
    return paths


def today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
