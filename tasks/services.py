"""Task actions used by the management commands: purge and recount.

Export and import are in tasks.transfer.
"""

from datetime import timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from tasks.models import Tag, Task, TaskCounts, TaskList, TaskTag

BATCH_SIZE = 500  # rows per statement of a bulk write


def tasks_purge_completed(*, older_than_days: int, dry_run: bool = False) -> int:
    try:
        cutoff = timezone.now() - timedelta(days=older_than_days)
    except OverflowError:
        return 0  # a cutoff before year 1: nothing was completed that long ago
    old = Task.objects.filter(completed=True, completed_at__lt=cutoff)
    if dry_run:
        return old.count()
    # Tasks deleted (their subtasks too), not the rows that went with them
    # (tag links, reminders, completions): the command reports tasks.
    _, deleted = old.delete()
    return deleted.get(Task._meta.label, 0)


class WrongCounts(NamedTuple):
    """How many users, lists and tags had wrong counts (see tasks_recount)."""

    users: int
    lists: int
    tags: int


def tasks_recount() -> WrongCounts:
    """Put right every user's TaskCounts, every list's task counts and every tag's
    from the tasks themselves; how many of each were wrong.

    The triggers keep the counts exact; this repairs them after writes that
    bypassed the triggers (a restore with triggers disabled, say). Task and
    tag writes wait while it runs; reads go on.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute('LOCK TABLE "tasks_task", "tasks_tasktag" IN SHARE MODE')
        # SQLite: the transaction already holds the database's write lock.
        return WrongCounts(users=_recount_users(), lists=_recount_lists(), tags=_recount_tags())


def _recount_users() -> int:
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


def _recount_lists() -> int:
    actual = {
        row["list_id"]: (row["total"], row["completed"])
        for row in Task.objects.values("list_id").annotate(
            total=Count("id"), completed=Count("id", filter=Q(completed=True))
        )
    }
    wrong = []
    for pk, *kept in TaskList.objects.values_list("pk", "task_count", "completed_count"):
        total, completed = actual.get(pk, (0, 0))
        if [total, completed] != kept:
            wrong.append(TaskList(pk=pk, task_count=total, completed_count=completed))
    TaskList.objects.bulk_update(wrong, ["task_count", "completed_count"], batch_size=BATCH_SIZE)
    return len(wrong)


def _recount_tags() -> int:
    actual = dict(
        TaskTag.objects.values("tag_id").annotate(total=Count("id")).values_list("tag_id", "total")
    )
    wrong = [
        Tag(pk=pk, task_count=actual.get(pk, 0))
        for pk, kept in Tag.objects.values_list("pk", "task_count")
        if actual.get(pk, 0) != kept
    ]
    Tag.objects.bulk_update(wrong, ["task_count"], batch_size=BATCH_SIZE)
    return len(wrong)
