"""The list store: every read and write of task lists made for an API request.

As in tasks.store, each function takes the owner's id and every statement is
limited to that owner's lists: another user's list is simply not found. The
Inbox of each user is made here too, whoever creates the user.

Order. Lists are ordered by `position`, then id. New lists go last, one
POSITION_STEP after the last; a move takes the midpoint between its new
neighbours, so it writes the moved list alone, until two neighbours are
adjacent numbers: then that user's lists are renumbered (rare: after about
16 moves into the same gap). Moves and creations lock the owner's lists
first, so two at once never compute the same position.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions

from api.conditional import PreconditionFailed, if_match_passes
from api.rows import python_rows
from tasks.models import INBOX_NAME, TaskList

POSITION_STEP = 1 << 16
NAME_TAKEN = "You already have a list with this name."
NOT_ANOTHER_LIST = "None of your other lists has this id."
COUNTS = {
    "task_count": Count("tasks"),
    "pending_count": Count("tasks", filter=Q(tasks__completed=False)),
}


class InboxNotDeletable(exceptions.APIException):
    status_code = 409
    default_detail = "The Inbox cannot be deleted; it is where tasks go when no list is named."
    default_code = "inbox_not_deletable"


def give_new_user_an_inbox(sender, instance, created, raw=False, **kwargs):
    """Every user has exactly one Inbox, whoever creates the user (registration,
    another issuer's first token, the admin, createsuperuser): a post_save
    receiver of the user model (TasksConfig.ready). Users written in bulk
    (seed_demo, the benchmark's data) get theirs from `create_inboxes`."""
    if created and not raw:
        create_inboxes([instance.pk])


def create_inboxes(user_ids) -> None:
    TaskList.objects.bulk_create(
        TaskList(user_id=user_id, name=INBOX_NAME, is_inbox=True, position=0)
        for user_id in user_ids
    )


# Plain SQL, as tasks.store's hot statements: every task created without a
# list looks its owner's Inbox up (the floor of the benchmark runs it too).
INBOX_BY_OWNER = 'SELECT "id" FROM "tasks_tasklist" WHERE "user_id" = %s AND "is_inbox"'
_OWNER, _ID = TaskList._meta.get_field("user"), TaskList._meta.get_field("id")


def inbox_id(*, owner_id):
    with connection.cursor() as cursor:
        cursor.execute(INBOX_BY_OWNER, [_OWNER.get_db_prep_value(owner_id, connection)])
        [[value]] = python_rows([cursor.fetchone()], [_ID], connection)
    return value


def owns_list(*, owner_id, list_id) -> bool:
    return TaskList.objects.filter(user_id=owner_id, pk=list_id).exists()


def list_page(*, owner_id, offset: int, limit: int) -> tuple[list[TaskList], int]:
    """The owner's lists `offset` to `offset + limit`, in order, with their task counts."""
    lists = TaskList.objects.filter(user_id=owner_id)
    total = lists.count()
    if offset >= total:
        return [], total
    return list(lists.annotate(**COUNTS).order_by("position", "id")[offset : offset + limit]), total


def list_get(*, owner_id, list_id) -> TaskList | None:
    """The owner's list with its task counts, or None."""
    return TaskList.objects.filter(user_id=owner_id, pk=list_id).annotate(**COUNTS).first()


def list_create(*, owner_id, name: str, color: str | None = None) -> TaskList:
    """A new list, last of the owner's; a name the owner has already (any case) is a 400."""
    _refuse_taken_name(owner_id, name)
    try:
        with transaction.atomic():
            positions = list(_locked_lists(owner_id).values_list("position", flat=True))
            task_list = TaskList.objects.create(
                user_id=owner_id,
                name=name,
                color=color,
                position=max(positions, default=0) + POSITION_STEP,
            )
    except IntegrityError as exc:  # the same name, created at the same moment
        raise ValidationError({"name": [NAME_TAKEN]}) from exc
    task_list.task_count = task_list.pending_count = 0
    return task_list


def list_update(*, owner_id, task_list: TaskList, changes: dict, if_match) -> TaskList:
    """Apply `changes` (name, color); with If-Match, only to the list as the client read it."""
    lists = _versioned(owner_id, task_list, if_match)
    if "name" in changes:
        _refuse_taken_name(owner_id, changes["name"], exclude=task_list.pk)
    try:
        with transaction.atomic():
            updated = lists.update(**changes, version=F("version") + 1, updated_at=timezone.now())
    except IntegrityError as exc:
        raise ValidationError({"name": [NAME_TAKEN]}) from exc
    if not updated:
        raise PreconditionFailed() if if_match is not None else Http404
    return list_get(owner_id=owner_id, list_id=task_list.pk)


def _refuse_taken_name(owner_id, name: str, exclude=None) -> None:
    # Checked first for a plain answer; the database's unique index decides races.
    if TaskList.objects.filter(user_id=owner_id, name__iexact=name).exclude(pk=exclude).exists():
        raise ValidationError({"name": [NAME_TAKEN]})


def list_delete(*, owner_id, task_list: TaskList, if_match) -> None:
    """Delete a list and its tasks, in one transaction; never the Inbox (409)."""
    if task_list.is_inbox:
        raise InboxNotDeletable()
    with transaction.atomic():
        deleted, _ = _versioned(owner_id, task_list, if_match).delete()
    if not deleted and if_match is not None:
        raise PreconditionFailed()


def list_move(*, owner_id, task_list: TaskList, after_id, if_match) -> TaskList:
    """Put the list right after the owner's list `after_id` (None: first); with
    If-Match, only if the list is still as the client read it (checked under the lock)."""
    with transaction.atomic():
        rows = _locked_lists(owner_id).values_list("id", "position", "version")
        others, found = [], False
        for pk, position, version in rows:
            if pk != task_list.pk:
                others.append((pk, position))
                continue
            found = True
            if if_match is not None and not if_match_passes(if_match, f'"{version}"'):
                raise PreconditionFailed()
        if not found:  # deleted since it was read
            raise Http404
        order = [pk for pk, _ in others]
        if after_id is not None and after_id not in order:  # the list itself, or not theirs
            raise ValidationError({"after": [NOT_ANOTHER_LIST]})
        index = 0 if after_id is None else order.index(after_id) + 1
        before = others[index - 1][1] if index > 0 else None
        following = others[index][1] if index < len(others) else None
        position = position_between(before, following)
        if position is not None:
            moves = {task_list.pk: position}
        else:
            # No number left between the neighbours: renumber them all.
            ordered = [*order[:index], task_list.pk, *order[index:]]
            current = dict(others)
            moves = {
                pk: number * POSITION_STEP
                for number, pk in enumerate(ordered, start=1)
                if pk == task_list.pk or current[pk] != number * POSITION_STEP
            }
        now = timezone.now()
        for pk, new_position in moves.items():
            # A list whose position changes is another version of it (its ETag).
            TaskList.objects.filter(pk=pk).update(
                position=new_position, version=F("version") + 1, updated_at=now
            )
    return list_get(owner_id=owner_id, list_id=task_list.pk)


def position_between(before: int | None, after: int | None) -> int | None:
    """A position strictly between two neighbours' (None: no neighbour on that side),
    or None when they are adjacent numbers."""
    if before is None and after is None:
        return POSITION_STEP
    if before is None:
        return after - POSITION_STEP
    if after is None:
        return before + POSITION_STEP
    if after - before < 2:
        return None
    return (before + after) // 2


def _locked_lists(owner_id):
    # FOR UPDATE on PostgreSQL; SQLite's transactions take the one write lock.
    return TaskList.objects.select_for_update().filter(user_id=owner_id).order_by("position", "id")


def _versioned(owner_id, task_list: TaskList, if_match):
    lists = TaskList.objects.filter(user_id=owner_id, pk=task_list.pk)
    if if_match is None:
        return lists
    if not if_match_passes(if_match, task_list.etag):
        raise PreconditionFailed()
    return lists.filter(version=task_list.version)
