"""The operator commands: seed_demo, export_tasks, import_tasks, purge_completed, recount_tasks.

The tests call the commands in-process against the test database, but for
the two that need a real process (exit status, what reaches the terminal),
which run `manage.py` with a throwaway SQLite file it never gets to open.
"""

import csv
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.api import client_for
from accounts.tests.factories import UserFactory
from tasks import services, transfer
from tasks.models import Reminder, Tag, Task, TaskList, TaskTag
from tasks.order import POSITION_STEP as STEP
from tasks.reminders import Spec, reschedule
from tasks.tags import set_task_tags
from tasks.tests.factories import TaskFactory

EXPORT_FIELDS = [
    "id",
    "title",
    "description",
    "completed",
    "completed_at",
    "priority",
    "due_date",
    "due_on",
    "recurrence",
    "recur_from",
    "created_at",
    "updated_at",
    "recurrence_start",
    "list",
    "parent",
    "position",
    "tags",
    "reminders",
]


def run(command: str, *args: str) -> tuple[str, str]:
    """Run a command in-process; returns what it wrote to stdout and stderr."""
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def task_table() -> list[dict]:
    return list(Task.objects.order_by("id").values())


def user_table() -> list[dict]:
    return list(User.objects.order_by("id").values())


def organization(user) -> list[tuple]:
    """Each of the user's tasks: its title, list, parent's title, position and tags."""
    return sorted(
        (
            task.title,
            task.list.name,
            task.parent.title if task.parent else None,
            task.position,
            task.tag_names,
        )
        for task in user.tasks.select_related("list", "parent")
    )


def tag_table() -> list[tuple]:
    """Every tag (owner, name, count) and every tag on a task (task id, name)."""
    return sorted(Tag.objects.values_list("user_id", "name", "task_count")) + sorted(
        TaskTag.objects.values_list("task_id", "tag__name")
    )


def tag(task: Task, *names: str) -> None:
    set_task_tags(owner_id=task.user_id, task_id=task.pk, names=list(names))


def remind(task: Task, *specs: Spec) -> None:
    with transaction.atomic():
        reschedule(task, time_zone=task.user.time_zone, specs=list(specs), locked=False)


def reminder_table() -> list[tuple]:
    """Every reminder: its task, position, what was set, when it fires and whether it will."""
    return list(
        Reminder.objects.order_by("task_id", "position").values_list(
            "task_id", "position", "at", "before_due_minutes", "fire_at", "pending"
        )
    )


def write_task_file(path, rows: list[dict], file_format: str) -> None:
    if file_format == "json":
        path.write_text(json.dumps(rows), encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=EXPORT_FIELDS, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: csv_cell(name, value) for name, value in row.items()})


def csv_cell(name: str, value) -> str:
    if name == "reminders" and isinstance(value, list):
        return json.dumps(value) if value else ""
    if isinstance(value, list):  # tag names
        return ", ".join(value)
    return "" if value is None else value


# --- seed_demo --------------------------------------------------------------

CREDENTIALS = re.compile(r"Log in as (\S+) with password (\S+)")


@pytest.mark.django_db
def test_seed_demo_prints_credentials_that_log_in_through_the_api(api_client):
    out, _ = run("seed_demo", "--force")

    email, password = CREDENTIALS.search(out).groups()
    assert email == "demo@example.org"
    response = api_client.post(reverse("auth-login"), {"email": email, "password": password})
    assert response.status_code == 200, response.content
    assert response.json()["user"]["email"] == "demo@example.org"


@pytest.mark.django_db
def test_seed_demo_creates_the_users_and_tasks_per_user_asked_for():
    run("seed_demo", "--force", "--users", "3", "--tasks", "7")

    counts = {user.email: user.tasks.count() for user in User.objects.all()}
    assert counts == {
        "demo@example.org": 7,
        "demo2@example.org": 7,
        "demo3@example.org": 7,
    }
    # Each in an Inbox and two lists of their own, the tasks spread over the three.
    for user in User.objects.all():
        names = list(user.task_lists.order_by("position").values_list("name", flat=True))
        assert names == ["Inbox", "Work", "Home"]
        used = set(user.tasks.values_list("list__name", flat=True))
        assert used == {"Inbox", "Work", "Home"}


@pytest.mark.django_db
def test_seed_demo_tasks_vary_in_priority_due_date_and_completion():
    run("seed_demo", "--force")
    now = timezone.now()
    tasks = list(Task.objects.all())

    assert {task.priority for task in tasks} == {"low", "medium", "high", None}
    assert any(task.due_date is None for task in tasks)
    assert any(task.due_date and task.due_date < now for task in tasks)
    assert any(task.due_date and task.due_date > now for task in tasks)
    assert any(task.description is None for task in tasks)
    assert any(task.description for task in tasks)
    done = [task for task in tasks if task.completed]
    pending = [task for task in tasks if not task.completed]
    assert done and pending
    assert all(task.completed_at is not None and task.completed_at <= now for task in done)
    assert all(task.completed_at is None for task in pending)


@pytest.mark.django_db
def test_running_seed_demo_again_changes_nothing():
    run("seed_demo", "--force", "--users", "2", "--tasks", "30")
    users, tasks, reminders = user_table(), task_table(), reminder_table()

    out, _ = run("seed_demo", "--force", "--users", "2", "--tasks", "30")

    assert user_table() == users
    assert task_table() == tasks
    assert reminders and reminder_table() == reminders
    assert "tasks created now: 0" in out


