"""The task store: every read and write of tasks made for an API request.

Each function takes the owner's id, and every statement it runs is limited
to that owner's tasks: this module is where ownership is enforced, and the
only one. Another user's task is simply not found, like a task that does
not exist. (The admin and the management commands use the ORM directly.)

Speed. Building a queryset's SQL costs more Python than the database takes
to answer a lookup by key (docs/PERFORMANCE.md), so the statements nearly
every request runs are plain SQL, written once below: one task by key, the
owner's task counts, a page of a list filtered on completion alone, the
completion change and the versioned write. Their values go through the
model fields (`get_db_prep_value`, `to_python`, see api.rows), and tests hold
each statement equal to its queryset on SQLite and PostgreSQL
(tasks/tests/test_store_sql.py). The benchmark's floor runs these same
statements. Filtered lists, creation and deletion use the ORM.
"""

from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django_filters.utils import translate_validation
from rest_framework import exceptions

from api.conditional import ANY, PreconditionFailed, if_match_passes
from api.rows import python_rows
from tasks import lists
from tasks.filters import TaskFilter, completion_filters
from tasks.models import EXPORTED_FIELDS, Task, versions_in

# Every column of a task, in the order of the statements below (and of the
# model's fields): what an export carries, its owner, and its version.
TASK_FIELD_NAMES = ["id", "user_id", "list_id", *EXPORTED_FIELDS[1:], "version"]
# What a task is to the API: every column but the version, which is its ETag.
LISTED_FIELD_NAMES = TASK_FIELD_NAMES[:-1]

TASK_BY_ID = (
    'SELECT "id", "user_id", "list_id", "title", "description", "completed", "completed_at", '
    '"priority", "due_date", "created_at", "updated_at", "version" '
    'FROM "tasks_task" WHERE "user_id" = %s AND "id" = %s'
)
TASK_COUNTS = 'SELECT "total", "completed" FROM "tasks_taskcounts" WHERE "user_id" = %s'

# A page of a list filtered on completion alone: one statement for each
# `status` and `sort` (TaskFilter's values; "" where not given), ordered as
# TaskFilter orders. Ties are broken by creation, then id, so pages never overlap.
_STATUS_CONDITIONS = {
    "": "",
    "all": "",
    "pending": ' AND NOT "completed"',
    "completed": ' AND "completed"',
}
_PRIORITY_RANK = (
    "CASE WHEN \"priority\" = 'low' THEN 1 WHEN \"priority\" = 'medium' THEN 2 "
    "WHEN \"priority\" = 'high' THEN 3 ELSE NULL END"
)
_ORDER_BY = {
    "": '"created_at" DESC, "id" DESC',  # the model's ordering
    "created": '"created_at" ASC, "id" DESC',
    "-created": '"created_at" DESC, "id" DESC',
    "updated": '"updated_at" ASC, "created_at" DESC, "id" DESC',
    "-updated": '"updated_at" DESC, "created_at" DESC, "id" DESC',
    "title": 'LOWER("title") ASC, "created_at" DESC, "id" DESC',
    "-title": 'LOWER("title") DESC, "created_at" DESC, "id" DESC',
    "due_date": '"due_date" ASC NULLS LAST, "created_at" DESC, "id" DESC',
    "-due_date": '"due_date" DESC NULLS LAST, "created_at" DESC, "id" DESC',
    "priority": f'{_PRIORITY_RANK} ASC NULLS LAST, "created_at" DESC, "id" DESC',
    "-priority": f'{_PRIORITY_RANK} DESC NULLS LAST, "created_at" DESC, "id" DESC',
}
# Only the fixed fragments above are formatted in; values are parameters.
TASK_PAGES = {
    (status, sort): (
        'SELECT "id", "user_id", "list_id", "title", "description", "completed", '  # noqa: S608
        '"completed_at", "priority", "due_date", "created_at", "updated_at" '
        f'FROM "tasks_task" WHERE "user_id" = %s{condition} '
        f"ORDER BY {order} LIMIT %s OFFSET %s"
    )
    for status, condition in _STATUS_CONDITIONS.items()
    for sort, order in _ORDER_BY.items()
}

