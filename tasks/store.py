"""The task store: every read and write of tasks made for an API request.

Each function takes the owner's id, and every statement it runs is limited
to that owner's tasks: this module is where ownership is enforced, and the
only one. Another user's task is simply not found, like a task that does
not exist. (The admin and the management commands use the ORM directly.)

Speed. Building a queryset's SQL costs more Python than the database takes
to answer a lookup by key (docs/PERFORMANCE.md), so the statements nearly
every request runs are plain SQL, written once below: one task by key, the
owner's task counts, a page of a list filtered on completion alone, the
completion change, the versioned write and the deletion of a task nothing
refers to. A task is read with what it shows of others (its tags' names and
its subtasks' counts, SHOWN_SQL) in the same statement. Their values go
through the model fields (`get_db_prep_value`, `to_python`, see api.rows),
and tests hold each statement equal to its queryset on SQLite and
PostgreSQL (tasks/tests/test_store_sql.py). The benchmark's floor runs these same
statements. Filtered lists, creation, moves and other deletions use the ORM.
"""

from contextlib import nullcontext
from datetime import timedelta

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django_filters.utils import translate_validation
from rest_framework import exceptions

from api.conditional import ANY, PreconditionFailed, if_match_passes
from api.rows import python_rows
from tasks import lists, reminders, tags
from tasks.dates import due_moment
from tasks.filters import TaskFilter, completion_filters
from tasks.models import (
    EXPORTED_FIELDS,
    Task,
    TaskCompletion,
    TaskList,
    tag_key,
    versions_in,
)
from tasks.order import last_position, position_between, renumbered
from tasks.recurrence import InvalidRule, Rule

# Every column of a task, in the order of the statements below (and of the
# model's fields): what an export carries, its owner, its place, and its version.
# Not shown: the version (the ETag), due_at (what the due fields say) and the
# start of a recurring task's series.
HIDDEN_FIELD_NAMES = ["version", "due_at", "recurrence_start_date", "recurrence_start_on"]
TASK_FIELD_NAMES = ["id", "user_id", "list_id", "parent_id", "position", *EXPORTED_FIELDS[1:]]
TASK_FIELD_NAMES += HIDDEN_FIELD_NAMES
# What a task shows beyond its columns, read in the same statement as the
# task: its tags' names (one JSON array, tasks.tags), its subtasks' counts
# and its reminders (another JSON array, tasks.reminders).
SHOWN_SQL = {
    "tags": tags.TAGS_OF_TASK,
    "subtask_count": (
        '(SELECT COUNT(*) FROM "tasks_task" AS "subtask" '
        'WHERE "subtask"."parent_id" = "tasks_task"."id")'
    ),
    "completed_subtask_count": (
        '(SELECT COUNT(*) FROM "tasks_task" AS "subtask" '
        'WHERE "subtask"."parent_id" = "tasks_task"."id" AND "subtask"."completed")'
    ),
    "reminders": reminders.REMINDERS_OF_TASK,
}
# What a task is to the API: every column but the version, which is its ETag,
# and due_at, which is what its due fields say; and what it shows.
_SHOWN_COLUMNS = TASK_FIELD_NAMES[: -len(HIDDEN_FIELD_NAMES)]
LISTED_FIELD_NAMES = [*_SHOWN_COLUMNS, *SHOWN_SQL]