@pytest.mark.django_db
def test_seed_demo_tops_up_to_larger_counts_and_keeps_what_exists():
    run("seed_demo", "--force", "--tasks", "5")
    first_tasks = task_table()

    run("seed_demo", "--force", "--users", "2", "--tasks", "8")

    assert [row for row in task_table() if row["id"] in {t["id"] for t in first_tasks}] == (
        first_tasks
    )
    counts = {user.email: user.tasks.count() for user in User.objects.all()}
    assert counts == {"demo@example.org": 8, "demo2@example.org": 8}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--users", "0"], "--users must be at least 1"),
        (["--tasks", "-1"], "--tasks must be 0 or more"),
        (["--users", "many"], "invalid int value"),
    ],
)
def test_seed_demo_refuses_bad_counts_and_creates_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        run("seed_demo", "--force", *args)

    assert not User.objects.exists()
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="pass --force"):
        run("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_runs_without_force_in_debug(settings):
    settings.DEBUG = True
    out, _ = run("seed_demo", "--tasks", "1")
    assert CREDENTIALS.search(out)


@pytest.mark.django_db
def test_seed_demo_makes_a_new_random_password_each_time_it_creates_users():
    first = CREDENTIALS.search(run("seed_demo", "--force", "--tasks", "0")[0])[2]
    User.objects.all().delete()
    second = CREDENTIALS.search(run("seed_demo", "--force", "--tasks", "0")[0])[2]

    assert first != second
    assert len(first) >= 16


def demo_index(task: Task) -> int:
    return int(task.title.rsplit("#", 1)[1]) - 1


@pytest.mark.django_db
def test_seed_demo_gives_every_fifth_task_two_subtasks_in_its_list():
    run("seed_demo", "--force", "--tasks", "25")
    tasks = sorted(Task.objects.select_related("parent"), key=demo_index)

    for index, task in enumerate(tasks):
        if index % 5 in (1, 2):
            assert task.parent == tasks[index - index % 5]
            assert task.list_id == task.parent.list_id
        else:
            assert task.parent is None
    subtasks = [task for task in tasks if task.parent]
    assert len(subtasks) == 10
    assert {task.completed for task in subtasks} == {True, False}


@pytest.mark.django_db
def test_seed_demo_puts_each_task_last_among_its_siblings_in_creation_order():
    run("seed_demo", "--force", "--tasks", "25")

    groups = {}
    for task in sorted(Task.objects.all(), key=demo_index):
        groups.setdefault((task.list_id, task.parent_id), []).append(task.position)
    for positions in groups.values():
        assert positions == [STEP * n for n in range(1, len(positions) + 1)]


@pytest.mark.django_db
def test_seed_demo_tags_some_tasks_and_the_counts_are_kept():
    run("seed_demo", "--force", "--users", "2", "--tasks", "25")

    for user in User.objects.all():
        assert set(user.tags.values_list("name", flat=True)) == {
            "home",
            "errands",
            "urgent",
            "reading",
        }
        tagged = [bool(task.tag_names) for task in user.tasks.all()]
        assert any(tagged) and not all(tagged)
    assert services.tasks_recount() == (0, 0, 0)


@pytest.mark.django_db
def test_running_seed_demo_again_changes_no_tag():
    run("seed_demo", "--force", "--users", "2", "--tasks", "30")
    tags = tag_table()

    run("seed_demo", "--force", "--users", "2", "--tasks", "30")

    assert tag_table() == tags


@pytest.mark.django_db
def test_seed_demo_topping_up_ends_as_one_run_would():
    # 6 tasks end on a parent whose subtasks the top-up makes.
    run("seed_demo", "--force", "--tasks", "6")
    run("seed_demo", "--force", "--tasks", "12")
    topped_up = organization(User.objects.get())
    User.objects.all().delete()

    run("seed_demo", "--force", "--tasks", "12")

    assert organization(User.objects.get()) == topped_up
    assert [title for title, _, parent, _, _ in topped_up if parent == "Book train tickets #6"] == [
        "Pay electricity bill #8",
        "Review pull request #7",
    ]


# --- export_tasks / import_tasks ---------------------------------------------


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.org")


@pytest.fixture
def owners_tasks(owner) -> list[Task]:
    """Tasks that between them use every field's range, timestamps down to the microsecond."""
    specs = [
        {
            "title": "Everything set, done",
            "description": 'Line one\r\nline "two", with a comma; and\nthree',
            "completed": True,
            "priority": "high",
            "due_date": at(2026, 5, 1, 9, 30, 15, 123456),
            "completed_at": at(2026, 4, 30, 18, 0, 0, 654321),
            "reminders": [
                Spec(before_due_minutes=30),
                Spec(at=at(2026, 4, 30, 7, 0, 0, 250000)),
            ],
        },
        {
            "title": "Nothing optional",
            "description": None,
            "priority": None,
            "due_date": None,
            # Still to fire: it is restored pending.
            "reminders": [Spec(at=at(2031, 1, 1, 12, 0, 0, 500))],
        },
        {
            "title": "Ünïcødé ✓, \"quoted\", 'single'",
            "description": "naïve café",
            "priority": "low",
            "due_date": at(2020, 1, 1),
            "reminders": [Spec(before_due_minutes=0)],
        },
        {"title": "x" * 200, "description": "d" * 1000, "priority": "medium"},
    ]
    tasks = []
    for number, spec in enumerate(specs):
        completed_at = spec.pop("completed_at", None)
        reminders = spec.pop("reminders", [])
        task = TaskFactory(user=owner, **spec)
        Task.objects.filter(pk=task.pk).update(
            created_at=at(2025, 1, 1 + number, 8, 0, 0, 1000 + number),
            updated_at=at(2025, 2, 1 + number, 8, 0, 0, 2000 + number),
            **({"completed_at": completed_at} if completed_at else {}),
        )
        remind(task, *reminders)
        tasks.append(task)
    return tasks


@pytest.fixture
def someone_elses_task(db):
    return TaskFactory(title="Someone else's", user=UserFactory(), priority="high")


@pytest.mark.parametrize("file_format", ["json", "csv"])
@pytest.mark.usefixtures("owners_tasks", "someone_elses_task")
def test_export_delete_import_export_restores_every_field(tmp_path, owner, file_format):
    before, reminders_before = task_table(), reminder_table()
    first = tmp_path / f"first.{file_format}"
    second = tmp_path / f"second.{file_format}"

    _, exported = run(
        "export_tasks", "--user", owner.email, "--format", file_format, "--output", str(first)
    )
    Task.objects.filter(user=owner).delete()
    imported, _ = run("import_tasks", "--user", owner.email, str(first))
    run("export_tasks", "--user", owner.email, "--format", file_format, "--output", str(second))

    assert "Exported 4 task(s)" in exported
    assert "Imported 4 task(s) for owner@example.org" in imported
    assert task_table() == before
    assert reminder_table() == reminders_before
    assert len(reminders_before) == 4
    assert sum(pending for *_, pending in reminders_before) == 1  # the one still to fire
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_a_round_trip_restores_the_lists_of_tasks(tmp_path, owner, file_format):
    work = TaskList.objects.create(user=owner, name="Work", position=10)
    TaskFactory(user=owner, title="in the inbox")
    TaskFactory(user=owner, title="at work", list=work)
    first, second = tmp_path / f"first.{file_format}", tmp_path / f"second.{file_format}"

    run("export_tasks", "--user", owner.email, "--format", file_format, "--output", str(first))
    # Into another account: lists are matched by name and made when missing.
    other = UserFactory(email="other@example.org")
    TaskList.objects.create(user=other, name="WORK", position=10)
    run("import_tasks", "--user", other.email, str(first))
    run("export_tasks", "--user", owner.email, "--format", file_format, "--output", str(second))
    Task.objects.filter(user=owner).delete()
    work.delete()
    run("import_tasks", "--user", owner.email, str(first))

    placed = dict(Task.objects.filter(user=other).values_list("title", "list__name"))
    assert placed == {"in the inbox": "Inbox", "at work": "WORK"}
    assert TaskList.objects.filter(user=other).count() == 2
    restored = dict(Task.objects.filter(user=owner).values_list("title", "list__name"))
    assert restored == {"in the inbox": "Inbox", "at work": "Work"}
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.django_db
@pytest.mark.usefixtures("owners_tasks", "someone_elses_task")
def test_json_export_holds_only_the_users_tasks_with_every_field_and_nulls(owner):
    out, _ = run("export_tasks", "--user", owner.email)

    rows = json.loads(out)
    assert [row["title"] for row in rows][:3] == [
        "Everything set, done",
        "Nothing optional",
        "Ünïcødé ✓, \"quoted\", 'single'",
    ]
    assert all(list(row) == EXPORT_FIELDS for row in rows)
    assert rows[0]["completed"] is True
    assert rows[0]["completed_at"] == "2026-04-30T18:00:00.654321Z"
    bare = rows[1]
    assert (bare["description"], bare["priority"], bare["due_date"], bare["completed_at"]) == (
        None,
        None,
        None,
        None,
    )
    assert {row["id"] for row in rows} == {str(task.pk) for task in owner.tasks.all()}
    # As set, in order; not when they fire.
    assert rows[0]["reminders"] == [
        {"at": None, "before_due_minutes": 30},
        {"at": "2026-04-30T07:00:00.250000Z", "before_due_minutes": None},
    ]
    assert rows[1]["reminders"] == [
        {"at": "2031-01-01T12:00:00.000500Z", "before_due_minutes": None}
    ]
    assert rows[3]["reminders"] == []


@pytest.mark.django_db
@pytest.mark.usefixtures("owners_tasks")
def test_csv_export_has_a_header_and_empty_cells_for_nulls(owner):
    out, _ = run("export_tasks", "--user", owner.email, "--format", "csv")

    rows = list(csv.DictReader(StringIO(out, newline="")))
    assert list(rows[0]) == EXPORT_FIELDS
    assert len(rows) == 4
    bare = rows[1]
    assert bare["title"] == "Nothing optional"
    assert [bare[name] for name in ("description", "priority", "due_date", "completed_at")] == [
        "",
        "",
        "",
        "",
    ]
    assert bare["completed"] == "False"
    assert json.loads(rows[0]["reminders"]) == [
        {"at": None, "before_due_minutes": 30},
        {"at": "2026-04-30T07:00:00.250000Z", "before_due_minutes": None},
    ]
    assert (
        bare["reminders"] == '[{"at": "2031-01-01T12:00:00.000500Z", "before_due_minutes": null}]'
    )
    assert rows[3]["reminders"] == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("owners_tasks")
def test_export_to_stdout_and_to_a_file_write_the_same(tmp_path, owner):
    path = tmp_path / "tasks.json"

    out, _ = run("export_tasks", "--user", owner.email)
    run("export_tasks", "--user", owner.email, "--output", str(path))

    assert path.read_text(encoding="utf-8") == out


@pytest.mark.parametrize("file_format", ["json", "csv"])
@pytest.mark.usefixtures("owners_tasks")
def test_import_overwrites_the_users_own_task_with_the_same_id(tmp_path, owner, file_format):
    path = tmp_path / f"tasks.{file_format}"
    rows = json.loads(run("export_tasks", "--user", owner.email)[0])
    rows[1] |= {"title": "Renamed", "priority": "low", "completed": True}
    write_task_file(path, rows, file_format)
    before = Task.objects.filter(user=owner).count()
    version_before = Task.objects.get(pk=rows[1]["id"]).version

    run("import_tasks", "--user", owner.email, str(path))

    renamed = Task.objects.get(pk=rows[1]["id"])
    assert (renamed.title, renamed.priority, renamed.completed) == ("Renamed", "low", True)
    assert renamed.version == version_before + 1  # so its ETag changes
    assert renamed.completed_at is not None
    assert renamed.user == owner
    assert Task.objects.filter(user=owner).count() == before


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_import_never_modifies_a_task_of_another_user(
    tmp_path, owner, someone_elses_task, file_format
):
    theirs_before = Task.objects.filter(pk=someone_elses_task.pk).values().get()
    path = tmp_path / f"tasks.{file_format}"
    write_task_file(
        path,
        [{"id": str(someone_elses_task.pk), "title": "Hijacked", "completed": False}],
        file_format,
    )

    run("import_tasks", "--user", owner.email, str(path))

    assert Task.objects.filter(pk=someone_elses_task.pk).values().get() == theirs_before
    imported = Task.objects.get(user=owner)
    assert imported.title == "Hijacked"
    assert imported.pk != someone_elses_task.pk


@pytest.mark.django_db
def test_import_sets_completed_at_as_the_api_does(tmp_path, owner):
    path = tmp_path / "tasks.json"
    write_task_file(
        path,
        [
            {"title": "Done without a time", "completed": True},
            {"title": "Open with a time", "completed": False, "completed_at": "2026-01-01T00:00Z"},
        ],
        "json",
    )

    run("import_tasks", "--user", owner.email, str(path))

    done = Task.objects.get(title="Done without a time")
    still_open = Task.objects.get(title="Open with a time")
    assert done.completed and done.completed_at is not None
    assert not still_open.completed and still_open.completed_at is None


@pytest.mark.django_db
def test_csv_rows_with_empty_id_timestamps_and_completion_import_as_new_tasks(tmp_path, owner):
    path = tmp_path / "tasks.csv"
    path.write_text(
        ",".join(EXPORT_FIELDS) + "\n" + ",Written by hand,,,,low,,,\n", encoding="utf-8"
    )
    before = timezone.now()

    run("import_tasks", "--user", owner.email, str(path))

    task = Task.objects.get(user=owner)
    assert (task.title, task.description, task.priority) == ("Written by hand", None, "low")
    assert (task.completed, task.completed_at, task.due_date) == (False, None, None)
    assert before <= task.created_at <= timezone.now()


BAD_ROWS = [
    pytest.param({"title": ""}, "title", id="blank-title"),
    pytest.param({"title": "   "}, "title", id="whitespace-title"),
    pytest.param({"title": "x" * 201}, "title", id="201-char-title"),
    pytest.param({"priority": "urgent"}, "priority", id="unknown-priority"),
    pytest.param({"due_date": "next tuesday"}, "due_date", id="bad-due-date"),
    pytest.param({"due_date": "2026-02-30T10:00:00Z"}, "due_date", id="impossible-due-date"),
    pytest.param({"completed_at": "yesterday"}, "completed_at", id="bad-completed-at"),
    pytest.param({"description": "d" * 1001}, "description", id="long-description"),
    pytest.param({"completed": "maybe"}, "completed", id="bad-completed"),
    pytest.param({"id": "not-a-uuid"}, "id", id="bad-id"),
    pytest.param(
        {"reminders": [{"at": "2030-01-01T00:00:00Z", "before_due_minutes": 5}]},
        "reminders",
        id="reminder-both-ways",
    ),
    pytest.param(
        {
            "due_date": "2030-01-01T00:00:00Z",
            "reminders": [{"before_due_minutes": n} for n in range(6)],
        },
        "reminders",
        id="six-reminders",
    ),
    pytest.param({"reminders": "[not json"}, "reminders", id="reminders-not-json"),
]


@pytest.mark.parametrize("file_format", ["json", "csv"])
@pytest.mark.parametrize(("bad", "field"), BAD_ROWS)
def test_one_bad_row_imports_nothing_and_names_its_row_and_field(
    tmp_path, owner, owners_tasks, file_format, bad, field
):
    own = owners_tasks[0]
    rows = [
        {"id": str(uuid.uuid4()), "title": "A new task", "completed": False},
        {"id": str(own.pk), "title": "Overwritten", "completed": False},
        {"id": str(uuid.uuid4()), "title": "Bad row", "completed": False} | bad,
        {"id": str(uuid.uuid4()), "title": "After the bad row", "completed": False},
    ]
    path = tmp_path / f"tasks.{file_format}"
    write_task_file(path, rows, file_format)
    before = task_table()

    with pytest.raises(CommandError) as raised:
        run("import_tasks", "--user", owner.email, str(path))

    assert re.match(rf"Nothing imported: row 3: {field}: \S", str(raised.value)), raised.value
    assert task_table() == before


@pytest.mark.django_db
def test_import_refuses_a_file_naming_one_id_twice(tmp_path, owner):
    task_id = str(uuid.uuid4())
    path = tmp_path / "tasks.json"
    write_task_file(path, [{"id": task_id, "title": "A"}, {"id": task_id, "title": "B"}], "json")

    with pytest.raises(CommandError, match="row 2: id: same id as row 1"):
        run("import_tasks", "--user", owner.email, str(path))

    assert not Task.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tasks.json", "{not json", "is not a valid JSON export"),
        ("tasks.json", '{"title": "an object, not a list"}', "is not a valid JSON export"),
        ("tasks.json", "[1, 2]", "is not a valid JSON export"),
        ("tasks.csv", "title\n" + "x" * 200_000 + "\n", "is not a valid CSV export"),
    ],
    ids=["malformed", "object", "not-objects", "oversized-csv-field"],
)
def test_import_refuses_a_file_that_is_not_an_export(tmp_path, owner, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        run("import_tasks", "--user", owner.email, str(path))

    assert not Task.objects.exists()


@pytest.mark.django_db
def test_import_refuses_a_file_it_cannot_read(tmp_path, owner):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_tasks", "--user", owner.email, str(tmp_path / "missing.json"))


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["export_tasks", "import_tasks"])
def test_unknown_user_is_refused(tmp_path, command):
    path = tmp_path / "tasks.json"
    path.write_text("[]", encoding="utf-8")
    args = ["--user", "nobody@example.org"] + ([str(path)] if command == "import_tasks" else [])

    with pytest.raises(CommandError, match="No user with email 'nobody@example.org'"):
        run(command, *args)


