"""The store's plain SQL reads and writes exactly what the equivalent queryset would.

Run on SQLite and on PostgreSQL (`make test` with DATABASE_URL): each
statement is compared with the ORM's answer on the same data.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.http import Http404, QueryDict

from api.conditional import PreconditionFailed
from tasks import reminders, store, tags
from tasks.filters import SORT_CHOICES, STATUS_CHOICES, TaskFilter, completion_filters
from tasks.models import Task, completion_changes
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 6, 7, 8, 9, 101112, UTC)
EARLIER = datetime(2026, 1, 2, 3, 4, 5, 6, UTC)
SHAPES = list(store.TASK_PAGES)


def field_values(task) -> dict:
    return {field.attname: getattr(task, field.attname) for field in Task._meta.concrete_fields}


def stored(task) -> dict:
    row = Task.objects.filter(pk=task.pk).values().get()
    del row["id"]
    return row


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(store.timezone, "now", lambda: NOW)


@pytest.fixture
def varied_tasks(user, other_user):
    """Tasks with ties and gaps in every sort key, and another owner's in between."""
    start = datetime(2026, 3, 1, 9, 30, 15, 123456, UTC)
    tasks = [
        TaskFactory.build(
            user=user,
            title=["b", "A", "a", "C"][n % 4] + f" task {n % 5}",
            description=None if n % 3 else "text",
            completed=n % 2 == 0,
            completed_at=start + timedelta(hours=n) if n % 2 == 0 else None,
            priority=[None, "low", "medium", "high"][n % 4],
            due_date=None if n % 5 == 0 else start + timedelta(days=n % 7),
            created_at=start + timedelta(minutes=n // 2),  # pairs share a creation time
            updated_at=start + timedelta(minutes=n),
        )
        for n in range(23)
    ]
    Task.objects.bulk_create(tasks)
    Task.objects.bulk_create(TaskFactory.build_batch(5, user=other_user))
    # Tags on some, subtasks (some completed) under others.
    for n, task in enumerate(tasks[:6]):
        tags.set_task_tags(owner_id=user.pk, task_id=task.pk, names=["b", "A", "c"][: n % 4])
    for n, task in enumerate(tasks[10:16]):
        task.parent = tasks[n % 2]
        task.save()


# --- Reads --------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {
            "description": "text",
            "priority": "high",
            "completed": True,
            "due_date": datetime(2027, 1, 2, 3, 4, 5, 6, UTC),
        },
    ],
    ids=["bare", "every field"],
)
def test_a_task_is_read_as_get_reads_it(user, fields):
    task = TaskFactory(user=user, **fields)

    found = store.task_get(owner_id=user.pk, task_id=task.pk)

    assert field_values(found) == field_values(Task.objects.get(pk=task.pk))
    assert found.get_deferred_fields() == set()
    assert found.created_at.tzinfo is not None
    assert isinstance(found.completed, bool)
    assert found._state.adding is False


def test_another_owners_task_and_an_unknown_id_are_none(user, other_user):
    task = TaskFactory(user=other_user)
    assert store.task_get(owner_id=user.pk, task_id=task.pk) is None
    assert store.task_get(owner_id=other_user.pk, task_id=uuid.uuid4()) is None


def test_the_statement_names_every_column_of_a_task():
    assert store.TASK_FIELD_NAMES == [field.attname for field in Task._meta.concrete_fields]


def queryset_rows(user, status: str, sort: str) -> list[dict]:
    """The page's rows as the ORM computes them: tags and subtask counts included."""
    params = {name: value for name, value in (("status", status), ("sort", sort)) if value}
    tasks = TaskFilter(params, queryset=Task.objects.filter(user=user)).qs
    rows = []
    columns = [name for name in store.LISTED_FIELD_NAMES if name not in store.SHOWN_SQL]
    for row in tasks.values(*columns):
        task = Task.objects.get(pk=row["id"])
        shown = [
            task.tag_names,
            task.subtask_count,
            task.completed_subtask_count,
            reminders.shown(task.reminder_rows),
        ]
        rows.append({**row, **dict(zip(store.SHOWN_SQL, shown, strict=True))})
    return rows


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: f"{shape[0] or '-'}|{shape[1] or '-'}")
def test_every_page_of_every_shape_is_the_querysets(user, varied_tasks, shape):
    status, sort = shape
    expected = queryset_rows(user, status, sort)
    assert len(expected) > 1
    query = QueryDict(mutable=True)
    query.update({"status": status, "sort": sort})

    for offset, limit in [(0, 100), (0, 5), (5, 5), (20, 10), (40, 10)]:
        rows, total = store.task_page(
            owner_id=user.pk, time_zone="UTC", query=query, offset=offset, limit=limit
        )
        assert rows == expected[offset : offset + limit]
        assert total == len(expected)


