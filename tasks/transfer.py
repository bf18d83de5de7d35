"""Export and import of a user's tasks (the export_tasks and import_tasks commands).

Import validates every row with the API's own serializer, so a file can
never hold a task the API would refuse, and it is all-or-nothing.

An export holds, for each task, its fields (EXPORTED_FIELDS), the name of
its list (`list`: ids mean nothing in another account, or in another
database), its parent's id (`parent`, null for a top-level task), its
`position` among its siblings, the names of its tags (`tags`): a JSON
array, or in CSV one cell of the names joined by ", " (a tag's name never
holds a comma), and its reminders (`reminders`) as set, in order, each
`{"at": ..., "before_due_minutes": ...}`: a JSON array, or in CSV one cell
holding that array as JSON (empty for none). Top-level tasks come first,
then subtasks, each in order of creation, so that a reader meets every
parent before its subtasks.

What an import makes of a row:
- `list`: the user's list of that name (any case; made, last, when they
  have none); none named, the Inbox, or an overwritten task's own list.
- `parent`: the id of a task of the same file (a row imported under a new
  id takes its subtasks with it) or of one of the user's tasks; it must be
  a top-level task. A subtask goes to its parent's list, whatever its own
  `list` says (that list is then not made). Left out, an overwritten task
  keeps its parent unless the row moves it to another list, as with a PUT;
  null, or left out of a new task, it is top-level.
- `position`: kept as given. Left out, an overwritten task that stays among
  the same siblings keeps its place; any other goes last among its siblings,
  in the order of the file.
- `tags`: exactly the row's, each made when the user has no tag of that
  name (any case), spelt as first written in the file; left out, none, as
  with a PUT.
- `recurrence_start`: where a recurring task's series started (the due it
  had when its rule or its due was last set; COUNT counts from it), a
  date-time or, for an all-day task, a date, not after the row's due; left
  out, the row's due.
- `reminders`: exactly the row's, left out none, as with a PUT; when each
  fires is worked out as when set through the API (tasks.reminders), so one
  whose time is past does not fire. A reminder before the due of a row
  without one is restored waiting for a due, as the API keeps it when a
  task's due is removed.
"""

import csv
import io
import json
import uuid
from collections import defaultdict
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework import serializers

from api.fields import TextField
from tasks import lists, reminders
from tasks.dates import due_moment, iso_datetime
from tasks.models import (
    EXPORTED_FIELDS,
    LIST_NAME_MAX_LENGTH,
    Reminder,
    Task,
    TaskCompletion,
    TaskTag,
    tag_key,
)
from tasks.order import last_position
from tasks.recurrence import Rule
from tasks.serializers import TaskSerializer
from tasks.store import (
    HAS_SUBTASKS,
    NEEDS_A_DUE,
    OWN_PARENT,
    PARENT_IS_SUBTASK,
)
from tasks.tags import shown_tags, tags_named, unique_names

EXPORT_COLUMNS = [
    *EXPORTED_FIELDS,
    "recurrence_start",
    "list",
    "parent",
    "position",
    "tags",
    "reminders",
]
# CSV has no null: an empty cell in these columns means null...
NULLABLE_FIELDS = {
    "description",
    "completed_at",
    "priority",
    "due_date",
    "due_on",
    "recurrence",
    "recurrence_start",
    "parent",
}
# ...and in these that the value is not given (a new id, "now", not
# completed, the Inbox, last among its siblings, no tags, recurring from the
# due, no reminders), as when the key is left out of a JSON object.
OPTIONAL_FIELDS = {
    "id",
    "completed",
    "created_at",
    "updated_at",
    "list",
    "position",
    "tags",
    "recur_from",
    "reminders",
}
TAG_SEPARATOR = ", "
BATCH_SIZE = 500  # rows per statement of a bulk write
# Half the column's range: room for the tasks an import or the API puts after the last.
POSITION_LIMIT = 2**62
PARENT_NOT_FOUND = "Neither this file nor your tasks have a task with this id."
# A spreadsheet runs a cell that starts with one of these as a formula. Such a
# cell is written with a leading apostrophe, which spreadsheets show as text,
# and so is a cell that starts with an apostrophe itself; an import takes one
# leading apostrophe off every cell, so a round trip changes nothing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