@pytest.mark.django_db
def test_export_and_import_find_the_user_whatever_the_case_of_the_email(tmp_path, owner):
    path = tmp_path / "tasks.json"
    write_task_file(path, [{"title": "Mine"}], "json")

    run("import_tasks", "--user", "OWNER@Example.org", str(path))
    out, _ = run("export_tasks", "--user", "Owner@EXAMPLE.org")

    assert [row["title"] for row in json.loads(out)] == ["Mine"]


@pytest.fixture
def organized_tasks(owner) -> dict[str, Task]:
    """A parent with two subtasks in a list of its own, made out of order with a
    top-level task of the Inbox, and tags spelt in mixed case."""
    work = TaskList.objects.create(user=owner, name="Work", position=10)
    parent = TaskFactory(user=owner, list=work, title="Plan the offsite", position=3 * STEP)
    venue = TaskFactory(
        user=owner, list=work, parent=parent, title="Book the venue", position=2 * STEP
    )
    loose = TaskFactory(user=owner, title="In the inbox", position=-5, completed=True)
    invites = TaskFactory(user=owner, list=work, parent=parent, title="Send invites", position=STEP)
    tag(parent, "Ärger")
    tag(venue, "Urgent", "ärger")
    tag(loose, "home", "URGENT")
    return {"parent": parent, "venue": venue, "loose": loose, "invites": invites}


