"""The floor's SQL for what the API leaves to Django's ORM, written out.

The API's hot statements are plain SQL that the floor imports from the app
(tasks.store, accounts.models). The rest (filtered lists, creation,
deletion, login) the API has the ORM write; here is what the ORM sends for
those requests (see `python -m bench.django_probe explain`), so that
PostgreSQL does the same work for both and the difference between the two
measures the application alone.
"""

from datetime import UTC, datetime

from bench.floor_django import USER_FIELD_NAMES, store

USER_FIELDS = USER_FIELD_NAMES
TASK_FIELDS = store.TASK_FIELD_NAMES


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

TASK_SELECT = f'SELECT {_columns("tasks_task", TASK_FIELDS)} FROM "tasks_task" WHERE '
TASK_COUNT = 'SELECT COUNT(*) AS "__count" FROM "tasks_task" WHERE '
DEFAULT_ORDER = '"tasks_task"."created_at" DESC, "tasks_task"."id" DESC'
_QUOTED_TASK_FIELDS = ", ".join(f'"{name}"' for name in TASK_FIELDS)
_PLACEHOLDERS = ", ".join(["%s"] * len(TASK_FIELDS))
TASK_INSERT = f'INSERT INTO "tasks_task" ({_QUOTED_TASK_FIELDS}) VALUES ({_PLACEHOLDERS})'
TASK_DELETE = 'DELETE FROM "tasks_task" WHERE "tasks_task"."id" IN (%s)'

STATUS = {
    "all": None,
    "pending": 'NOT "tasks_task"."completed"',
    "completed": '"tasks_task"."completed"',
}
SEARCH = (
    '(UPPER("tasks_task"."title"::text) LIKE UPPER(%s) '
    'OR UPPER("tasks_task"."description"::text) LIKE UPPER(%s))'
)
SORT_EXPRESSIONS = {
    "created": '"tasks_task"."created_at"',
    "updated": '"tasks_task"."updated_at"',
    "title": 'LOWER("tasks_task"."title")',
    "due_date": '"tasks_task"."due_date"',
    "priority": (
        'CASE WHEN ("tasks_task"."priority" = \'low\') THEN 1 '
        'WHEN ("tasks_task"."priority" = \'medium\') THEN 2 '
        'WHEN ("tasks_task"."priority" = \'high\') THEN 3 ELSE NULL END'
    ),
}


def list_filter(user_id, params: dict) -> tuple[str, list]:
    """The WHERE clause of a list request (without the keyword) and its arguments.

    A parameter the API would refuse raises ValueError naming it.
    """
    conditions, args = ['"tasks_task"."user_id" = %s'], [user_id]
    status = params.get("status") or "all"
    if status not in STATUS:
        raise ValueError("status")
    if STATUS[status]:
        conditions.append(STATUS[status])
    if params.get("priority"):
        if params["priority"] not in ("low", "medium", "high"):
            raise ValueError("priority")
        conditions.append('"tasks_task"."priority" = %s')
        args.append(params["priority"])
    if params.get("search"):
        like = "%" + _escape_like(params["search"]) + "%"
        conditions.append(SEARCH)
        args += [like, like]
    for name, operator in (("due_before", "<="), ("due_after", ">=")):
        if params.get(name):
            conditions.append(f'"tasks_task"."due_date" {operator} %s')
            args.append(_moment(params[name], name))
    if len(conditions) == 1:
        return conditions[0], args
    return f"({' AND '.join(conditions)})", args


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


def _moment(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError as exc:
        raise ValueError(name) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