class SeriesStartField(serializers.Field):
    """A recurring task's series start: a date-time (a task due at instants) or a
    date (an all-day task), as the export writes it."""

    default_error_messages = {"invalid": "A date-time, or a date (YYYY-MM-DD)."}

    def to_internal_value(self, data):
        if isinstance(data, str) and len(data) == len("YYYY-MM-DD"):
            try:
                return date.fromisoformat(data)
            except ValueError:
                self.fail("invalid")
        try:
            return serializers.DateTimeField().run_validation(data)
        except serializers.ValidationError:
            self.fail("invalid")

    def to_representation(self, value):
        return _json_value(value)


class TaskImportSerializer(TaskSerializer):
    """The API's task rules, plus the fields a restore must carry over.

    A task's list is named, not given by id: ids mean nothing in another
    account, or in another database. Its parent is a task id of the file
    or of the user's (see the module's docstring).
    """

    list_id = None
    parent_id = None
    list = TextField(max_length=LIST_NAME_MAX_LENGTH, required=False)
    parent = serializers.UUIDField(required=False, allow_null=True)
    position = serializers.IntegerField(
        required=False, min_value=-POSITION_LIMIT, max_value=POSITION_LIMIT
    )
    id = serializers.UUIDField(required=False)
    completed_at = serializers.DateTimeField(allow_null=True, required=False)
    created_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(required=False)
    # The due its series started at (COUNT counts from it); left out, the row's due.
    recurrence_start = SeriesStartField(required=False, allow_null=True)


def tasks_export(*, user, file_format: str) -> str:
    """The user's tasks as an export file, read in two queries however many there are."""
    tag_names = defaultdict(list)
    for task_id, name in TaskTag.objects.filter(task__user=user).values_list(
        "task_id", "tag__name"
    ):
        tag_names[task_id].append(name)
    # Each task's reminders come with it, as tasks.store reads them.
    tasks = (
        Task.objects.filter(user=user)
        .select_related("list")
        .annotate(reminders_set=RawSQL(reminders.REMINDERS_OF_TASK, ()))  # noqa: S611
        .order_by("created_at", "id")
    )
    # Parents first; the sort is stable, so each part stays in order of creation.
    rows = [
        _export_row(task, shown_tags(tag_names[task.pk]))
        for task in sorted(tasks, key=lambda task: task.parent_id is not None)
    ]
    if file_format == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    # RFC 4180 line ends: the csv module then quotes a cell holding a bare CR too.
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        row["tags"] = TAG_SEPARATOR.join(row["tags"])
        row["reminders"] = json.dumps(row["reminders"]) if row["reminders"] else None
        writer.writerow({name: _csv_cell(value) for name, value in row.items()})
    return out.getvalue()


def _export_row(task: Task, tags: list[str]) -> dict:
    # Values as the API writes them (tasks.serializers.task_representation).
    # Not through TaskSerializer itself: it would count each task's subtasks.
    return {
        **{name: _json_value(getattr(task, name)) for name in EXPORTED_FIELDS},
        "recurrence_start": _json_value(task.recurrence_start_date or task.recurrence_start_on),
        "list": task.list.name,
        "parent": _json_value(task.parent_id),
        "position": task.position,
        "tags": tags,
        "reminders": [
            {
                "at": _json_value(reminder.spec.at),
                "before_due_minutes": reminder.spec.before_due_minutes,
            }
            for reminder in reminders.scheduled_reminders(task.reminders_set)
        ],
    }