@pytest.mark.django_db
def test_export_puts_parents_first_with_parent_position_and_tags(owner, organized_tasks):
    parent = str(organized_tasks["parent"].pk)

    rows = json.loads(run("export_tasks", "--user", owner.email)[0])
    cells = list(
        csv.DictReader(
            StringIO(run("export_tasks", "--user", owner.email, "--format", "csv")[0], newline="")
        )
    )

    assert [(row["title"], row["parent"], row["position"], row["tags"]) for row in rows] == [
        ("Plan the offsite", None, 3 * STEP, ["Ärger"]),
        ("In the inbox", None, -5, ["home", "Urgent"]),
        ("Book the venue", parent, 2 * STEP, ["Urgent", "Ärger"]),
        ("Send invites", parent, STEP, []),
    ]
    assert [(row["parent"], row["position"], row["tags"]) for row in cells] == [
        ("", str(3 * STEP), "Ärger"),
        ("", "'-5", "home, Urgent"),
        (parent, str(2 * STEP), "Urgent, Ärger"),
        (parent, str(STEP), ""),
    ]


@pytest.mark.parametrize("count", [1, 50])
def test_export_reads_tasks_tags_and_reminders_in_two_queries(
    owner, count, django_assert_num_queries
):
    parent = TaskFactory(user=owner)
    for number in range(count):
        task = TaskFactory(user=owner, parent=parent)
        tag(task, "shared", f"tag {number}")
        remind(task, Spec(at=at(2031, 1, 1 + number % 28)), Spec(before_due_minutes=number))

    with django_assert_num_queries(2):
        transfer.tasks_export(user=owner, file_format="csv")