# Completion: every expression reads the row as it was before the statement,
# and the database locks the row while it runs, so two toggles at once leave
# the task as it was. completed_at is set when a task becomes completed,
# kept while it stays so, and cleared when it is reopened.
TOGGLE_COMPLETED = (
    'UPDATE "tasks_task" SET "completed" = NOT "completed", '
    '"completed_at" = CASE WHEN "completed" THEN NULL ELSE %s END, '
    '"updated_at" = %s, "version" = "version" + 1 '
    'WHERE "user_id" = %s AND "id" = %s'
)
SET_COMPLETED = (
    'UPDATE "tasks_task" SET "completed" = %s, '
    '"completed_at" = CASE WHEN "completed" = %s THEN "completed_at" ELSE %s END, '
    '"updated_at" = %s, "version" = "version" + 1 '
    'WHERE "user_id" = %s AND "id" = %s'
)
# Every editable field at once, only if nobody wrote the task since it was read.
VERSIONED_WRITE = (
    'UPDATE "tasks_task" SET "list_id" = %s, "title" = %s, "description" = %s, "completed" = %s, '
    '"priority" = %s, "due_date" = %s, "completed_at" = %s, "updated_at" = %s, "version" = %s '
    'WHERE "user_id" = %s AND "id" = %s AND "version" = %s'
)
WRITTEN_FIELD_NAMES = [
    "list_id",
    "title",
    "description",
    "completed",
    "priority",
    "due_date",
    "completed_at",
    "updated_at",
]
WRITE_ATTEMPTS = 5

_field = Task._meta.get_field
TASK_FIELDS = [_field(name) for name in TASK_FIELD_NAMES]
LISTED_FIELDS = TASK_FIELDS[:-1]
WRITTEN_FIELDS = [_field(name) for name in WRITTEN_FIELD_NAMES]
_OWNER, _ID, _COMPLETED, _UPDATED_AT = (
    _field(n) for n in ("user", "id", "completed", "updated_at")
)


class ConcurrentWrites(exceptions.APIException):
    status_code = 409
    default_detail = "The task is being changed by other requests right now. Try again."
    default_code = "concurrent_writes"


