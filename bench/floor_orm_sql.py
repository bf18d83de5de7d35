"""The floor's SQL for what the API leaves to Django's ORM, written out.

The API's hot statements are plain SQL that the floor imports from the app
(tasks.store, accounts.models). The rest (filtered lists and their kept
counts, creation, deletion, the tags a full update clears, login) the API
has the ORM write; here is what the ORM sends for those requests (see
`python -m bench.django_probe explain`), so that PostgreSQL does the same
work for both and the difference between the two measures the application
alone.
"""

import uuid
from datetime import UTC, datetime

from bench.floor_django import TAGS_PER_TASK, USER_FIELD_NAMES, store

USER_FIELDS = USER_FIELD_NAMES
TASK_FIELDS = store.TASK_FIELD_NAMES
# The columns a list shows of a task: all but the version and due_at. TASK_SELECT adds
# what the store reads with them (tags, subtask counts), by its own fragments.
LISTED_COLUMNS = [name for name in store.LISTED_FIELD_NAMES if name not in store.SHOWN_SQL]


def _columns(table: str, fields: list[str]) -> str:
    return ", ".join(f'"{table}"."{name}"' for name in fields)


USER_SELECT = f'SELECT {_columns("accounts_user", USER_FIELDS)} FROM "accounts_user" WHERE '
USER_BY_EMAIL = USER_SELECT + '"accounts_user"."email" = %s LIMIT 21'
USER_LAST_LOGIN = 'UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s'
OUTSTANDING_INSERT = (
    'INSERT INTO "token_blacklist_outstandingtoken" '
    '("user_id", "jti", "token", "created_at", "expires_at") VALUES (%s, %s, %s, %s, %s) '
    'RETURNING "token_blacklist_outstandingtoken"."id"'
)

TASK_SELECT = (
    f"SELECT {_columns('tasks_task', LISTED_COLUMNS)}, "  # noqa: S608 - fixed fragments
    f'{", ".join(store.SHOWN_SQL.values())} FROM "tasks_task" WHERE '
)
TASK_COUNT = 'SELECT COUNT(*) AS "__count" FROM "tasks_task" WHERE '
DEFAULT_ORDER = '"tasks_task"."created_at" DESC, "tasks_task"."id" DESC'
_QUOTED_TASK_FIELDS = ", ".join(f'"{name}"' for name in TASK_FIELDS)
_PLACEHOLDERS = ", ".join(["%s"] * len(TASK_FIELDS))
TASK_INSERT = f'INSERT INTO "tasks_task" ({_QUOTED_TASK_FIELDS}) VALUES ({_PLACEHOLDERS})'
# A task without tags or subtasks goes in one statement (tasks.store.task_delete);
# one with tags through the ORM's collector, in a transaction: the task read
# again, its subtasks looked for, its tags' links deleted, then the task.
TASK_DELETE = (
    'DELETE FROM "tasks_task" WHERE ("tasks_task"."id" = %s AND "tasks_task"."user_id" = %s)'
)
COLLECTED_TASK = (
    f'SELECT {_columns("tasks_task", TASK_FIELDS)} FROM "tasks_task" '  # noqa: S608
    'WHERE ("tasks_task"."id" = %s AND "tasks_task"."user_id" = %s)'
)
COLLECTED_SUBTASKS = (
    'SELECT "tasks_task"."id" FROM "tasks_task" WHERE "tasks_task"."parent_id" IN (%s) '
    'ORDER BY "tasks_task"."created_at" DESC, "tasks_task"."id" DESC'
)
COLLECTED_TAG_LINKS_DELETE = 'DELETE FROM "tasks_tasktag" WHERE "tasks_tasktag"."task_id" IN (%s)'
COLLECTED_REMINDERS_DELETE = 'DELETE FROM "tasks_reminder" WHERE "tasks_reminder"."task_id" IN (%s)'
COLLECTED_TASK_DELETE = 'DELETE FROM "tasks_task" WHERE "tasks_task"."id" IN (%s)'
# A full update that names no tags takes the task's off (tasks.tags.set_task_tags).
TAG_LINKS_DELETE = 'DELETE FROM "tasks_tasktag" WHERE "tasks_tasktag"."task_id" = %s'