@pytest.mark.parametrize("file_format", ["json", "csv"])
@pytest.mark.usefixtures("organized_tasks", "someone_elses_task")
def test_a_round_trip_restores_parents_positions_and_tags(tmp_path, owner, file_format):
    before, tags_before = task_table(), tag_table()
    first, second = tmp_path / f"first.{file_format}", tmp_path / f"second.{file_format}"

    run("export_tasks", "--user", owner.email, "--format", file_format, "--output", str(first))
    Task.objects.filter(user=owner).delete()
    Tag.objects.filter(user=owner).delete()
    run("import_tasks", "--user", owner.email, str(first))
    run("export_tasks", "--user", owner.email, "--format", file_format, "--output", str(second))

    assert task_table() == before
    assert tag_table() == tags_before
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("file_format", ["json", "csv"])
@pytest.mark.usefixtures("organized_tasks")
def test_subtasks_follow_their_parent_when_it_gets_a_new_id(tmp_path, owner, file_format):
    # Every id of the file is the owner's: in another account each task gets a new one.
    path = tmp_path / f"tasks.{file_format}"
    run("export_tasks", "--user", owner.email, "--format", file_format, "--output", str(path))
    owners = list(Task.objects.filter(user=owner).order_by("id").values())
    other = UserFactory(email="other@example.org")

    run("import_tasks", "--user", other.email, str(path))

    assert organization(other) == organization(owner)
    subtasks = other.tasks.filter(parent__isnull=False).select_related("parent")
    assert len(subtasks) == 2
    assert all(task.parent.user_id == other.pk for task in subtasks)
    assert not {task.pk for task in other.tasks.all()} & {row["id"] for row in owners}
    assert list(Task.objects.filter(user=owner).order_by("id").values()) == owners


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_a_subtask_goes_to_its_parents_list_whatever_its_row_says(tmp_path, owner, file_format):
    parent_id = str(uuid.uuid4())
    path = tmp_path / f"tasks.{file_format}"
    rows = [
        {"title": "Child", "parent": parent_id, "list": "Elsewhere"},
        {"id": parent_id, "title": "Parent", "list": "Work"},
    ]
    write_task_file(path, rows, file_format)

    run("import_tasks", "--user", owner.email, str(path))

    child = Task.objects.select_related("list").get(title="Child")
    assert (str(child.parent_id), child.list.name) == (parent_id, "Work")
    assert not TaskList.objects.filter(name="Elsewhere").exists()


@pytest.mark.django_db
def test_an_overwritten_subtask_keeps_its_parent_unless_its_row_says_otherwise(tmp_path, owner):
    parent = TaskFactory(user=owner, title="Parent")
    kept, freed, moved = (TaskFactory(user=owner, parent=parent, position=STEP) for _ in range(3))
    path = tmp_path / "tasks.json"
    rows = [
        {"id": str(kept.pk), "title": "Kept"},
        {"id": str(freed.pk), "title": "Freed", "parent": None},
        {"id": str(moved.pk), "title": "Moved", "list": "Home"},
    ]
    write_task_file(path, rows, "json")

    run("import_tasks", "--user", owner.email, str(path))

    placed = {
        task.title: (task.parent_id, task.list.name, task.position)
        for task in owner.tasks.select_related("list")
    }
    assert placed["Kept"] == (parent.pk, "Inbox", STEP)
    assert placed["Freed"] == (None, "Inbox", STEP)  # the Inbox's only other task is at 0
    assert placed["Moved"] == (None, "Home", STEP)


@pytest.mark.django_db
def test_an_overwritten_parent_moved_to_another_list_takes_its_subtasks(tmp_path, owner):
    parent = TaskFactory(user=owner, title="Parent")
    subtask = TaskFactory(user=owner, parent=parent)
    path = tmp_path / "tasks.json"
    write_task_file(path, [{"id": str(parent.pk), "title": "Parent", "list": "Home"}], "json")

    run("import_tasks", "--user", owner.email, str(path))

    subtask.refresh_from_db()
    assert (subtask.list.name, subtask.parent_id, subtask.version) == ("Home", parent.pk, 2)
    assert services.tasks_recount() == (0, 0, 0)


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_rows_without_a_position_go_last_among_their_siblings(tmp_path, owner, file_format):
    parent = TaskFactory(user=owner, title="Parent", position=STEP)
    TaskFactory(user=owner, title="Subtask", parent=parent, position=4 * STEP)
    stays = TaskFactory(user=owner, title="Stays", position=5 * STEP)
    path = tmp_path / f"tasks.{file_format}"
    rows = [
        {"title": "New 1"},
        {"id": str(stays.pk), "title": "Stays, renamed"},
        {"title": "Placed", "position": 9 * STEP},
        {"title": "New subtask", "parent": str(parent.pk)},
        {"title": "New 2"},
    ]
    write_task_file(path, rows, file_format)

    run("import_tasks", "--user", owner.email, str(path))

    assert dict(owner.tasks.values_list("title", "position")) == {
        "Parent": STEP,
        "Subtask": 4 * STEP,
        "Stays, renamed": 5 * STEP,
        "Placed": 9 * STEP,
        "New 1": 10 * STEP,
        "New 2": 11 * STEP,
        "New subtask": 5 * STEP,
    }


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_tags_named_in_any_case_are_one_tag_spelt_as_first_written(tmp_path, owner, file_format):
    tag(TaskFactory(user=owner), "Home")
    path = tmp_path / f"tasks.{file_format}"
    rows = [
        {"title": "A", "tags": ["urgent", "HOME"]},
        {"title": "B", "tags": ["Urgent", "URGENT", "errands"]},
    ]
    write_task_file(path, rows, file_format)

    run("import_tasks", "--user", owner.email, str(path))

    assert sorted(owner.tags.values_list("name", "task_count")) == [
        ("Home", 2),
        ("errands", 1),
        ("urgent", 2),
    ]
    assert Task.objects.get(title="B").tag_names == ["errands", "urgent"]


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_an_overwritten_task_has_exactly_its_rows_tags(tmp_path, owner, file_format):
    retagged, cleared = TaskFactory(user=owner), TaskFactory(user=owner)
    tag(retagged, "old", "both")
    tag(cleared, "old")
    path = tmp_path / f"tasks.{file_format}"
    rows = [
        {"id": str(retagged.pk), "title": "Retagged", "tags": ["Both", "new"]},
        {"id": str(cleared.pk), "title": "No tags given"},
    ]
    write_task_file(path, rows, file_format)

    run("import_tasks", "--user", owner.email, str(path))

    assert Task.objects.get(pk=retagged.pk).tag_names == ["both", "new"]
    assert Task.objects.get(pk=cleared.pk).tag_names == []
    assert dict(owner.tags.values_list("name", "task_count")) == {"old": 0, "both": 1, "new": 1}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def fired(title: str) -> list[tuple]:
    """When each reminder of the task with this title fires, and whether it will."""
    reminders = Reminder.objects.filter(task__title=title).order_by("position")
    return [(reminder.fire_at, reminder.pending) for reminder in reminders]


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_imported_reminders_fire_as_if_set_through_the_api(tmp_path, owner, file_format):
    owner.time_zone = "Europe/Paris"
    owner.save(update_fields=["time_zone"])
    now = timezone.now().replace(microsecond=0)
    due = now + timedelta(days=2)
    day = (now + timedelta(days=10)).date()
    path = tmp_path / f"tasks.{file_format}"
    rows = [
        {
            "title": "Call the bank",
            "due_date": iso(due),
            "reminders": [
                {"before_due_minutes": 30},
                {"at": iso(now + timedelta(hours=1))},
                {"at": iso(now - timedelta(hours=1))},
            ],
        },
        {"title": "Birthday", "due_on": day.isoformat(), "reminders": [{"before_due_minutes": 0}]},
        {"title": "Done", "completed": True, "due_date": iso(due), "reminders": [{"at": iso(due)}]},
    ]
    write_task_file(path, rows, file_format)

    run("import_tasks", "--user", owner.email, str(path))

    assert fired("Call the bank") == [
        (due - timedelta(minutes=30), True),
        (now + timedelta(hours=1), True),
        (now - timedelta(hours=1), False),  # its time is past: it never fires
    ]
    nine_in_paris = datetime.combine(day, time(9), tzinfo=ZoneInfo("Europe/Paris"))
    assert fired("Birthday") == [(nine_in_paris, True)]
    assert fired("Done") == [(due, False)]  # a completed task is not reminded


