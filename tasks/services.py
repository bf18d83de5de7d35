"""Task actions used by the management commands: export, import, purge, recount.

Import validates every row with the API's own serializer, so a file can
never hold a task the API would refuse, and it is all-or-nothing.
"""

import csv
import io
import json
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from rest_framework import serializers

from api.fields import TextField
from tasks import lists
from tasks.models import EXPORTED_FIELDS, LIST_NAME_MAX_LENGTH, Task, TaskCounts
from tasks.serializers import TaskSerializer

# What an export holds of each task: its fields, and the name of its list.
EXPORT_COLUMNS = [*EXPORTED_FIELDS, "list"]
# CSV has no null: an empty cell in these columns means null...
NULLABLE_FIELDS = {"description", "completed_at", "priority", "due_date"}
# ...and in these that the value is not given (a new id, "now", not
# completed, the Inbox), as when the key is left out of a JSON object.
OPTIONAL_FIELDS = {"id", "completed", "created_at", "updated_at", "list"}
IMPORT_BATCH_SIZE = 500
# A spreadsheet runs a cell that starts with one of these as a formula. Such a
# cell is written with a leading apostrophe, which spreadsheets show as text,
# and so is a cell that starts with an apostrophe itself; an import takes one
# leading apostrophe off every cell, so a round trip changes nothing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


class TaskImportSerializer(TaskSerializer):
    """The API's task rules, plus the fields a restore must carry over.

    A task's list is named, not given by id: ids mean nothing in another
    account, or in another database.
    """

    list_id = None
    list = TextField(max_length=LIST_NAME_MAX_LENGTH, required=False)
    id = serializers.UUIDField(required=False)
    completed_at = serializers.DateTimeField(allow_null=True, required=False)
    created_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(required=False)


def tasks_export(*, user, file_format: str) -> str:
    rows = [
        {
            **{
                name: value
                for name, value in TaskSerializer(task).data.items()
                if name in EXPORTED_FIELDS
            },
            "list": task.list.name,
        }
        for task in Task.objects.filter(user=user)
        .select_related("list")
        .order_by("created_at", "id")
    ]
    if file_format == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    # RFC 4180 line ends: the csv module then quotes a cell holding a bare CR too.
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: _csv_cell(value) for name, value in row.items()})
    return out.getvalue()


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
        return [
            {
                name: None if value == "" and name in NULLABLE_FIELDS else _from_csv_cell(value)
                for name, value in row.items()
                # A short row leaves its last cells out (None): not given either.
                if not (value in ("", None) and name in OPTIONAL_FIELDS)
            }
            for row in csv.DictReader(io.StringIO(content, newline=""))
        ]
    except csv.Error as exc:
        raise ValueError(str(exc)) from exc