def task_get(*, owner_id, task_id) -> Task | None:
    """The owner's task with this id, or None (another user's task is not found either)."""
    with connection.cursor() as cursor:
        cursor.execute(TASK_BY_ID, [_owner(owner_id), _id(task_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    [values] = python_rows([row], TASK_FIELDS, connection)
    return Task.from_db(connection.alias, TASK_FIELD_NAMES, values)


def task_page(*, owner_id, query, offset: int, limit: int) -> tuple[list[dict], int]:
    """Tasks `offset` to `offset + limit` of the owner's list for these query
    parameters (TaskFilter's), as rows of LISTED_FIELD_NAMES, and how many match in all.

    A list filtered on completion alone (the usual one) counts its matches
    from TaskCounts, whatever the owner's number of tasks, and reads its page
    with one of TASK_PAGES; any other filter goes through the ORM.
    """
    shape = completion_filters(query)
    if shape is not None:
        status, sort = shape
        total = task_count(owner_id=owner_id, status=status or "all")
        if offset >= total:
            return [], total
        with connection.cursor() as cursor:
            cursor.execute(TASK_PAGES[shape], [_owner(owner_id), limit, offset])
            rows = cursor.fetchall()
        rows = python_rows(rows, LISTED_FIELDS, connection)
        return [dict(zip(LISTED_FIELD_NAMES, row, strict=True)) for row in rows], total

    filterset = TaskFilter(query, queryset=Task.objects.filter(user_id=owner_id))
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    tasks = filterset.qs.values(*LISTED_FIELD_NAMES)
    total = tasks.count()
    return (list(tasks[offset : offset + limit]) if offset < total else []), total


def task_count(*, owner_id, status: str = "all") -> int:
    """How many of the owner's tasks have this status (all, pending, completed): one query."""
    with connection.cursor() as cursor:
        cursor.execute(TASK_COUNTS, [_owner(owner_id)])
        row = cursor.fetchone()
    total, completed = row or (0, 0)
    return {"all": total, "pending": total - completed, "completed": completed}[status]


def task_create(*, owner_id, **fields) -> Task:
    """A new task of the owner's, in the list named by `list_id` (theirs) or their Inbox."""
    if fields.get("list_id") is None:
        fields["list_id"] = lists.inbox_id(owner_id=owner_id)
    else:
        _refuse_foreign_list(owner_id, fields["list_id"])
    return Task.objects.create(user_id=owner_id, **fields)


NOT_YOUR_LIST = "None of your lists has this id."


def _refuse_foreign_list(owner_id, list_id) -> None:
    # The same answer for another user's list and for none: nothing is told
    # of lists that are not the caller's.
    if not lists.owns_list(owner_id=owner_id, list_id=list_id):
        raise exceptions.ValidationError({"list_id": [NOT_YOUR_LIST]})


def task_update(*, owner_id, task: Task, changes: dict, if_match: list[str] | None) -> Task:
    """Apply `changes` to the owner's task, never overwriting unseen a write made since it was read.

    With If-Match (its ETags), the task must still be as the client read
    it, or it is a 412 and nothing is written. Without, the client asked
    for last-write-wins: a write that loses a race with another is replayed
    on the task as it is now, a few times, before a 409.
    """
    if if_match is not None and not if_match_passes(if_match, task.etag):
        raise PreconditionFailed()
    if changes.get("list_id") is None:
        changes.pop("list_id", None)  # left out (or null): the task stays in its list
    else:
        _refuse_foreign_list(owner_id, changes["list_id"])
    for _ in range(WRITE_ATTEMPTS):
        for name, value in changes.items():
            setattr(task, name, value)
        if _write_if_unchanged(owner_id, task):
            return task
        if if_match is not None:
            raise PreconditionFailed()
        task = task_get(owner_id=owner_id, task_id=task.pk)
        if task is None:
            raise Http404
    raise ConcurrentWrites()


def _write_if_unchanged(owner_id, task: Task) -> bool:
    """VERSIONED_WRITE: the task's editable fields, if it is still at task.version."""
    task.sync_completed_at()
    task.updated_at = timezone.now()
    values = [
        field.get_db_prep_value(getattr(task, field.attname), connection)
        for field in WRITTEN_FIELDS
    ]
    params = [*values, task.version + 1, _owner(owner_id), _id(task.pk), task.version]
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(VERSIONED_WRITE, params)
        written = cursor.rowcount
    if written:
        task.version += 1
    return bool(written)


def task_set_completed(
    *, owner_id, task_id, completed: bool | None, if_match: list[str] | None
) -> Task:
    """Set (True, False) or toggle (None) completion of the owner's task, in one statement.

    With If-Match (its ETags, other than "*"), the task must be at one of
    the versions they name, or it is a 412 and nothing changes. Returns the
    task as it is afterwards.
    """
    versions = None if if_match is None or if_match == [ANY] else versions_in(if_match)
    # An If-Match naming no version the task could have (W/"1", say) changes nothing.
    changed = versions != [] and _change_completion(owner_id, task_id, completed, versions)
    if not changed:
        if versions is not None and task_exists(owner_id=owner_id, task_id=task_id):
            raise PreconditionFailed()
        raise Http404
    return task_get(owner_id=owner_id, task_id=task_id)


def _change_completion(owner_id, task_id, completed: bool | None, versions) -> bool:
    now = _UPDATED_AT.get_db_prep_value(timezone.now(), connection)
    if completed is None:
        sql, params = TOGGLE_COMPLETED, [now, now]
    else:
        done = _COMPLETED.get_db_prep_value(completed, connection)
        sql, params = SET_COMPLETED, [done, done, now if completed else None, now]
    params += [_owner(owner_id), _id(task_id)]
    if versions:
        sql += f' AND "version" IN ({", ".join(["%s"] * len(versions))})'
        params += versions
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


def task_exists(*, owner_id, task_id) -> bool:
    return Task.objects.filter(user_id=owner_id, pk=task_id).exists()


def task_delete(*, owner_id, task: Task, if_match: list[str] | None) -> None:
    """Delete the owner's task; with If-Match, only if it is still as the client read it (412)."""
    tasks = Task.objects.filter(user_id=owner_id, pk=task.pk)
    if if_match is not None:
        if not if_match_passes(if_match, task.etag):
            raise PreconditionFailed()
        tasks = tasks.filter(version=task.version)
    deleted, _ = tasks.delete()
    if not deleted and if_match is not None:
        raise PreconditionFailed()


def _owner(owner_id):
    return _OWNER.get_db_prep_value(owner_id, connection)


def _id(task_id):
    return _ID.get_db_prep_value(task_id, connection)
