"""Reminders: when each fires, worked out again whenever its task changes.

A task has up to five reminders, each at an instant (`at`) or some minutes
before its due (`before_due_minutes`; for an all-day task, before
REMINDER_ALL_DAY_TIME of its day in the owner's time zone). Each row keeps
when it fires (`fire_at`) and whether it is still to be delivered there
(`pending`); tasks.delivery delivers the pending ones that are due.

`reschedule` is the one place that sets them: after a task is created, or
its due, completion or reminders change, or its due moves to the next
occurrence. Its rules:

- a reminder fires only for a pending task: completing the task cancels
  its reminders, reopening it arms again those still ahead;
- a reminder whose time is already past when it is set (or moved) does not
  fire; one that was pending keeps pending while its time stays the same,
  so a reminder that fell due while no worker ran is still delivered, late;
- when a recurring task moves to its next occurrence, reminders before the
  due follow the new due and reminders at an instant already past are dropped.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tasks.dates import iso_datetime
from tasks.models import Reminder, Task

logger = logging.getLogger(__name__)

# A task's reminders as one JSON array, read in the statement that reads the
# task (tasks.store), like its tags: [position, at, before_due_minutes,
# fire_at, pending] each, in no order (shown_reminders sorts).
_REMINDERS_OF_TASK = {
    "postgresql": (
        "(SELECT COALESCE(json_agg(json_build_array("
        '"tasks_reminder"."position", "tasks_reminder"."at", '
        '"tasks_reminder"."before_due_minutes", "tasks_reminder"."fire_at", '
        '"tasks_reminder"."pending")), \'[]\')::text '
        'FROM "tasks_reminder" WHERE "tasks_reminder"."task_id" = "tasks_task"."id")'
    ),
    "sqlite": (
        "(SELECT json_group_array(json_array("
        '"tasks_reminder"."position", "tasks_reminder"."at", '
        '"tasks_reminder"."before_due_minutes", "tasks_reminder"."fire_at", '
        '"tasks_reminder"."pending")) '
        'FROM "tasks_reminder" WHERE "tasks_reminder"."task_id" = "tasks_task"."id")'
    ),
}
REMINDERS_OF_TASK = _REMINDERS_OF_TASK[connection.vendor]


@dataclass(frozen=True)
class Spec:
    """A reminder as its owner sets it: exactly one of the two is given."""

    at: datetime | None = None
    before_due_minutes: int | None = None


@dataclass(frozen=True)
class Scheduled:
    """A reminder with when it fires (None: its task has no due) and whether it will."""

    spec: Spec
    fire_at: datetime | None
    pending: bool


def _instant(value) -> datetime | None:
    """A timestamp as the JSON of either database writes it, in UTC."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def scheduled_reminders(raw) -> list[Scheduled]:
    """REMINDERS_OF_TASK's array (text, or as read) as Scheduled reminders, in order."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    return [
        Scheduled(Spec(_instant(at), minutes), _instant(fire_at), bool(pending))
        for _, at, minutes, fire_at, pending in sorted(raw, key=lambda item: item[0])
    ]


def stored(task_id) -> list[Scheduled]:
    """A task's reminders as stored, in order (one query)."""
    return [
        _scheduled(row) for row in Reminder.objects.filter(task_id=task_id).order_by("position")
    ]


def _scheduled(row: Reminder) -> Scheduled:
    return Scheduled(Spec(row.at, row.before_due_minutes), row.fire_at, row.pending)


def shown(reminders: list[Scheduled]) -> list[dict]:
    """Reminders as the API shows them: what was set, and when each will fire (or null)."""
    return [
        {
            "at": iso_datetime(reminder.spec.at),
            "before_due_minutes": reminder.spec.before_due_minutes,
            "fires_at": iso_datetime(reminder.fire_at) if reminder.pending else None,
        }
        for reminder in reminders
    ]


def all_day_time() -> time:
    """REMINDER_ALL_DAY_TIME: the time of an all-day task's day its reminders count from."""
    return time.fromisoformat(settings.REMINDER_ALL_DAY_TIME)


def fire_moment(spec: Spec, due_date: datetime | None, due_on: date | None, time_zone: str):
    """When a reminder fires for a task due at `due_date` or on `due_on` (None: never)."""
    if spec.at is not None:
        return spec.at
    if due_date is not None:
        base = due_date
    elif due_on is not None:
        local = datetime.combine(due_on, all_day_time(), tzinfo=ZoneInfo(time_zone))
        base = local.astimezone(UTC)
    else:
        return None
    return base - timedelta(minutes=spec.before_due_minutes)


