"""The tag store: every read and write of tags made for an API request.

As in tasks.store, each function takes the owner's id and every statement is
limited to that owner's tags: another user's tag is simply not found.

A tag is named, not made: a task's body lists names, and a name the owner
has no tag for (whatever the letter case, models.tag_key) becomes a new tag,
spelt as first used. A task's tags are part of the task, so whatever
changes the names a task shows (a rename, a merge, a deletion) is a new
version of that task (its ETag).
"""

import json

from django.db import connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from api.conditional import PreconditionFailed, if_match_passes
from tasks.models import Tag, Task, TaskTag, tag_key

# The names of a task's tags as one JSON array, read in the statement that
# reads the task (tasks.store): a list page stays one query however many
# tags its tasks have. The database gives them in no order; shown_tags sorts.
_TAGS_OF_TASK = {
    "postgresql": (
        '(SELECT COALESCE(json_agg("tasks_tag"."name"), \'[]\')::text '
        'FROM "tasks_tasktag" JOIN "tasks_tag" ON "tasks_tag"."id" = "tasks_tasktag"."tag_id" '
        'WHERE "tasks_tasktag"."task_id" = "tasks_task"."id")'
    ),
    "sqlite": (
        '(SELECT json_group_array("tasks_tag"."name") '
        'FROM "tasks_tasktag" JOIN "tasks_tag" ON "tasks_tag"."id" = "tasks_tasktag"."tag_id" '
        'WHERE "tasks_tasktag"."task_id" = "tasks_task"."id")'
    ),
}
TAGS_OF_TASK = _TAGS_OF_TASK[connection.vendor]


def shown_tags(names) -> list[str]:
    """A task's tag names as the API shows them: sorted whatever the letter case."""
    if isinstance(names, str):
        names = json.loads(names)
    return sorted(names, key=tag_key)


def unique_names(names: list[str]) -> list[str]:
    """The names without repeats (whatever the letter case), first spelling kept."""
    seen = {}
    for name in names:
        seen.setdefault(tag_key(name), name)
    return list(seen.values())


def set_task_tags(*, owner_id, task_id, names: list[str]) -> list[str]:
    """Give the owner's task exactly these tags (made where new); the names it now shows.

    Run inside the transaction of the task's write.
    """
    tags = tags_named(owner_id, unique_names(names))
    wanted = {tag.pk for tag in tags}
    TaskTag.objects.filter(task_id=task_id).exclude(tag_id__in=wanted).delete()
    TaskTag.objects.bulk_create(
        [TaskTag(task_id=task_id, tag_id=pk) for pk in wanted], ignore_conflicts=True
    )
    return shown_tags([tag.name for tag in tags])


def tags_named(owner_id, names: list[str]) -> list[Tag]:
    """The owner's tags of these names, the missing ones made (spelt as given)."""
    if not names:
        return []
    keys = {tag_key(name): name for name in names}
    found = list(Tag.objects.filter(user_id=owner_id, key__in=keys))
    missing = keys.keys() - {tag.key for tag in found}
    if missing:
        # Made at the same moment by another request: theirs is the first use.
        Tag.objects.bulk_create(
            [Tag(user_id=owner_id, name=keys[key], key=key) for key in missing],
            ignore_conflicts=True,
        )
        found = list(Tag.objects.filter(user_id=owner_id, key__in=keys))
    return found


def tag_page(*, owner_id, offset: int, limit: int) -> tuple[list[Tag], int]:
    """The owner's tags `offset` to `offset + limit`, by name whatever the case."""
    tags = Tag.objects.filter(user_id=owner_id)
    total = tags.count()
    if offset >= total:
        return [], total
    return list(tags.order_by("key", "id")[offset : offset + limit]), total


def tag_get(*, owner_id, tag_id) -> Tag | None:
    return Tag.objects.filter(user_id=owner_id, pk=tag_id).first()


def tag_rename(*, owner_id, tag: Tag, name: str, if_match) -> Tag:
    """Rename the owner's tag; onto the name of another of their tags, merge into that one.

    A merge gives the other tag every task of this one and deletes this
    one: the answer is the tag that remains. With If-Match, only if the tag
    is still as the client read it.
    """
    key = tag_key(name)
    with transaction.atomic():
        current = _locked(owner_id, tag, if_match)
        target = Tag.objects.filter(user_id=owner_id, key=key).exclude(pk=tag.pk).first()
        if target is None:
            if current.name == name:
                return current
            Tag.objects.filter(pk=tag.pk).update(
                name=name, key=key, version=F("version") + 1, updated_at=timezone.now()
            )
            _touch_tasks_of(tag.pk)
            return tag_get(owner_id=owner_id, tag_id=tag.pk)
        task_ids = list(TaskTag.objects.filter(tag_id=tag.pk).values_list("task_id", flat=True))
        TaskTag.objects.bulk_create(
            [TaskTag(task_id=pk, tag_id=target.pk) for pk in task_ids], ignore_conflicts=True
        )
        _touch_tasks(task_ids)
        Tag.objects.filter(pk=tag.pk).delete()
        Tag.objects.filter(pk=target.pk).update(version=F("version") + 1, updated_at=timezone.now())
    return tag_get(owner_id=owner_id, tag_id=target.pk)


def tag_delete(*, owner_id, tag: Tag, if_match) -> None:
    """Delete the owner's tag, taking it off every task that has it."""
    with transaction.atomic():
        _locked(owner_id, tag, if_match)
        _touch_tasks_of(tag.pk)
        Tag.objects.filter(pk=tag.pk).delete()


def _locked(owner_id, tag: Tag, if_match) -> Tag:
    """The tag as it is now, locked till the end of the transaction; 412 or 404 if it changed."""
    current = Tag.objects.select_for_update().filter(user_id=owner_id, pk=tag.pk).first()
    if current is None:
        raise Http404
    if if_match is not None and not if_match_passes(if_match, current.etag):
        raise PreconditionFailed()
    return current


def _touch_tasks_of(tag_id) -> None:
    _touch_tasks(TaskTag.objects.filter(tag_id=tag_id).values("task_id"))


def _touch_tasks(task_ids) -> None:
    # The tasks show other names now: each is another version of itself.
    Task.objects.filter(pk__in=task_ids).update(version=F("version") + 1, updated_at=timezone.now())
