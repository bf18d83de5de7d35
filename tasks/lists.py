"""The list store: every read and write of task lists made for an API request.

As in tasks.store, each function takes the owner's id and every statement is
limited to that owner's lists: another user's list is simply not found. The
Inbox of each user is made here too, whoever creates the user.

Order (tasks.order): lists are ordered by `position`, then id. Moves and
creations lock the owner's lists first, so two at once never compute the
same position.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions

from api.conditional import PreconditionFailed, if_match_passes
from api.rows import python_rows
from tasks.models import INBOX_NAME, TaskList
from tasks.order import last_position, position_between, renumbered

NAME_TAKEN = "You already have a list with this name."
NOT_ANOTHER_LIST = "None of your other lists has this id."


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


# Plain SQL, as tasks.store's hot statements: a task created without a list
# goes last among the top-level tasks of its owner's Inbox (the floor of
# the benchmark runs it too).
INBOX_AND_LAST_POSITION = (
    'SELECT "id", (SELECT MAX("position") FROM "tasks_task" '
    'WHERE "list_id" = "tasks_tasklist"."id" AND "parent_id" IS NULL) '
    'FROM "tasks_tasklist" WHERE "user_id" = %s AND "is_inbox"'
)
_OWNER, _ID = TaskList._meta.get_field("user"), TaskList._meta.get_field("id")


def inbox_and_last_position(*, owner_id) -> tuple:
    """The id of the owner's Inbox, and the last position among its top-level tasks (or None)."""
    with connection.cursor() as cursor:
        cursor.execute(INBOX_AND_LAST_POSITION, [_OWNER.get_db_prep_value(owner_id, connection)])
        inbox, last = cursor.fetchone()
    [[inbox]] = python_rows([(inbox,)], [_ID], connection)
    return inbox, last


def inbox_id(*, owner_id):
    return inbox_and_last_position(owner_id=owner_id)[0]


def owns_list(*, owner_id, list_id) -> bool:
    return TaskList.objects.filter(user_id=owner_id, pk=list_id).exists()


def list_page(*, owner_id, offset: int, limit: int) -> tuple[list[TaskList], int]:
    """The owner's lists `offset` to `offset + limit`, in order, with their task counts."""
    lists = TaskList.objects.filter(user_id=owner_id)
    total = lists.count()
    if offset >= total:
        return [], total
    return list(lists.order_by("position", "id")[offset : offset + limit]), total


def list_get(*, owner_id, list_id) -> TaskList | None:
    """The owner's list with its task counts, or None."""
    return TaskList.objects.filter(user_id=owner_id, pk=list_id).first()


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
                position=last_position(max(positions, default=None)),
            )
    except IntegrityError as exc:  # the same name, created at the same moment
        raise ValidationError({"name": [NAME_TAKEN]}) from exc
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
            moves = renumbered([*order[:index], task_list.pk, *order[index:]], dict(others))
        now = timezone.now()
        for pk, new_position in moves.items():
            # A list whose position changes is another version of it (its ETag).
            TaskList.objects.filter(pk=pk).update(
                position=new_position, version=F("version") + 1, updated_at=now
            )
    return list_get(owner_id=owner_id, list_id=task_list.pk)


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