@pytest.mark.django_db
def test_a_task_imported_completed_moves_on_with_its_reminders(tmp_path, owner):
    # As when completed through the API: those before the due follow the next
    # occurrence's, those at an instant gone by are dropped.
    now = timezone.now().replace(microsecond=0)
    due = now - timedelta(days=2)
    path = tmp_path / "tasks.json"
    row = {
        "title": "Water the plants",
        "due_date": iso(due),
        "recurrence": "FREQ=WEEKLY",
        "completed": True,
        "reminders": [{"at": iso(now - timedelta(days=3))}, {"before_due_minutes": 30}],
    }
    write_task_file(path, [row], "json")

    run("import_tasks", "--user", owner.email, str(path))

    task = Task.objects.get()
    assert (task.due_date, task.completed) == (due + timedelta(days=7), False)
    assert fired("Water the plants") == [(task.due_date - timedelta(minutes=30), True)]


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_an_overwritten_task_has_exactly_its_rows_reminders(tmp_path, owner, file_format):
    due = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    changed, cleared = TaskFactory(user=owner, due_date=due), TaskFactory(user=owner, due_date=due)
    remind(changed, Spec(before_due_minutes=10), Spec(before_due_minutes=60))
    remind(cleared, Spec(before_due_minutes=10))
    kept_id = changed.reminders.get(before_due_minutes=60).pk
    path = tmp_path / f"tasks.{file_format}"
    rows = [
        {
            "id": str(changed.pk),
            "title": "Changed",
            "due_date": iso(due + timedelta(hours=1)),
            "reminders": [{"before_due_minutes": 60}, {"before_due_minutes": 5}],
        },
        {"id": str(cleared.pk), "title": "No reminders given", "due_date": iso(due)},
    ]
    write_task_file(path, rows, file_format)

    run("import_tasks", "--user", owner.email, str(path))

    assert fired("Changed") == [(due, True), (due + timedelta(minutes=55), True)]
    # A reminder the row keeps stays the same reminder (what was delivered of it stays known).
    assert changed.reminders.get(before_due_minutes=60).pk == kept_id
    assert fired("No reminders given") == []


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_a_reminder_before_the_due_of_a_row_without_one_is_restored_waiting(
    tmp_path, owner, file_format
):
    """As the API keeps it when a due is removed: waiting for a due, not fired."""
    path = tmp_path / f"tasks.{file_format}"
    rows = [{"title": "Someday", "reminders": [{"before_due_minutes": 5}]}]
    write_task_file(path, rows, file_format)

    run("import_tasks", "--user", owner.email, str(path))

    reminder = Reminder.objects.get()
    assert (reminder.before_due_minutes, reminder.fire_at, reminder.pending) == (5, None, False)
    out, _ = run("export_tasks", "--user", owner.email, "--format", "json")
    [exported] = json.loads(out)
    assert exported["reminders"] == [{"at": None, "before_due_minutes": 5}]


def import_queries(user, rows: list[dict]) -> int:
    with CaptureQueriesContext(connection) as queries:
        transfer.tasks_import(user=user, rows=rows)
    return len(queries)


@pytest.mark.django_db
def test_rows_without_reminders_cost_an_import_no_query(owner):
    new_one = import_queries(owner, [{"title": "one"}])
    new_many = import_queries(owner, [{"title": f"task {n}"} for n in range(40)])
    tasks = list(owner.tasks.all())
    remind(tasks[0], Spec(at=datetime(2031, 1, 1, tzinfo=UTC)))
    plain = tasks[1:]
    overwriting_one = import_queries(owner, [{"id": str(plain[0].pk), "title": "again"}])
    overwriting_many = import_queries(owner, [{"id": str(t.pk), "title": "again"} for t in plain])

    assert new_many == new_one
    assert overwriting_many == overwriting_one


BAD_PARENTS = {
    "unknown": (
        lambda tasks, other: [{"title": "A"}, {"title": "B", "parent": str(uuid.uuid4())}],
        "row 2: parent: Neither this file nor your tasks have a task with this id.",
    ),
    "someone else's": (
        lambda tasks, other: [{"title": "A", "parent": str(other.pk)}],
        "row 1: parent: Neither this file nor your tasks have a task with this id.",
    ),
    "a subtask of the file": (
        lambda tasks, other: [
            {"id": "00000000-0000-4000-8000-00000000000a", "title": "A"},
            {
                "id": "00000000-0000-4000-8000-00000000000b",
                "title": "B",
                "parent": "00000000-0000-4000-8000-00000000000a",
            },
            {"title": "C", "parent": "00000000-0000-4000-8000-00000000000b"},
        ],
        "row 3: parent: This task is a subtask: a subtask cannot have subtasks.",
    ),
    "a stored subtask": (
        lambda tasks, other: [{"title": "A", "parent": str(tasks["venue"].pk)}],
        "row 1: parent: This task is a subtask: a subtask cannot have subtasks.",
    ),
    "itself": (
        lambda tasks, other: [
            {"id": str(tasks["loose"].pk), "title": "A", "parent": str(tasks["loose"].pk)}
        ],
        "row 1: parent: A task cannot be its own parent.",
    ),
    "with subtasks": (
        lambda tasks, other: [
            {"id": str(tasks["parent"].pk), "title": "A", "parent": str(tasks["loose"].pk)}
        ],
        "row 1: parent: This task has subtasks: it cannot become one.",
    ),
}