_COLUMNS = ", ".join(f'"{name}"' for name in _SHOWN_COLUMNS)
_HIDDEN = ", ".join(f'"{name}"' for name in HIDDEN_FIELD_NAMES)
_SHOWN = ", ".join(SHOWN_SQL.values())
# Only the fixed fragments above are formatted in; values are parameters.
TASK_BY_ID = (
    f"SELECT {_COLUMNS}, {_HIDDEN}, {_SHOWN} "  # noqa: S608
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
    "due_date": '"due_at" ASC NULLS LAST, "created_at" DESC, "id" DESC',
    "-due_date": '"due_at" DESC NULLS LAST, "created_at" DESC, "id" DESC',
    "priority": f'{_PRIORITY_RANK} ASC NULLS LAST, "created_at" DESC, "id" DESC',
    "-priority": f'{_PRIORITY_RANK} DESC NULLS LAST, "created_at" DESC, "id" DESC',
}
# sort=position (tasks.filters.POSITION_ORDER): lists in their order, in each
# its top-level tasks in theirs, each followed by its subtasks in theirs.
_POSITION_ORDER = [
    '(SELECT "tasks_tasklist"."position" FROM "tasks_tasklist" '
    'WHERE "tasks_tasklist"."id" = "tasks_task"."list_id") {0}',
    '"list_id" {0}',
    'COALESCE((SELECT "parent"."position" FROM "tasks_task" AS "parent" '
    'WHERE "parent"."id" = "tasks_task"."parent_id"), "position") {0}',
    'COALESCE("parent_id", "id") {0}',
    'CASE WHEN "parent_id" IS NULL THEN 0 ELSE 1 END {0}',
    '"position" {0}',
    '"id" {0}',
]
_ORDER_BY["position"] = ", ".join(key.format("ASC") for key in _POSITION_ORDER)
_ORDER_BY["-position"] = ", ".join(key.format("DESC") for key in _POSITION_ORDER)
TASK_PAGES = {
    (status, sort): (
        f'SELECT {_COLUMNS}, {_SHOWN} FROM "tasks_task" '  # noqa: S608
        f'WHERE "user_id" = %s{condition} ORDER BY {order} LIMIT %s OFFSET %s'
    )
    for status, condition in _STATUS_CONDITIONS.items()
    for sort, order in _ORDER_BY.items()
}

# Completion: every expression reads the row as it was before the statement,
# and the database locks the row while it runs, so two toggles at once leave
# the task as it was. completed_at is set when a task becomes completed,
# kept while it stays so, and cleared when it is reopened.
# A pending recurring task is not completed by these: completing it moves it
# to its next occurrence (task_set_completed then does that).
TOGGLE_COMPLETED = (
    'UPDATE "tasks_task" SET "completed" = NOT "completed", '
    '"completed_at" = CASE WHEN "completed" THEN NULL ELSE %s END, '
    '"updated_at" = %s, "version" = "version" + 1 '
    'WHERE "user_id" = %s AND "id" = %s AND ("recurrence" IS NULL OR "completed")'
)
SET_COMPLETED = (
    'UPDATE "tasks_task" SET "completed" = %s, '
    '"completed_at" = CASE WHEN "completed" = %s THEN "completed_at" ELSE %s END, '
    '"updated_at" = %s, "version" = "version" + 1 '
    'WHERE "user_id" = %s AND "id" = %s AND ("recurrence" IS NULL OR "completed" OR NOT %s)'
)
# Every editable field at once, only if nobody wrote the task since it was read.
VERSIONED_WRITE = (
    'UPDATE "tasks_task" SET "list_id" = %s, "parent_id" = %s, "position" = %s, "title" = %s, '
    '"description" = %s, "completed" = %s, "priority" = %s, "due_date" = %s, "due_on" = %s, '
    '"due_at" = %s, "recurrence" = %s, "recur_from" = %s, "recurrence_start_date" = %s, '
    '"recurrence_start_on" = %s, "completed_at" = %s, "updated_at" = %s, "version" = %s '
    'WHERE "user_id" = %s AND "id" = %s AND "version" = %s'
)
WRITTEN_FIELD_NAMES = [
    "list_id",
    "parent_id",
    "position",
    "title",
    "description",
    "completed",
    "priority",
    "due_date",
    "due_on",
    "due_at",
    "recurrence",
    "recur_from",
    "recurrence_start_date",
    "recurrence_start_on",
    "completed_at",
    "updated_at",
]
TASK_DELETE = 'DELETE FROM "tasks_task" WHERE "user_id" = %s AND "id" = %s'
WRITE_ATTEMPTS = 5