def _json_value(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return TEXT_MARK + text if text.startswith((*FORMULA_STARTS, TEXT_MARK)) else text


def _from_csv_cell(text):
    return text.removeprefix(TEXT_MARK) if isinstance(text, str) else text


def parse_task_file(content: str, file_format: str) -> list[dict]:
    if file_format == "json":
        rows = json.loads(content)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValueError("a JSON export is an array of task objects")
        return rows
    try:
        return [_from_csv_row(row) for row in csv.DictReader(io.StringIO(content, newline=""))]
    except csv.Error as exc:
        raise ValueError(str(exc)) from exc


def _from_csv_row(row: dict) -> dict:
    task = {
        name: None if value == "" and name in NULLABLE_FIELDS else _from_csv_cell(value)
        for name, value in row.items()
        # A short row leaves its last cells out (None): not given either.
        if not (value in ("", None) and name in OPTIONAL_FIELDS)
    }
    if "tags" in task:
        task["tags"] = [name.strip() for name in task["tags"].split(",")]
    if "reminders" in task:
        task["reminders"] = _json_cell(task["reminders"])
    return task


def _json_cell(text: str):
    # Text that is not JSON is left as it is: the row's validation refuses it,
    # naming the row and the column.
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@transaction.atomic  # the lists, tags and reminders it makes too: all or nothing
def tasks_import(*, user, rows: list[dict]) -> int:
    """Create (or, for the user's own ids, overwrite) the tasks; nothing if any row is bad.

    A row whose id belongs to another user is imported under a new id: an
    import never touches, nor reveals, another user's task. Where each task
    goes, and with which tags and reminders: see the module's docstring.
    """
    validated = _validated_rows(rows)
    file_ids = [data.get("id") for data in validated]
    stored = {
        row["id"]: row
        for row in Task.objects.filter(pk__in=[pk for pk in file_ids if pk is not None])
        .annotate(has_reminders=Exists(Reminder.objects.filter(task_id=OuterRef("pk"))))
        .values("id", "user_id", "version", "list_id", "parent_id", "position", "has_reminders")
    }
    # bulk_create stamps created_at/updated_at with "now"; a restore puts the
    # file's timestamps back afterwards.
    stamps = [(data.pop("created_at", None), data.pop("updated_at", None)) for data in validated]
    places = [
        {key: data.pop(key) for key in ("list", "parent", "position") if key in data}
        for data in validated
    ]
    tag_names = [data.pop("tag_names") for data in validated]
    reminder_specs = [data.pop("reminder_specs", []) for data in validated]
    series_starts = [data.pop("recurrence_start", None) for data in validated]
    now = timezone.now()
    tasks = [_task_of(user, data, stored, now) for data in validated]
    # The user's task each row overwrites, as stored (None for a new task).
    was = [stored.get(task.pk) for task in tasks]

    _place_in_lists(user, tasks, places, was)
    _place_under_parents(user, tasks, places, was, file_ids)
    _place_in_order(tasks, [place.get("position") for place in places], was)
    completions = _complete_recurring(user, tasks, series_starts, now)

    fields = [name for name in EXPORTED_FIELDS if name != "id"]
    fields += ["version", "due_at", "recurrence_start_date", "recurrence_start_on"]
    fields += ["list", "parent", "position"]
    for subtasks in (False, True):  # parents first: a subtask's row refers to its parent's
        Task.objects.bulk_create(
            [task for task in tasks if (task.parent_id is not None) == subtasks],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=fields,
        )
    _move_stored_subtasks(tasks, was, now)
    for task, (created_at, updated_at) in zip(tasks, stamps, strict=True):
        task.created_at = created_at or task.created_at
        task.updated_at = updated_at or task.updated_at
    Task.objects.bulk_update(tasks, ["created_at", "updated_at"], batch_size=BATCH_SIZE)
    TaskCompletion.objects.bulk_create(completions, batch_size=BATCH_SIZE, ignore_conflicts=True)
    _set_tags(user.pk, {task.pk: names for task, names in zip(tasks, tag_names, strict=True)})
    moved_on = {completion.task.pk for completion in completions if not completion.task.completed}
    _set_reminders(user, tasks, reminder_specs, was, moved_on)
    return len(tasks)


def _validated_rows(rows: list[dict]) -> list[dict]:
    validated = []
    first_row_of_id = {}
    for number, row in enumerate(rows, start=1):
        serializer = TaskImportSerializer(data=row)
        if not serializer.is_valid():
            field, messages = next(iter(serializer.errors.items()))
            raise _row_error(number, field, _first_message(messages))
        task_id = serializer.validated_data.get("id")
        if task_id in first_row_of_id:
            raise _row_error(number, "id", f"same id as row {first_row_of_id[task_id]}")
        if task_id is not None:
            first_row_of_id[task_id] = number
        data = serializer.validated_data
        due = data.get("due_date") is not None or data.get("due_on") is not None
        if data.get("recurrence") and not due:
            raise _row_error(number, "recurrence", NEEDS_A_DUE)
        start = data.get("recurrence_start")
        if start is not None and data.get("recurrence"):
            _check_series_start(number, start, data.get("due_date"), data.get("due_on"))
        validated.append(data)
    return validated


SERIES_START_KIND = "A date-time for a task due at an instant, a date for an all-day task."
SERIES_START_AFTER_DUE = "The series cannot start after the task's due."


def _check_series_start(number: int, start, due_date, due_on) -> None:
    """A series start that can be the row's: of its due's kind, not after it."""
    due = due_date if due_date is not None else due_on
    if isinstance(start, datetime) != isinstance(due, datetime):
        raise _row_error(number, "recurrence_start", SERIES_START_KIND)
    if start > due:
        raise _row_error(number, "recurrence_start", SERIES_START_AFTER_DUE)


def _first_message(errors) -> str:
    # A field's errors are a list; a list field's (tags) a dict by item.
    while not isinstance(errors, str):
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return errors


def _row_error(number: int, field: str, message: str) -> ValidationError:
    return ValidationError(f"row {number}: {field}: {message}")


def _complete_recurring(user, tasks: list[Task], starts: list, now) -> list[TaskCompletion]:
    """A recurring task's series starts where its row says (`recurrence_start`, as
    exported), or else at its due as imported; one imported completed is completed as
    through the API: the occurrence recorded (returned, to write once the tasks are),
    the task moved to the next one, pending, while the rule has one."""
    completions = []
    for task, start in zip(tasks, starts, strict=True):
        if start is None:
            start = task.due_date if task.due_date is not None else task.due_on
        if task.recurrence is None:
            start = None
        task.recurrence_start_date = start if isinstance(start, datetime) else None
        task.recurrence_start_on = None if isinstance(start, datetime) else start
        if not (task.recurrence and task.completed):
            continue
        rule = Rule(
            task.recurrence,
            start_due_date=task.recurrence_start_date,
            start_due_on=task.recurrence_start_on,
            time_zone=user.time_zone,
        )
        completions.append(
            TaskCompletion(
                task=task,
                due_date=task.due_date,
                due_on=task.due_on,
                due_at=due_moment(task.due_date, task.due_on, user.time_zone),
                completed_at=task.completed_at or now,
            )
        )
        due_date, due_on = rule.next_due(
            due_date=task.due_date,
            due_on=task.due_on,
            recur_from=task.recur_from,
            completed_at=task.completed_at or now,
        )
        if due_date is not None or due_on is not None:
            task.due_date, task.due_on = due_date, due_on
            task.completed, task.completed_at = False, None
    return completions


def _task_of(user, data: dict, stored: dict, now) -> Task:
    """The row's task, with its own fields; its place is set afterwards."""
    task = Task(user=user, **data)
    existing = stored.get(task.pk)
    if existing is not None and existing["user_id"] != user.pk:
        task.pk = Task._meta.pk.get_default()
    elif existing is not None:
        task.version = existing["version"] + 1  # an overwrite is a change: a new ETag
    if task.completed and task.completed_at is None:
        task.completed_at = now
    if not task.completed:
        task.completed_at = None
    return task


def _place_in_lists(user, tasks: list[Task], places: list[dict], was: list) -> None:
    """Put each task in the list its row names, else its own, else the Inbox; a row
    with a parent is left to _place_under_parents (its list is its parent's)."""
    names = [None if place.get("parent") is not None else place.get("list") for place in places]
    list_ids = _lists_named(user, {name for name in names if name is not None})
    inbox = lists.inbox_id(owner_id=user.pk)
    for task, name, existing in zip(tasks, names, was, strict=True):
        if name is not None:
            task.list_id = list_ids[name.lower()]
        else:
            task.list_id = inbox if existing is None else existing["list_id"]


def _lists_named(user, names: set[str]) -> dict[str, object]:
    """The ids of the user's lists with these names (any case), keyed by lower-case
    name; the missing ones are made, last of the user's lists."""
    ids = {name.lower(): pk for name, pk in user.task_lists.values_list("name", "pk")}
    for name in sorted(names, key=str.lower):
        if name.lower() not in ids:
            ids[name.lower()] = lists.list_create(owner_id=user.pk, name=name).pk
    return ids


def _place_under_parents(user, tasks: list[Task], places: list[dict], was, file_ids) -> None:
    """Give each task its parent, and a subtask its parent's list; a row error for a
    parent that is not a top-level task of the file or of the user's."""
    imported_as = {pk: task.pk for pk, task in zip(file_ids, tasks, strict=True) if pk}
    for task, place, existing in zip(tasks, places, was, strict=True):
        if "parent" in place:
            task.parent_id = imported_as.get(place["parent"], place["parent"])
        elif existing is not None and existing["list_id"] == task.list_id:
            task.parent_id = existing["parent_id"]
    in_file = {task.pk: task for task in tasks}
    stored_parents = _stored_parents(user, tasks, in_file)
    keeping_subtasks = _keeping_subtasks(tasks, was, in_file)
    for number, task in enumerate(tasks, start=1):
        if task.parent_id is None:
            continue
        if task.parent_id == task.pk:
            raise _row_error(number, "parent", OWN_PARENT)
        if task.parent_id in in_file:
            parent = in_file[task.parent_id]
            grandparent, list_id = parent.parent_id, parent.list_id
        elif task.parent_id in stored_parents:
            grandparent, list_id = stored_parents[task.parent_id]
        else:
            raise _row_error(number, "parent", PARENT_NOT_FOUND)
        if grandparent is not None:
            raise _row_error(number, "parent", PARENT_IS_SUBTASK)
        if task.pk in keeping_subtasks:
            raise _row_error(number, "parent", HAS_SUBTASKS)
        task.list_id = list_id


def _stored_parents(user, tasks: list[Task], in_file: dict) -> dict:
    """The parent and list of each of the user's tasks that a row names as parent
    and the file does not hold."""
    named = {task.parent_id for task in tasks if task.parent_id is not None} - in_file.keys()
    return {
        pk: (parent_id, list_id)
        for pk, parent_id, list_id in Task.objects.filter(user=user, pk__in=named).values_list(
            "pk", "parent_id", "list_id"
        )
    }


def _keeping_subtasks(tasks: list[Task], was: list, in_file: dict) -> set:
    """The overwritten top-level tasks that rows make subtasks while they have
    subtasks the file leaves where they are (they cannot become subtasks)."""
    becoming = [
        task.pk
        for task, existing in zip(tasks, was, strict=True)
        if task.parent_id is not None and existing is not None and existing["parent_id"] is None
    ]
    return {
        parent_id
        for pk, parent_id in Task.objects.filter(parent_id__in=becoming).values_list(
            "pk", "parent_id"
        )
        if pk not in in_file
    }


def _place_in_order(tasks: list[Task], positions: list, was: list) -> None:
    """Give each task its row's position; without one, an overwritten task that stays
    among the same siblings keeps its own, and any other goes last among its siblings."""
    last = {}
    unplaced = []
    for task, position, existing in zip(tasks, positions, was, strict=True):
        if position is None and existing is not None:
            if (existing["list_id"], existing["parent_id"]) == (task.list_id, task.parent_id):
                position = existing["position"]
        if position is None:
            unplaced.append(task)
            continue
        task.position = position
        group = _siblings_of(task)
        last[group] = max(position, last.get(group, position))
    if not unplaced:
        return
    for group, position in _stored_last_positions({_siblings_of(t) for t in unplaced}).items():
        last[group] = max(position, last.get(group, position))
    for task in unplaced:
        group = _siblings_of(task)
        task.position = last[group] = last_position(last.get(group))


def _siblings_of(task: Task) -> tuple:
    # A subtask's siblings are its parent's subtasks; a top-level task's, the
    # top-level tasks of its list.
    if task.parent_id is not None:
        return ("parent", task.parent_id)
    return ("list", task.list_id)


def _stored_last_positions(groups: set[tuple]) -> dict[tuple, int]:
    """The last stored position in each of these sibling groups that has a task."""
    by_list, by_parent = Task.objects.last_positions(
        list_ids=[pk for kind, pk in groups if kind == "list"],
        parent_ids=[pk for kind, pk in groups if kind == "parent"],
    )
    return {("list", pk): last for pk, last in by_list.items()} | {
        ("parent", pk): last for pk, last in by_parent.items()
    }


def _move_stored_subtasks(tasks: list[Task], was: list, now) -> None:
    # A subtask is in its parent's list: those of an overwritten task that the
    # file leaves alone follow it to its new list, each a new version of itself.
    moved = defaultdict(list)
    for task, existing in zip(tasks, was, strict=True):
        if existing is not None and task.parent_id is None and existing["list_id"] != task.list_id:
            moved[task.list_id].append(task.pk)
    for list_id, parent_ids in moved.items():
        Task.objects.filter(parent_id__in=parent_ids).exclude(list_id=list_id).update(
            list_id=list_id, version=F("version") + 1, updated_at=now
        )


def _set_tags(owner_id, tag_names: dict) -> None:
    """Give each of the owner's tasks (by id) exactly these tags, made where new:
    a handful of statements for all the tasks."""
    names = unique_names([name for names in tag_names.values() for name in names])
    tag_ids = {tag.key: tag.pk for tag in tags_named(owner_id, names)}
    wanted = {
        (task_id, tag_ids[tag_key(name)]) for task_id, names in tag_names.items() for name in names
    }
    links = list(
        TaskTag.objects.filter(task_id__in=tag_names).values_list("pk", "task_id", "tag_id")
    )
    TaskTag.objects.filter(
        pk__in=[pk for pk, task_id, tag_id in links if (task_id, tag_id) not in wanted]
    ).delete()
    kept = {(task_id, tag_id) for _, task_id, tag_id in links}
    TaskTag.objects.bulk_create(
        [TaskTag(task_id=task_id, tag_id=tag_id) for task_id, tag_id in wanted - kept],
        batch_size=BATCH_SIZE,
    )


def _set_reminders(user, tasks: list[Task], specs_of: list, was: list, moved_on: set) -> None:
    """Give each task exactly its row's reminders, each firing as if set through the API
    (a task moved on to its next occurrence as if completed there: `moved_on`). Only
    tasks that have or had reminders cost queries."""
    for task, specs, existing in zip(tasks, specs_of, was, strict=True):
        if specs or (existing is not None and existing["has_reminders"]):
            reminders.reschedule(
                task, time_zone=user.time_zone, specs=specs, advanced=task.pk in moved_on
            )