@pytest.mark.parametrize("file_format", ["json", "csv"])
@pytest.mark.parametrize("case", BAD_PARENTS)
def test_a_parent_that_cannot_be_imports_nothing(
    tmp_path, owner, organized_tasks, someone_elses_task, file_format, case
):
    rows_of, message = BAD_PARENTS[case]
    path = tmp_path / f"tasks.{file_format}"
    write_task_file(path, rows_of(organized_tasks, someone_elses_task), file_format)
    before, tags_before = task_table(), tag_table()

    with pytest.raises(CommandError) as raised:
        run("import_tasks", "--user", owner.email, str(path))

    assert str(raised.value) == f"Nothing imported: {message}"
    assert task_table() == before
    assert tag_table() == tags_before


# --- purge_completed ---------------------------------------------------------


@pytest.fixture
def tasks_by_age(db) -> dict[str, Task]:
    """Completed tasks of several ages and pending ones created long ago, for two users."""
    now = timezone.now()
    ages = {"done 40 days ago": 40, "done 31 days ago": 31, "done 29 days ago": 29, "done now": 0}
    tasks = {}
    for user in UserFactory.create_batch(2):
        for title, days in ages.items():
            task = TaskFactory(user=user, title=title, completed=True)
            Task.objects.filter(pk=task.pk).update(completed_at=now - timedelta(days=days))
            tasks[f"{user.email}: {title}"] = task
        pending = TaskFactory(user=user, title="pending, created long ago")
        Task.objects.filter(pk=pending.pk).update(created_at=now - timedelta(days=400))
        tasks[f"{user.email}: pending"] = pending
    return tasks


def remaining_titles() -> list[str]:
    return sorted(Task.objects.values_list("title", flat=True))


def test_purge_deletes_only_tasks_completed_before_the_cutoff(tasks_by_age):
    out, _ = run("purge_completed", "--older-than", "30")

    assert out.strip() == "Deleted 4 completed task(s) older than 30 day(s)."
    assert remaining_titles() == sorted(
        ["done 29 days ago", "done now", "pending, created long ago"] * 2
    )


def test_purge_dry_run_counts_and_deletes_nothing(tasks_by_age):
    before = task_table()

    out, _ = run("purge_completed", "--older-than", "30", "--dry-run")

    assert out.strip() == "Would delete 4 completed task(s) older than 30 day(s)."
    assert task_table() == before


def test_purge_with_zero_days_deletes_every_completed_task_and_no_pending_one(tasks_by_age):
    out, _ = run("purge_completed", "--older-than", "0")

    assert out.startswith("Deleted 8 ")
    assert remaining_titles() == ["pending, created long ago"] * 2


def test_purge_with_more_days_than_the_calendar_holds_deletes_nothing(tasks_by_age):
    before = task_table()

    out, _ = run("purge_completed", "--older-than", "1000000000")

    assert out.startswith("Deleted 0 ")
    assert task_table() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--older-than", "-1"], "--older-than must be 0 or more days"),
        (["--older-than", "thirty"], "invalid int value"),
        ([], "--older-than"),
    ],
)
def test_purge_refuses_bad_days_and_deletes_nothing(tasks_by_age, args, message):
    before = task_table()

    with pytest.raises(CommandError, match=message):
        run("purge_completed", *args)

    assert task_table() == before


# --- recount_tasks -----------------------------------------------------------


def list_and_tag_counts() -> list[tuple]:
    return sorted(TaskList.objects.values_list("name", "task_count", "completed_count")) + sorted(
        Tag.objects.values_list("name", "task_count")
    )


def test_recount_repairs_the_counts_of_lists_and_tags(owner, organized_tasks):
    right = list_and_tag_counts()
    TaskList.objects.update(task_count=0)
    TaskList.objects.filter(is_inbox=True).update(completed_count=7)
    Tag.objects.filter(name="Ärger").update(task_count=9)

    out, _ = run("recount_tasks")

    assert out.strip() == (
        "Recounted tasks: 0 user(s) had wrong counts, as did 2 list(s) and 1 tag(s); "
        "all now put right."
    )
    assert list_and_tag_counts() == right
    assert "as did 0 list(s) and 0 tag(s)" in run("recount_tasks")[0]


# --- As run from a terminal --------------------------------------------------

COMMANDS = {
    "seed_demo": ["--users", "--tasks", "--force"],
    "export_tasks": ["--user", "--format", "--output"],
    "import_tasks": ["--user", "FILE", "--format"],
    "purge_completed": ["--older-than", "--dry-run"],
}


@pytest.mark.parametrize(("command", "options"), COMMANDS.items())
def test_help_describes_the_options(command, options):
    parser = load_command_class("tasks", command).create_parser("manage.py", command)

    text = parser.format_help()

    assert text.startswith(f"usage: manage.py {command}")
    for option in options:
        assert option in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["seed_demo", "--force", "--users", "0"], "--users must be at least 1."),
        (["seed_demo", "--force", "--tasks", "-1"], "--tasks must be 0 or more."),
        (["purge_completed", "--older-than", "-1"], "--older-than must be 0 or more days."),
        (
            ["export_tasks", "--user", "nobody@example.org"],
            "No user with email 'nobody@example.org'.",
        ),
        (
            ["import_tasks", "--user", "nobody@example.org", "tasks.json"],
            "No user with email 'nobody@example.org'.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_one_line_reason(args, reason):
    with pytest.raises(CommandError) as refused:
        run(*args)

    assert str(refused.value) == reason


def test_an_unparsable_option_is_refused_naming_the_option():
    with pytest.raises(CommandError) as refused:
        run("purge_completed", "--older-than", "thirty")

    assert str(refused.value) == "Error: argument --older-than: invalid int value: 'thirty'"


# What a terminal sees: exit statuses and the one line on stderr come from a
# real process (Django prints a CommandError and exits 1; argparse exits 2).
# Both refusals happen before any database is opened.


def manage(tmp_path, *args: str) -> subprocess.CompletedProcess:
    database_url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database_url, "ENV_FILE": os.devnull}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_input_exits_1_with_a_one_line_reason(tmp_path):
    result = manage(tmp_path, "seed_demo", "--force", "--users", "0")

    assert result.returncode == 1
    assert result.stderr.splitlines() == ["CommandError: --users must be at least 1."]
    assert result.stdout == ""


def test_unparsable_option_exits_2_naming_the_option(tmp_path):
    result = manage(tmp_path, "purge_completed", "--older-than", "thirty")

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "manage.py purge_completed: error: argument --older-than: invalid int value: 'thirty'"
    )