@transaction.atomic  # the lists it makes too: all or nothing
def tasks_import(*, user, rows: list[dict]) -> int:
    """Create (or, for the user's own ids, overwrite) the tasks; nothing if any row is bad.

    A row whose id belongs to another user is imported under a new id: an
    import never touches, nor reveals, another user's task.
    """
    validated = []
    first_row_of_id = {}
    for number, row in enumerate(rows, start=1):
        serializer = TaskImportSerializer(data=row)
        if not serializer.is_valid():
            field, messages = next(iter(serializer.errors.items()))
            raise ValidationError(f"row {number}: {field}: {messages[0]}")
        task_id = serializer.validated_data.get("id")
        if task_id in first_row_of_id:
            raise ValidationError(f"row {number}: id: same id as row {first_row_of_id[task_id]}")
        if task_id is not None:
            first_row_of_id[task_id] = number
        validated.append(serializer.validated_data)

    wanted_ids = [data["id"] for data in validated if "id" in data]
    stored = {
        pk: (owner, version)
        for pk, owner, version in Task.objects.filter(pk__in=wanted_ids).values_list(
            "pk", "user_id", "version"
        )
    }
    now = timezone.now()
    tasks = []
    # bulk_create stamps created_at/updated_at with "now"; a restore puts the
    # file's timestamps back afterwards.
    stamps = [(data.pop("created_at", None), data.pop("updated_at", None)) for data in validated]
    # A task goes to the list it names (made if the user has none of that
    # name, any case), else to the Inbox, or stays in its list if overwritten.
    list_names = [data.pop("list", None) for data in validated]
    inbox = lists.inbox_id(owner_id=user.pk)
    list_ids = _lists_named(user, {name for name in list_names if name is not None})
    for data, list_name in zip(validated, list_names, strict=True):
        list_id = inbox if list_name is None else list_ids[list_name.lower()]
        task = Task(user=user, list_id=list_id, **data)
        owner, version = stored.get(task.pk, (user.pk, 0))
        if owner != user.pk:
            task.pk = Task._meta.pk.get_default()
        elif version:
            task.version = version + 1  # an overwrite is a change: a new ETag
        if task.completed and task.completed_at is None:
            task.completed_at = now
        if not task.completed:
            task.completed_at = None
        tasks.append(task)

    overwritten = [f for f in EXPORTED_FIELDS if f != "id"] + ["version"]
    with transaction.atomic():
        for named, fields in ((True, [*overwritten, "list"]), (False, overwritten)):
            batch = [
                task
                for task, name in zip(tasks, list_names, strict=True)
                if (name is not None) == named
            ]
            Task.objects.bulk_create(
                batch,
                batch_size=IMPORT_BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=fields,
            )
        for task, (created_at, updated_at) in zip(tasks, stamps, strict=True):
            task.created_at = created_at or task.created_at
            task.updated_at = updated_at or task.updated_at
        Task.objects.bulk_update(tasks, ["created_at", "updated_at"], batch_size=IMPORT_BATCH_SIZE)
    return len(tasks)


def _lists_named(user, names: set[str]) -> dict[str, object]:
    """The ids of the user's lists with these names (any case), keyed by lower-case
    name; the missing ones are made, last of the user's lists."""
    ids = {name.lower(): pk for name, pk in user.task_lists.values_list("name", "pk")}
    for name in sorted(names, key=str.lower):
        if name.lower() not in ids:
            ids[name.lower()] = lists.list_create(owner_id=user.pk, name=name).pk
    return ids


def tasks_purge_completed(*, older_than_days: int, dry_run: bool = False) -> int:
    try:
        cutoff = timezone.now() - timedelta(days=older_than_days)
    except OverflowError:
        return 0  # a cutoff before year 1: nothing was completed that long ago
    old = Task.objects.filter(completed=True, completed_at__lt=cutoff)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted


def tasks_recount() -> int:
    """Put right every user's TaskCounts from the tasks themselves; how many were wrong.

    The triggers keep the counts exact; this repairs them after writes that
    bypassed the triggers (a restore with triggers disabled, say). Task
    writes wait while it runs; reads go on.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute('LOCK TABLE "tasks_task" IN SHARE MODE')
        # SQLite: the transaction already holds the database's write lock.
        actual = {
            row["user_id"]: (row["total"], row["completed"])
            for row in Task.objects.values("user_id").annotate(
                total=Count("id"), completed=Count("id", filter=Q(completed=True))
            )
        }
        kept = {
            user_id: (total, completed)
            for user_id, total, completed in TaskCounts.objects.values_list(
                "user_id", "total", "completed"
            )
        }
        wrong = [
            user_id
            for user_id in actual.keys() | kept.keys()
            if actual.get(user_id, (0, 0)) != kept.get(user_id, (0, 0))
        ]
        TaskCounts.objects.filter(user_id__in=wrong).delete()
        TaskCounts.objects.bulk_create(
            TaskCounts(user_id=user_id, total=actual[user_id][0], completed=actual[user_id][1])
            for user_id in wrong
            if user_id in actual
        )
    return len(wrong)
