"""CompiledPages reads the very rows the ORM's queryset would, shape by shape, on every database."""

from datetime import UTC, datetime, timedelta

import pytest

from conftest import TaskFactory
from tasks.filters import SORT_CHOICES, STATUS_CHOICES
from tasks.listing import TASK_PAGES, shaped_task_list
from tasks.models import Task
from todo_project.compiled_pages import CompiledPages

pytestmark = pytest.mark.django_db

SHAPES = [
    (status, sort)
    for status in ["", *(value for value, _ in STATUS_CHOICES)]
    for sort in ["", *(value for value, _ in SORT_CHOICES)]
]


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


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: f"{shape[0] or '-'}|{shape[1] or '-'}")
def test_every_page_of_every_shape_is_the_querysets(user, varied_tasks, shape):
    expected = list(shaped_task_list(shape, user.pk))
    assert len(expected) > 1

    for offset, end in [(0, 100), (0, 5), (5, 10), (20, 30), (40, 50)]:
        assert TASK_PAGES.for_owner(shape, user.pk)[offset:end] == expected[offset:end]


def test_rows_are_converted_as_values_converts_them(user, varied_tasks):
    row = TASK_PAGES.for_owner(("completed", "due_date"), user.pk)[0:1][0]
    assert isinstance(row["completed"], bool)
    assert row["completed_at"].tzinfo is not None
    assert row["id"] == Task.objects.get(pk=row["id"]).pk


def test_another_owner_gets_only_their_rows(user, other_user, varied_tasks):
    rows = TASK_PAGES.for_owner(("", ""), other_user.pk)[0:100]
    assert len(rows) == 5
    assert {row["user_id"] for row in rows} == {other_user.pk}


def test_one_query_per_page(user, varied_tasks, django_assert_num_queries):
    TASK_PAGES.for_owner(("pending", "-title"), user.pk)[0:10]  # compiled on first use
    with django_assert_num_queries(1):
        TASK_PAGES.for_owner(("pending", "-title"), user.pk)[10:20]


def test_pages_are_read_as_plain_slices(user):
    pages = TASK_PAGES.for_owner(("", ""), user.pk)
    for bad in [slice(0, 10, 2), slice(5, None)]:
        with pytest.raises(TypeError):
            pages[bad]
    with pytest.raises(TypeError):
        pages[3]


@pytest.mark.parametrize(
    "build",
    [
        lambda shape, owner: Task.objects.values("id"),
        lambda shape, owner: Task.objects.filter(user_id=owner).values("id")[:5],
    ],
    ids=["no owner filter", "sliced"],
)
def test_a_queryset_it_cannot_page_is_refused(user, build):
    pages = CompiledPages(Task._meta.get_field("user"), build)
    with pytest.raises(ValueError):
        pages.page("shape", user.pk, offset=0, limit=10)