# The counts TaskFilter.kept_count reads instead of counting rows (see
# bench.floor.kept_count): a list's here, a tag's with TAGS_BY_KEY.
LIST_COUNTS = (
    'SELECT "tasks_tasklist"."task_count" AS "task_count", '
    '"tasks_tasklist"."completed_count" AS "completed_count" FROM "tasks_tasklist" '
    'WHERE ("tasks_tasklist"."id" = %s AND "tasks_tasklist"."user_id" = %s) '
    'ORDER BY "tasks_tasklist"."position" ASC, "tasks_tasklist"."id" ASC LIMIT 1'
)
# The tags a `tags` filter names, read first (TaskFilter.filter_tags): their
# ids, and their counts for a list filtered by one tag.
TAGS_BY_KEY = (
    'SELECT "tasks_tag"."key" AS "key", "tasks_tag"."id" AS "id", '
    '"tasks_tag"."task_count" AS "task_count" FROM "tasks_tag" '
    'WHERE ("tasks_tag"."key" IN ({keys}) AND "tasks_tag"."user_id" = %s) '
    'ORDER BY "tasks_tag"."key" ASC, "tasks_tag"."id" ASC'
)
STATUS = {
    "all": None,
    "pending": 'NOT "tasks_task"."completed"',
    "completed": '"tasks_task"."completed"',
}
SEARCH = (
    '(UPPER("tasks_task"."title"::text) LIKE UPPER(%s) '
    'OR UPPER("tasks_task"."description"::text) LIKE UPPER(%s))'
)
HAS_TAG = (
    'EXISTS(SELECT 1 AS "a" FROM "tasks_tasktag" U0 '
    'WHERE (U0."tag_id" = %s AND U0."task_id" = ("tasks_task"."id")) LIMIT 1)'
)
# A tag the owner does not have: no task matches (the ORM's empty queryset
# runs no query; see bench.floor.task_list).
NO_TASK = "FALSE"
SORT_EXPRESSIONS = {
    "created": '"tasks_task"."created_at"',
    "updated": '"tasks_task"."updated_at"',
    "title": 'LOWER("tasks_task"."title")',
    "due_date": '"tasks_task"."due_at"',
    "priority": (
        'CASE WHEN ("tasks_task"."priority" = \'low\') THEN 1 '
        'WHEN ("tasks_task"."priority" = \'medium\') THEN 2 '
        'WHEN ("tasks_task"."priority" = \'high\') THEN 3 ELSE NULL END'
    ),
}


def list_filter(conn, user_id, params: dict) -> tuple[str, list, dict | None]:
    """The WHERE clause of a list request (without the keyword), its arguments,
    and the tags it names ({key: (id, task_count)}, None if none are), its
    conditions in the order of TaskFilter's filters.

    A parameter the API would refuse raises ValueError naming it.
    """
    named_tags = None
    conditions, args = ['"tasks_task"."user_id" = %s'], [user_id]
    status = params.get("status") or "all"
    if status not in STATUS:
        raise ValueError("status")
    if STATUS[status]:
        conditions.append(STATUS[status])
    if params.get("list"):
        conditions.append('"tasks_task"."list_id" = %s')
        args.append(_uuid(params["list"], "list"))
    if params.get("priority"):
        if params["priority"] not in ("low", "medium", "high"):
            raise ValueError("priority")
        conditions.append('"tasks_task"."priority" = %s')
        args.append(params["priority"])
    if params.get("search"):
        like = "%" + _escape_like(params["search"]) + "%"
        conditions.append(SEARCH)
        args += [like, like]
    if params.get("tags"):
        keys = tag_keys(params["tags"])
        statement = TAGS_BY_KEY.format(keys=", ".join(["%s"] * len(keys)))
        rows = conn.execute(statement, (*keys, user_id)).fetchall()
        named_tags = {key: (pk, count) for key, pk, count in rows}
        if len(named_tags) < len(keys):
            conditions.append(NO_TASK)
        for tag_id, _ in named_tags.values():
            conditions.append(HAS_TAG)
            args.append(tag_id)
    for name, operator in (("due_before", "<="), ("due_after", ">=")):
        if params.get(name):
            conditions.append(f'"tasks_task"."due_at" {operator} %s')
            args.append(_moment(params[name], name))
    if len(conditions) == 1:
        return conditions[0], args, named_tags
    return f"({' AND '.join(conditions)})", args, named_tags


def tag_keys(names: str) -> list[str]:
    """The keys of comma-separated tag names (tasks.filters.TagKeysField)."""
    keys = sorted({name.strip().casefold() for name in names.split(",") if name.strip()})
    if not keys or len(keys) > TAGS_PER_TASK:
        raise ValueError("tags")
    return keys


def list_order(sort: str | None) -> str:
    if not sort:
        return DEFAULT_ORDER
    name = sort.removeprefix("-")
    if name not in SORT_EXPRESSIONS:
        raise ValueError("sort")
    direction = "DESC" if sort.startswith("-") else "ASC"
    # NULLS LAST only where there are nulls, as the API orders.
    nulls = " NULLS LAST" if name in ("due_date", "priority") else ""
    order = [f"{SORT_EXPRESSIONS[name]} {direction}{nulls}"]
    if name != "created":  # the ORM drops a second ordering on the same column
        order.append('"tasks_task"."created_at" DESC')
    return ", ".join([*order, '"tasks_task"."id" DESC'])


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _uuid(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ValueError(name) from exc


def _moment(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError as exc:
        raise ValueError(name) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