# What the API stores (text is trimmed): formulas, apostrophes, and a carriage
# return inside a cell.
FORMULAS = [
    '=HYPERLINK("http://evil.test")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "'quoted",
    "''twice",
    "a\rb",
]


@pytest.mark.django_db
def test_csv_cells_a_spreadsheet_would_run_are_escaped_and_restored(tmp_path, owner):
    for text in FORMULAS:
        TaskFactory(user=owner, title=text, description=text)
    before = task_table()
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"

    run("export_tasks", "--user", owner.email, "--format", "csv", "--output", str(first))
    cells = [cell for row in csv.reader(first.open(newline="")) for cell in row]
    Task.objects.filter(user=owner).delete()
    run("import_tasks", "--user", owner.email, str(first))
    run("export_tasks", "--user", owner.email, "--format", "csv", "--output", str(second))

    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert task_table() == before
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("text", ["\tx", "\rx", "=x", "'x"])
def test_a_cell_starting_with_a_tab_or_cr_is_escaped_like_a_formula(text):
    assert transfer._csv_cell(text) == "'" + text
    assert transfer._from_csv_cell(transfer._csv_cell(text)) == text


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_a_round_trip_restores_all_day_tasks_and_their_due_moment(tmp_path, owner, file_format):
    owner.time_zone = "Asia/Tokyo"
    owner.save(update_fields=["time_zone"])
    all_day = TaskFactory(user=owner, title="all day", due_on=date(2026, 12, 24))
    instant = TaskFactory(
        user=owner, title="at an instant", due_date=datetime(2026, 12, 24, 3, tzinfo=UTC)
    )
    remind(all_day, Spec(before_due_minutes=60))
    remind(instant, Spec(before_due_minutes=15), Spec(at=datetime(2026, 12, 20, tzinfo=UTC)))
    before, reminders_before = task_table(), reminder_table()
    path = tmp_path / f"tasks.{file_format}"

    run("export_tasks", "--user", owner.email, "--format", file_format, "--output", str(path))
    Task.objects.filter(user=owner).delete()
    run("import_tasks", "--user", owner.email, str(path))

    assert task_table() == before
    assert reminder_table() == reminders_before
    all_day = Task.objects.get(title="all day")
    assert (all_day.due_on, all_day.due_date) == (date(2026, 12, 24), None)
    # The end of the 24th in Tokyo (UTC+9).
    assert all_day.due_at == datetime(2026, 12, 24, 14, 59, 59, 999999, tzinfo=UTC)
    # An hour before 09:00 of the 24th in Tokyo.
    assert all_day.reminders.get().fire_at == datetime(2026, 12, 23, 23, tzinfo=UTC)


@pytest.mark.django_db
def test_seed_demo_makes_some_recurring_tasks_that_move_on_when_completed():
    run("seed_demo", "--tasks", "30", "--force")
    recurring = Task.objects.filter(recurrence__isnull=False)

    assert recurring.exists()
    assert all(task.due_date and not task.completed for task in recurring)
    task = recurring.first()
    client = client_for(task.user)
    before = task.due_date
    response = client.patch(reverse("task-complete", args=[task.pk]), {"completed": True})

    assert response.status_code == 200, response.content
    assert response.json()["completed"] is False
    task.refresh_from_db()
    assert task.due_date > before


@pytest.mark.django_db
def test_seed_demo_reminds_its_recurring_tasks_and_the_reminders_follow_them():
    run("seed_demo", "--tasks", "30", "--force")
    now = timezone.now()
    reminders = list(Reminder.objects.select_related("task"))

    assert {reminder.task for reminder in reminders} == set(
        Task.objects.filter(recurrence__isnull=False)
    )
    assert {reminder.at is None for reminder in reminders} == {True, False}  # both kinds
    for reminder in reminders:
        expected = reminder.at or reminder.task.due_date - timedelta(minutes=30)
        assert reminder.fire_at == expected
        assert reminder.pending == (expected > now)
    # Completing one moves it to its next due, and its reminder with it.
    reminder = next(r for r in reminders if r.at is None and r.task.due_date > now)
    client = client_for(reminder.task.user)
    response = client.patch(reverse("task-complete", args=[reminder.task.pk]), {"completed": True})

    assert response.status_code == 200, response.content
    reminder.refresh_from_db()
    reminder.task.refresh_from_db()
    assert reminder.fire_at == reminder.task.due_date - timedelta(minutes=30)
    assert reminder.pending


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_a_round_trip_keeps_where_a_recurring_series_started(tmp_path, owner, file_format):
    """COUNT counts from the series' start: a task imported after two of its three
    occurrences were done has one left, not three."""
    client = client_for(owner)
    response = client.post(
        reverse("task-list"),
        {"title": "Course", "due_on": "2030-01-07", "recurrence": "FREQ=WEEKLY;COUNT=3"},
    )
    task = response.json()

    def complete() -> dict:
        # With If-Match: each completes the occurrence the client saw, one after the other.
        etag = client.get(reverse("task-detail", args=[task["id"]]))["ETag"]
        url = reverse("task-complete", args=[task["id"]])
        return client.patch(url, {"completed": True}, headers={"If-Match": etag}).json()

    complete()
    complete()

    def stored() -> list[dict]:
        # A task made again by the import starts again at version 1.
        return [{k: v for k, v in row.items() if k != "version"} for row in task_table()]

    before = stored()
    path = tmp_path / f"tasks.{file_format}"

    run("export_tasks", "--user", owner.email, "--format", file_format, "--output", str(path))
    Task.objects.filter(user=owner).delete()
    run("import_tasks", "--user", owner.email, str(path))

    assert stored() == before
    restored = Task.objects.get()
    assert (restored.due_on, restored.recurrence_start_on) == (date(2030, 1, 21), date(2030, 1, 7))
    assert complete()["completed"] is True  # the third and last occurrence


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2030-01-07", transfer.SERIES_START_KIND),
        ("2030-01-14T09:00:00Z", transfer.SERIES_START_AFTER_DUE),
        ("next week", "A date-time, or a date (YYYY-MM-DD)."),
    ],
)
def test_a_series_start_that_cannot_be_the_rows_imports_nothing(tmp_path, owner, start, message):
    path = tmp_path / "tasks.json"
    row = {
        "title": "Weekly",
        "due_date": "2030-01-07T09:00:00Z",
        "recurrence": "FREQ=WEEKLY",
        "recurrence_start": start,
    }
    path.write_text(json.dumps([row]))

    with pytest.raises(CommandError) as raised:
        run("import_tasks", "--user", owner.email, str(path))

    assert str(raised.value).endswith(f"row 1: recurrence_start: {message}")
    assert not Task.objects.exists()