def plan(
    specs: list[Spec],
    *,
    current: list[Scheduled],
    task: Task,
    time_zone: str,
    now: datetime,
    advanced: bool = False,
) -> list[Scheduled]:
    """The reminders `specs` of `task` (as it now is), scheduled by the rules above.

    `current`: its reminders as stored, whose pending state carries over
    where the time a reminder fires stays the same.
    """
    still_pending = {(r.spec, r.fire_at) for r in current if r.pending}
    planned = []
    for spec in specs:
        if advanced and spec.at is not None and spec.at <= now:
            continue  # an instant of an occurrence gone by
        fire_at = fire_moment(spec, task.due_date, task.due_on, time_zone)
        pending = (
            not task.completed
            and fire_at is not None
            and (fire_at > now or (spec, fire_at) in still_pending)
        )
        planned.append(Scheduled(spec, fire_at, pending))
    return planned


def reschedule(
    task: Task,
    *,
    time_zone: str,
    specs: list[Spec] | None = None,
    advanced: bool = False,
    locked: bool = True,
) -> list[Scheduled]:
    """Work out `task`'s reminders again (set them to `specs`, if given) and store
    them; returns them. Run inside the transaction of the task's write.

    `task` must be the task as stored (`locked`: its row locked by this
    transaction's write); otherwise it is read again here, locked.
    """
    now = timezone.now()
    if not locked:
        task = (
            Task.objects.select_for_update().only("due_date", "due_on", "completed").get(pk=task.pk)
        )
    rows = list(Reminder.objects.select_for_update().filter(task_id=task.pk).order_by("position"))
    current = [_scheduled(row) for row in rows]
    if specs is None:
        specs = [reminder.spec for reminder in current]
    planned = plan(
        specs, current=current, task=task, time_zone=time_zone, now=now, advanced=advanced
    )
    if planned != current:
        _store(task.pk, rows, planned)
        for reminder in planned:
            # A reminder kept as it was has had its wake-up queued already.
            if reminder.pending and reminder.fire_at > now and reminder not in current:
                _wake_at(reminder.fire_at)
    return planned


def _store(task_id, rows: list[Reminder], planned: list[Scheduled]) -> None:
    """Write `planned` over `rows`: each row keeps its id while its spec stays, so that
    what was delivered of it stays known (tasks.delivery)."""
    free = {}
    for row in rows:
        free.setdefault(Spec(row.at, row.before_due_minutes), []).append(row)
    changed, added = [], []
    for position, reminder in enumerate(planned):
        same = free.get(reminder.spec)
        if same:
            row = same.pop(0)
            values = (position, reminder.fire_at, reminder.pending)
            if (row.position, row.fire_at, row.pending) != values:
                row.position, row.fire_at, row.pending = values
                changed.append(row)
        else:
            added.append(
                Reminder(
                    task_id=task_id,
                    position=position,
                    at=reminder.spec.at,
                    before_due_minutes=reminder.spec.before_due_minutes,
                    fire_at=reminder.fire_at,
                    pending=reminder.pending,
                )
            )
    gone = [row.pk for left in free.values() for row in left]
    if gone:
        Reminder.objects.filter(pk__in=gone).delete()
    if changed:
        Reminder.objects.bulk_update(changed, ["position", "fire_at", "pending"])
    if added:
        Reminder.objects.bulk_create(added)


def _wake_at(moment: datetime) -> None:
    """Have a worker look for due reminders at `moment`, once this transaction commits.

    Without it a worker still finds them within a minute (tasks.jobs); a
    queue that cannot be reached is logged, not the request's failure.
    """

    def enqueue():
        from tasks import jobs  # the queue is only needed by writers of reminders

        try:
            jobs.deliver_reminders.schedule(eta=moment)
        except Exception:
            logger.exception("Could not queue a wake-up for the reminders due at %s", moment)

    transaction.on_commit(enqueue)


def reschedule_tasks(tasks) -> None:
    """Work out again the reminders of these tasks (a queryset), as each task and its
    owner's time zone now are: for writers of tasks in bulk (the admin's actions,
    a time zone change). One transaction per task that has reminders."""
    for task in tasks.filter(reminders__isnull=False).distinct().select_related("user"):
        with transaction.atomic():
            reschedule(task, time_zone=task.user.time_zone, locked=False)