def test_page_rows_have_the_querysets_types(user, varied_tasks):
    query = QueryDict("status=completed&sort=due_date")
    [row], _ = store.task_page(owner_id=user.pk, time_zone="UTC", query=query, offset=0, limit=1)
    [expected] = queryset_rows(user, "completed", "due_date")[:1]
    assert {name: type(value) for name, value in row.items()} == {
        name: type(value) for name, value in expected.items()
    }
    assert row["completed_at"].tzinfo is not None


def test_another_owner_gets_only_their_rows(other_user, varied_tasks):
    rows, total = store.task_page(
        owner_id=other_user.pk, time_zone="UTC", query=QueryDict(), offset=0, limit=100
    )
    assert total == len(rows) == 5
    assert {row["user_id"] for row in rows} == {other_user.pk}


def test_counts_are_the_querysets(user, varied_tasks):
    owned = Task.objects.filter(user=user)
    assert store.task_count(owner_id=user.pk) == owned.count()
    assert (
        store.task_count(owner_id=user.pk, status="pending")
        == owned.filter(completed=False).count()
    )
    assert (
        store.task_count(owner_id=user.pk, status="completed")
        == owned.filter(completed=True).count()
    )


STATUS_CANDIDATES = ["", *(value for value, _ in STATUS_CHOICES), "Pending", " all", "null"]
SORT_CANDIDATES = ["", *(value for value, _ in SORT_CHOICES), "id", "-", "Title", "due-date"]


@pytest.mark.parametrize("status", STATUS_CANDIDATES)
@pytest.mark.parametrize("sort", SORT_CANDIDATES)
def test_the_fixed_statements_serve_exactly_the_lists_the_filters_accept(status, sort):
    query = QueryDict(mutable=True)
    query.update({"status": status, "sort": sort})
    accepted = TaskFilter(query, queryset=Task.objects.none()).is_valid()
    assert (completion_filters(query) is not None) == accepted


@pytest.mark.parametrize(
    "query",
    ["status=pending&status=completed", "sort=title&sort=-title", "search=x", "priority=low"],
)
def test_lists_with_other_filters_or_repeated_ones_go_through_the_filters(query):
    assert completion_filters(QueryDict(query)) is None


# --- Writes -------------------------------------------------------------------


@pytest.mark.parametrize("completed", [None, True, False], ids=["toggle", "set", "clear"])
@pytest.mark.parametrize("was_completed", [False, True], ids=["pending", "completed"])
def test_the_completion_statements_write_what_the_queryset_writes(
    user, frozen_now, completed, was_completed
):
    fields = {"completed": was_completed, "completed_at": EARLIER if was_completed else None}
    by_orm, by_sql = TaskFactory.create_batch(2, user=user, title="same", **fields)
    Task.objects.filter(pk__in=[by_orm.pk, by_sql.pk]).update(created_at=EARLIER)

    Task.objects.filter(pk=by_orm.pk).update(**completion_changes(completed, NOW))
    task = store.task_set_completed(
        owner_id=user.pk, time_zone="UTC", task_id=by_sql.pk, completed=completed, if_match=None
    )

    assert stored(by_sql) == stored(by_orm)
    assert stored(by_sql)["updated_at"] == NOW
    assert stored(by_sql)["version"] == 2
    assert field_values(task) == field_values(Task.objects.get(pk=by_sql.pk))