_field = Task._meta.get_field
TASK_FIELDS = [_field(name) for name in TASK_FIELD_NAMES]
# How the shown values come back: a JSON array as text, two numbers, and
# another JSON array.
SHOWN_FIELDS = [
    models.TextField(),
    models.IntegerField(),
    models.IntegerField(),
    models.TextField(),
]
LISTED_FIELDS = [*TASK_FIELDS[: -len(HIDDEN_FIELD_NAMES)], *SHOWN_FIELDS]
WRITTEN_FIELDS = [_field(name) for name in WRITTEN_FIELD_NAMES]
_OWNER, _ID, _COMPLETED, _UPDATED_AT = (
    _field(n) for n in ("user", "id", "completed", "updated_at")
)


class ConcurrentWrites(exceptions.APIException):
    status_code = 409
    default_detail = "The task is being changed by other requests right now. Try again."
    default_code = "concurrent_writes"


def task_get(*, owner_id, task_id) -> Task | None:
    """The owner's task with this id, or None (another user's task is not found either).

    What it shows beyond its columns is on it too: `tag_names`, `subtask_count`,
    `completed_subtask_count` and `reminder_rows`.
    """
    with connection.cursor() as cursor:
        cursor.execute(TASK_BY_ID, [_owner(owner_id), _id(task_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    [values] = python_rows([row], [*TASK_FIELDS, *SHOWN_FIELDS], connection)
    columns = len(TASK_FIELD_NAMES)
    task = Task.from_db(connection.alias, TASK_FIELD_NAMES, values[:columns])
    names, task.subtask_count, task.completed_subtask_count, shown = values[columns:]
    task.tag_names = tags.shown_tags(names)
    task.reminder_rows = reminders.scheduled_reminders(shown)
    return task


def task_page(
    *, owner_id, time_zone: str, query, offset: int, limit: int
) -> tuple[list[dict], int]:
    """Tasks `offset` to `offset + limit` of the owner's list for these query
    parameters (TaskFilter's), as rows of LISTED_FIELD_NAMES, and how many match in all.

    A list filtered on completion alone (the usual one) counts its matches
    from TaskCounts, whatever the owner's number of tasks, and reads its page
    with one of TASK_PAGES; any other filter goes through the ORM, counting
    from the counts the database keeps where it has them (TaskFilter.kept_count).
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
        rows = [
            dict(zip(LISTED_FIELD_NAMES, row, strict=True))
            for row in python_rows(rows, LISTED_FIELDS, connection)
        ]
        _show(rows)
        return rows, total

    filterset = TaskFilter(
        query,
        queryset=Task.objects.filter(user_id=owner_id),
        owner_id=owner_id,
        time_zone=time_zone,
    )
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    matching = filterset.qs
    total = filterset.kept_count(query)
    if total is None:
        total = matching.count()
    if offset >= total:
        return [], total
    # The fixed fragments of SHOWN_SQL, no values.
    shown = {f"shown_{name}": RawSQL(sql, ()) for name, sql in SHOWN_SQL.items()}  # noqa: S611
    page = matching.values(*_SHOWN_COLUMNS, **shown)[offset : offset + limit]
    rows = [
        {
            **{name: row[name] for name in _SHOWN_COLUMNS},
            **{name: row[f"shown_{name}"] for name in SHOWN_SQL},
        }
        for row in page
    ]
    _show(rows)
    return rows, total


def _show(rows: list[dict]) -> None:
    """Tags and reminders of listed rows, as the API shows them."""
    for row in rows:
        row["tags"] = tags.shown_tags(row["tags"])
        row["reminders"] = reminders.shown(reminders.scheduled_reminders(row["reminders"]))


def task_count(*, owner_id, status: str = "all") -> int:
    """How many of the owner's tasks have this status (all, pending, completed): one query."""
    with connection.cursor() as cursor:
        cursor.execute(TASK_COUNTS, [_owner(owner_id)])
        row = cursor.fetchone()
    total, completed = row or (0, 0)
    return {"all": total, "pending": total - completed, "completed": completed}[status]


NOT_YOUR_LIST = "None of your lists has this id."
NOT_YOUR_TASK = "None of your tasks has this id."
OWN_PARENT = "A task cannot be its own parent."
PARENT_IS_SUBTASK = "This task is a subtask: a subtask cannot have subtasks."
HAS_SUBTASKS = "This task has subtasks: it cannot become one."
PARENT_ELSEWHERE = "The parent is in another list: a subtask is in its parent's list."
NOT_A_SIBLING = "None of the tasks beside which it would go has this id."


def task_create(*, owner_id, time_zone: str, **fields) -> Task:
    """A new task of the owner's (whose time zone is `time_zone`), last among its siblings.

    It goes to the list named by `list_id` (theirs), or its parent's list
    (a subtask), or else the Inbox. Its tags are named in `tag_names`, its
    reminders in `reminder_specs`.
    """
    names = fields.pop("tag_names", None) or []
    specs = fields.pop("reminder_specs", None) or []
    check_recurrence(fields, time_zone)
    check_reminders(specs, fields.get("due_date"), fields.get("due_on"))
    fields["list_id"], last = _new_place(owner_id, fields.get("list_id"), fields.get("parent_id"))
    # The task, its tags and its reminders commit together; a task with
    # neither is one INSERT.
    with transaction.atomic() if names or specs else nullcontext():
        task = Task(user_id=owner_id, position=last_position(last), **fields)
        task.owner_time_zone = time_zone  # for its due_at, without reading the user
        task.save(force_insert=True)
        task.tag_names = (
            tags.set_task_tags(owner_id=owner_id, task_id=task.pk, names=names) if names else []
        )
        task.reminder_rows = (
            reminders.reschedule(task, time_zone=time_zone, specs=specs) if specs else []
        )
    task.subtask_count = task.completed_subtask_count = 0
    return task


def _new_place(owner_id, list_id, parent_id) -> tuple:
    """The list of a new task, and the last position among its siblings there (or None)."""
    if parent_id is not None:
        parent = _parent(owner_id, parent_id)
        if list_id is not None and list_id != parent["list_id"]:
            raise _invalid("parent_id", PARENT_ELSEWHERE)
        return parent["list_id"], parent["last"]
    if list_id is None:
        return lists.inbox_and_last_position(owner_id=owner_id)
    last = (
        TaskList.objects.filter(user_id=owner_id, pk=list_id)
        .annotate(last=Subquery(_last_of(list_id=OuterRef("pk"), parent_id=None)))
        .values_list("last", flat=True)
    )
    if not last:
        raise _invalid("list_id", NOT_YOUR_LIST)
    return list_id, last[0]


def _parent(owner_id, parent_id) -> dict:
    """The owner's task `parent_id` as a parent: its list, and its subtasks' last position."""
    parent = (
        Task.objects.filter(user_id=owner_id, pk=parent_id)
        .annotate(last=Subquery(_last_of(parent_id=OuterRef("pk"))))
        .values("id", "list_id", "parent_id", "last")
        .first()
    )
    if parent is None:
        raise _invalid("parent_id", NOT_YOUR_TASK)
    if parent["parent_id"] is not None:
        raise _invalid("parent_id", PARENT_IS_SUBTASK)
    return parent


def _last_of(*, list_id=None, parent_id):
    """The last position among the tasks of one parent, or the top-level tasks of one list."""
    siblings = _siblings(list_id, parent_id)
    return siblings.order_by("-position").values("position")[:1]


def _siblings(list_id, parent_id):
    if parent_id is not None:
        return Task.objects.filter(parent_id=parent_id)
    return Task.objects.filter(list_id=list_id, parent__isnull=True)


def _invalid(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


def _refuse_foreign_list(owner_id, list_id) -> None:
    # The same answer for another user's list and for none: nothing is told
    # of lists that are not the caller's.
    if not lists.owns_list(owner_id=owner_id, list_id=list_id):
        raise _invalid("list_id", NOT_YOUR_LIST)


def task_update(
    *, owner_id, time_zone: str, task: Task, changes: dict, if_match: list[str] | None
) -> Task:
    """Apply `changes` to the owner's task, never overwriting unseen a write made since it was read.

    With If-Match (its ETags), the task must still be as the client read
    it, or it is a 412 and nothing is written. Without, the client asked
    for last-write-wins: a write that loses a race with another is replayed
    on the task as it is now, a few times, before a 409.

    `list_id` left out (or null) keeps the task in its list; `parent_id`
    left out keeps its parent unless the list changes (then it is top-level
    there). A task given another place goes last there, its subtasks with it.
    `tag_names` left out keeps its tags, `reminder_specs` its reminders
    (worked out again if its due or completion changes). `time_zone`: the
    owner's, for an all-day task's due_at, a recurring task's occurrences and
    its reminders. Completing a pending recurring task moves it to its next
    occurrence (complete_occurrence).
    """
    if if_match is not None and not if_match_passes(if_match, task.etag):
        raise PreconditionFailed()
    changes = dict(changes)
    if "due_date" in changes or "due_on" in changes:
        # The serializer sends both when either is set (setting one clears the other).
        changes["due_at"] = due_moment(
            changes.get("due_date", task.due_date), changes.get("due_on", task.due_on), time_zone
        )
    if changes.keys() & {"recurrence", "due_date", "due_on"}:
        # A new rule or a new due starts the series again, from that due.
        rule = {
            name: changes.get(name, getattr(task, name))
            for name in ("recurrence", "due_date", "due_on")
        }
        check_recurrence(rule, time_zone)
        changes.update(
            recurrence_start_date=rule["recurrence_start_date"],
            recurrence_start_on=rule["recurrence_start_on"],
        )
    completing = (
        changes.get("completed") is True
        and not task.completed
        and changes.get("recurrence", task.recurrence) is not None
    )
    names = changes.pop("tag_names", None)
    if names is not None and {tag_key(n) for n in names} == {tag_key(n) for n in task.tag_names}:
        names = None  # the same tags: nothing to write but the task
    specs = changes.pop("reminder_specs", None)
    if specs == [reminder.spec for reminder in task.reminder_rows]:
        specs = None  # the same reminders: nothing to set
    if specs is not None:
        check_reminders(
            specs, changes.get("due_date", task.due_date), changes.get("due_on", task.due_on)
        )
    follow = specs is not None or (
        task.reminder_rows and changes.keys() & {"due_date", "due_on", "completed"}
    )
    place = _new_place_of(owner_id, task, changes.pop("list_id", None), changes)
    changes.update(place)
    subtasks_follow = "list_id" in place and task.subtask_count > 0
    # A write of the task alone is one statement; anything more commits with it.
    alone = names is None and not subtasks_follow and not completing and not follow
    with nullcontext() if alone else transaction.atomic():
        if completing:
            del changes["completed"]
            task = complete_occurrence(
                owner_id=owner_id,
                time_zone=time_zone,
                task_id=task.pk,
                read_version=None if if_match is None else task.version,
                changes=changes,
                reminder_specs=specs,
            )
        else:
            task = _write(owner_id, task, changes, if_match)
            if follow:
                task.reminder_rows = reminders.reschedule(task, time_zone=time_zone, specs=specs)
        if names is not None:
            task.tag_names = tags.set_task_tags(owner_id=owner_id, task_id=task.pk, names=names)
        if subtasks_follow:
            _move_subtasks(task)
    return task


def _new_place_of(owner_id, task: Task, list_id, changes: dict) -> dict:
    """The columns that put `task` where a write asks (list_id, parent_id, position),
    if that is elsewhere; a place a subtask cannot have is a 400 on parent_id."""
    new_list, new_parent = _asked_place(task, list_id, changes)
    if (new_list, new_parent) == (task.list_id, task.parent_id):
        return {}
    if new_list != task.list_id:
        _refuse_foreign_list(owner_id, new_list)
    if new_parent is None:
        last = _siblings(new_list, None).aggregate(last=Max("position"))["last"]
    else:
        last = _parent_of(owner_id, task, new_parent, new_list)["last"]
    return {"list_id": new_list, "parent_id": new_parent, "position": last_position(last)}


def _asked_place(task: Task, list_id, changes: dict) -> tuple:
    """The (list, parent) a write asks for; takes parent_id out of `changes`."""
    new_list = task.list_id if list_id is None else list_id
    if "parent_id" in changes:
        return new_list, changes.pop("parent_id")
    return new_list, (task.parent_id if new_list == task.list_id else None)


def _parent_of(owner_id, task: Task, parent_id, list_id) -> dict:
    """The owner's task `parent_id` as the parent of `task` in list `list_id` (see _parent)."""
    if parent_id == task.pk:
        raise _invalid("parent_id", OWN_PARENT)
    parent = _parent(owner_id, parent_id)
    if parent["list_id"] != list_id:
        raise _invalid("parent_id", PARENT_ELSEWHERE)
    if task.subtask_count:
        raise _invalid("parent_id", HAS_SUBTASKS)
    return parent


def _move_subtasks(task: Task) -> None:
    # A parent's subtasks are always in its list; each shows its list, so each changes version.
    Task.objects.filter(parent_id=task.pk).exclude(list_id=task.list_id).update(
        list_id=task.list_id, version=F("version") + 1, updated_at=task.updated_at
    )


def _write(owner_id, task: Task, changes: dict, if_match) -> Task:
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


def task_move(*, owner_id, task: Task, after_id, place: dict, if_match) -> Task:
    """Put the owner's task right after its sibling `after_id` (None: first), in the
    place `place` asks for (`list_id`, `parent_id`, as a write's; none: where it is).

    The lists concerned are locked first, so moves in one list run one after
    the other and never compute the same position. A move writes the task
    (and, moved to another list, its subtasks), but for a rare renumbering
    of its siblings.
    """
    place = dict(place)
    new_list, new_parent = _asked_place(task, place.get("list_id"), place)
    with transaction.atomic():
        list(
            TaskList.objects.select_for_update()
            .filter(pk__in={task.list_id, new_list}, user_id=owner_id)
            .order_by("pk")
            .values_list("pk")
        )
        current = task_get(owner_id=owner_id, task_id=task.pk)
        if current is None:  # deleted since it was read
            raise Http404
        if if_match is not None and not if_match_passes(if_match, current.etag):
            raise PreconditionFailed()
        task = current
        if new_list != task.list_id:
            _refuse_foreign_list(owner_id, new_list)
        if new_parent is not None and new_parent != task.parent_id:
            _parent_of(owner_id, task, new_parent, new_list)
        siblings = _siblings(new_list, new_parent).exclude(pk=task.pk).order_by("position", "id")
        if after_id is None:
            before = None
            following = siblings.values_list("position", flat=True).first()
        else:
            after = siblings.filter(pk=after_id).values_list("position", "id").first()
            if after is None:
                raise _invalid("after", NOT_A_SIBLING)
            before = after[0]
            following = (
                siblings.filter(Q(position__gt=before) | Q(position=before, id__gt=after[1]))
                .values_list("position", flat=True)
                .first()
            )
        position = position_between(before, following)
        if position is None:  # no number left between the neighbours
            position = _renumber_around(task, siblings, after_id)
        moved_list = new_list != task.list_id
        task = _write(
            owner_id,
            task,
            {"list_id": new_list, "parent_id": new_parent, "position": position},
            None,
        )
        if moved_list and task.subtask_count:
            _move_subtasks(task)
    return task


def _renumber_around(task: Task, siblings, after_id) -> int:
    """Renumber the siblings, a POSITION_STEP apart, with room for `task` after
    `after_id` (None: first); the position left for it."""
    current = dict(siblings.values_list("id", "position"))
    order = list(current)
    order.insert(0 if after_id is None else order.index(after_id) + 1, task.pk)
    positions = renumbered(order, current)
    now = timezone.now()
    for pk, position in positions.items():
        if pk != task.pk:
            # A task whose position changes is another version of it (its ETag).
            Task.objects.filter(pk=pk).update(
                position=position, version=F("version") + 1, updated_at=now
            )
    return positions[task.pk]


def task_set_completed(
    *, owner_id, time_zone: str, task_id, completed: bool | None, if_match: list[str] | None
) -> Task:
    """Set (True, False) or toggle (None) completion of the owner's task, in one statement.

    With If-Match (its ETags, other than "*"), the task must be at one of
    the versions they name, or it is a 412 and nothing changes. Returns the
    task as it is afterwards. Completing a pending recurring task moves it to
    its next occurrence instead (complete_occurrence).
    """
    versions = None if if_match is None or if_match == [ANY] else versions_in(if_match)
    # An If-Match naming no version the task could have (W/"1", say) changes nothing.
    changed = versions != [] and _change_completion(owner_id, task_id, completed, versions)
    if changed:
        task = task_get(owner_id=owner_id, task_id=task_id)
        if task is not None and task.reminder_rows:
            # Completing cancels them, reopening arms those still ahead.
            with transaction.atomic():
                task.reminder_rows = reminders.reschedule(task, time_zone=time_zone, locked=False)
        return task
    task = task_get(owner_id=owner_id, task_id=task_id)
    if task is None:
        raise Http404
    if versions is not None and task.version not in versions:
        raise PreconditionFailed()
    # Not changed, and as the client read it: a pending recurring task to complete.
    return complete_occurrence(
        owner_id=owner_id,
        time_zone=time_zone,
        task_id=task_id,
        read_version=None if versions is None else task.version,
    )


# A completion of a recurring task this soon after its last one is the same
# completion (see complete_occurrence).
SAME_COMPLETION = timedelta(seconds=2)


def complete_occurrence(
    *, owner_id, time_zone: str, task_id, read_version=None, changes=None, reminder_specs=None
) -> Task:
    """Complete the occurrence a pending recurring task is due at: record it, and move
    the same task to the next one, pending again, in one transaction; the rule
    exhausted, the task stays completed. `changes`: other fields written with it;
    `reminder_specs`: its new reminders, if any. Its reminders follow the next
    occurrence (tasks.reminders).

    The task is locked while this runs, so of two completions at once the
    second reads what the first wrote. Which occurrence does it complete? A
    client that sent If-Match (`read_version`) says: the one of that version,
    and a newer version is a 412. One that did not means the one it saw, which
    the server cannot know: a completion less than SAME_COMPLETION after the
    task last moved on is taken as that same completion (sent at the same
    moment, retried, clicked twice) and changes nothing.
    """
    with transaction.atomic():
        list(Task.objects.select_for_update().filter(pk=task_id, user_id=owner_id).values("pk"))
        task = task_get(owner_id=owner_id, task_id=task_id)
        if task is None:
            raise Http404
        if read_version is not None and task.version != read_version:
            raise PreconditionFailed()
        if task.completed or task.recurrence is None:
            return task  # completed, or no longer recurring, meanwhile
        recent = timezone.now() - SAME_COMPLETION
        if read_version is None and task.completions.filter(completed_at__gt=recent).exists():
            return task
        for name, value in (changes or {}).items():
            setattr(task, name, value)
        now = timezone.now()
        occurrence = {"due_date": task.due_date, "due_on": task.due_on}
        rule = _rule(
            task.recurrence, task.recurrence_start_date, task.recurrence_start_on, time_zone
        )
        due_date, due_on = rule.next_due(**occurrence, recur_from=task.recur_from, completed_at=now)
        if due_date is None and due_on is None:
            task.completed = True
        else:
            task.completed, task.due_date, task.due_on = False, due_date, due_on
            task.due_at = due_moment(due_date, due_on, time_zone)
        # Once per occurrence: completing again one reopened, the last of its
        # rule, keeps the first record.
        completion = TaskCompletion(
            task_id=task_id,
            due_at=due_moment(occurrence["due_date"], occurrence["due_on"], time_zone),
            completed_at=now,
            **occurrence,
        )
        TaskCompletion.objects.bulk_create([completion], ignore_conflicts=True)
        if not _write_if_unchanged(owner_id, task):  # cannot be: the task is locked
            raise ConcurrentWrites()
        if reminder_specs is not None or task.reminder_rows:
            task.reminder_rows = reminders.reschedule(
                task, time_zone=time_zone, specs=reminder_specs, advanced=not task.completed
            )
    return task


def task_completions(*, owner_id, task_id, offset: int, limit: int) -> tuple[list, int]:
    """The owner's task's completed occurrences `offset` to `offset + limit`, newest
    first, and how many in all; another user's task (or none) is a 404."""
    if not task_exists(owner_id=owner_id, task_id=task_id):
        raise Http404
    completions = TaskCompletion.objects.filter(task_id=task_id, task__user_id=owner_id)
    total = completions.count()
    if offset >= total:
        return [], total
    return list(completions.order_by("-completed_at", "-id")[offset : offset + limit]), total


def _rule(recurrence, start_date, start_on, time_zone: str) -> Rule:
    return Rule(recurrence, start_due_date=start_date, start_due_on=start_on, time_zone=time_zone)


NEEDS_A_DUE = "A recurring task needs a due date or day."
REMINDER_NEEDS_A_DUE = "A reminder before the due needs a due date or day."
NO_FUTURE_OCCURRENCE = "This rule has no occurrence after now."


def check_recurrence(fields: dict, time_zone: str) -> None:
    """A task's rule (as in `fields`, with its due) is one it can have, or a 400 on
    `recurrence`; sets the series' start to its due."""
    if fields.get("recurrence") is None:
        fields["recurrence_start_date"] = fields["recurrence_start_on"] = None
        return
    if fields.get("due_date") is None and fields.get("due_on") is None:
        raise _invalid("recurrence", NEEDS_A_DUE)
    fields["recurrence_start_date"] = fields.get("due_date")
    fields["recurrence_start_on"] = fields.get("due_on")
    try:
        rule = _rule(fields["recurrence"], fields.get("due_date"), fields.get("due_on"), time_zone)
    except InvalidRule as exc:
        raise _invalid("recurrence", str(exc)) from exc
    if not rule.has_an_occurrence_after(timezone.now()):
        raise _invalid("recurrence", NO_FUTURE_OCCURRENCE)


def check_reminders(specs, due_date, due_on) -> None:
    """Reminders set on a task due at `due_date` or on `due_on` are ones it can have,
    or a 400 on `reminders`. (A due removed later leaves those before it waiting
    for another: they fire again once the task has one.)"""
    if due_date is None and due_on is None and any(s.at is None for s in specs):
        raise _invalid("reminders", REMINDER_NEEDS_A_DUE)


def _change_completion(owner_id, task_id, completed: bool | None, versions) -> bool:
    now = _UPDATED_AT.get_db_prep_value(timezone.now(), connection)
    if completed is None:
        sql, params = TOGGLE_COMPLETED, [now, now]
    else:
        done = _COMPLETED.get_db_prep_value(completed, connection)
        sql, params = SET_COMPLETED, [done, done, now if completed else None, now]
    params += [_owner(owner_id), _id(task_id)]
    if completed is not None:
        params.append(done)
    if versions:
        sql += f' AND "version" IN ({", ".join(["%s"] * len(versions))})'
        params += versions
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount > 0


def task_exists(*, owner_id, task_id) -> bool:
    return Task.objects.filter(user_id=owner_id, pk=task_id).exists()


def task_delete(*, owner_id, task: Task, if_match: list[str] | None) -> None:
    """Delete the owner's task, its subtasks and its tags' links; with If-Match, only if
    it is still as the client read it (412)."""
    if if_match is not None and not if_match_passes(if_match, task.etag):
        raise PreconditionFailed()
    version = None if if_match is None else task.version
    deleted = None
    if task.subtask_count == 0 and not task.tag_names and not task.reminder_rows:
        try:
            deleted = _delete_alone(owner_id, task.pk, version)
        except IntegrityError:
            pass  # a subtask or a tag came meanwhile: the whole deletion below
    if deleted is None:
        tasks = Task.objects.filter(user_id=owner_id, pk=task.pk)
        if version is not None:
            tasks = tasks.filter(version=version)
        with transaction.atomic():
            deleted, _ = tasks.delete()
    if not deleted and if_match is not None:
        raise PreconditionFailed()


def _delete_alone(owner_id, task_id, version) -> int:
    """TASK_DELETE: a task nothing refers to (as read), in one statement rather than
    the ORM's collection of what refers to it."""
    sql, params = TASK_DELETE, [_owner(owner_id), _id(task_id)]
    if version is not None:
        sql, params = sql + ' AND "version" = %s', [*params, version]
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _owner(owner_id):
    return _OWNER.get_db_prep_value(owner_id, connection)


def _id(task_id):
    return _ID.get_db_prep_value(task_id, connection)