@pytest.mark.parametrize("completed", [None, True])
def test_a_conditional_completion_writes_only_at_a_version_named(user, frozen_now, completed):
    by_orm, by_sql = TaskFactory.create_batch(2, user=user, title="same")
    Task.objects.filter(pk__in=[by_orm.pk, by_sql.pk]).update(created_at=EARLIER, version=3)

    with pytest.raises(PreconditionFailed):
        store.task_set_completed(
            owner_id=user.pk,
            time_zone="UTC",
            task_id=by_sql.pk,
            completed=completed,
            if_match=['"1"', '"2"'],
        )
    unchanged = stored(by_sql)
    Task.objects.filter(pk=by_orm.pk, version__in=[2, 3]).update(
        **completion_changes(completed, NOW)
    )
    store.task_set_completed(
        owner_id=user.pk,
        time_zone="UTC",
        task_id=by_sql.pk,
        completed=completed,
        if_match=['"2"', '"3"'],
    )

    assert unchanged["version"] == 3
    assert stored(by_sql) == stored(by_orm)


def test_another_owners_task_is_not_completed(user, other_user):
    task = TaskFactory(user=other_user)
    before = stored(task)

    for completed in (None, True, False):
        with pytest.raises(Http404):
            store.task_set_completed(
                owner_id=user.pk,
                time_zone="UTC",
                task_id=task.pk,
                completed=completed,
                if_match=None,
            )
    assert stored(task) == before


WRITES = [
    {
        "title": "Renamed",
        "description": "new text",
        "completed": True,
        "priority": "high",
        "due_date": NOW,
    },
    {"title": "Renamed", "description": None, "completed": False, "priority": None},
]


@pytest.mark.parametrize("changes", WRITES, ids=["every field set", "optional fields null"])
def test_the_versioned_write_writes_what_the_queryset_writes(user, frozen_now, changes):
    by_orm, by_sql = TaskFactory.create_batch(
        2, user=user, title="same", description="old", due_date=EARLIER
    )
    Task.objects.filter(pk__in=[by_orm.pk, by_sql.pk]).update(created_at=EARLIER)
    completed_at = NOW if changes["completed"] else None

    # due_at is what the due fields give (tasks.dates.due_moment), which a
    # queryset's update leaves to its caller.
    due_at = changes.get("due_date", EARLIER)
    Task.objects.filter(pk=by_orm.pk, version=1).update(
        **changes, due_at=due_at, completed_at=completed_at, updated_at=NOW, version=2
    )
    task = store.task_get(owner_id=user.pk, task_id=by_sql.pk)
    store.task_update(
        owner_id=user.pk, time_zone="UTC", task=task, changes=changes, if_match=['"1"']
    )

    assert stored(by_sql) == stored(by_orm)
    assert field_values(task) == field_values(Task.objects.get(pk=by_sql.pk))


def test_a_write_over_a_newer_version_is_refused_with_if_match_and_replayed_without(user):
    task = TaskFactory(user=user, title="first", description="kept")
    stale = store.task_get(owner_id=user.pk, task_id=task.pk)
    Task.objects.filter(pk=task.pk).update(description="changed meanwhile", version=2)

    with pytest.raises(PreconditionFailed):
        store.task_update(
            owner_id=user.pk, time_zone="UTC", task=stale, changes={"title": "x"}, if_match=['"1"']
        )
    assert stored(task)["title"] == "first"

    written = store.task_update(
        owner_id=user.pk, time_zone="UTC", task=stale, changes={"title": "second"}, if_match=None
    )
    assert (written.title, written.description, written.version) == (
        "second",
        "changed meanwhile",
        3,
    )


def test_another_owners_task_is_not_written(user, other_user):
    task = TaskFactory(user=other_user, title="theirs")
    before = stored(task)
    intruding = Task.objects.get(pk=task.pk)

    with pytest.raises(Http404):
        store.task_update(
            owner_id=user.pk, time_zone="UTC", task=intruding, changes={"title": "x"}, if_match=None
        )
    assert stored(task) == before


# --- Query counts -------------------------------------------------------------


def test_one_query_per_read_and_two_per_page(user, varied_tasks, django_assert_num_queries):
    task = Task.objects.filter(user=user).first()
    with django_assert_num_queries(1):
        store.task_get(owner_id=user.pk, task_id=task.pk)
    with django_assert_num_queries(2):
        store.task_page(
            owner_id=user.pk, time_zone="UTC", query=QueryDict("sort=title"), offset=5, limit=5
        )


def test_two_queries_per_completion(user, django_assert_num_queries):
    task = TaskFactory(user=user)
    with django_assert_num_queries(2):  # the UPDATE, then the task as it is now
        store.task_set_completed(
            owner_id=user.pk, time_zone="UTC", task_id=task.pk, completed=None, if_match=None
        )
