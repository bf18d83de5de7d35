from rest_framework import serializers

from api.fields import JSONBooleanField, JSONUUIDField, TextField
from tasks.dates import iso_datetime
from tasks.models import (
    COLOR_PATTERN,
    DESCRIPTION_MAX_LENGTH,
    LIST_NAME_MAX_LENGTH,
    REMINDER_MAX_MINUTES,
    REMINDERS_PER_TASK,
    TAG_NAME_MAX_LENGTH,
    TAGS_PER_TASK,
    TITLE_MAX_LENGTH,
    Priority,
    RecurFrom,
)
from tasks.recurrence import RULE_MAX_LENGTH, InvalidRule, normalized
from tasks.reminders import Spec, shown
from tasks.tags import unique_names

# What an optional field becomes when a full update (PUT) leaves it out.
PUT_DEFAULTS = {
    "description": None,
    "completed": False,
    "priority": None,
    "due_date": None,
    "due_on": None,
    "recurrence": None,
    "recur_from": RecurFrom.DUE,
    "tag_names": [],
    "reminder_specs": [],
}


class TagNameField(TextField):
    """A tag's name: trimmed, 1 to 50 characters, no comma (the `tags` filter separates with it)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=TAG_NAME_MAX_LENGTH, **kwargs)

    def to_internal_value(self, data):
        name = super().to_internal_value(data)
        if "," in name:
            raise serializers.ValidationError("A tag's name cannot hold a comma.")
        return name


class ItemsField(serializers.ListField):
    """A list whose items' errors are reported on the field itself ("Tag 2: ..."),
    not on an index of it."""

    noun = "Item"

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError(
                [
                    f"{self.noun} {index + 1}: {message}"
                    for index, messages in exc.detail.items()
                    for message in _messages(messages)
                ]
            ) from exc


def _messages(detail) -> list[str]:
    """An item's errors as lines, a field's named ("at: ...")."""
    if isinstance(detail, dict):
        return [f"{name}: {m}" for name, messages in detail.items() for m in _messages(messages)]
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item)]
    return [str(detail)]


class TagNamesField(ItemsField):
    child = TagNameField()
    noun = "Tag"

    def to_internal_value(self, data):
        names = unique_names(super().to_internal_value(data))
        if len(names) > TAGS_PER_TASK:
            raise serializers.ValidationError(f"A task has at most {TAGS_PER_TASK} tags.")
        return names


class RecurrenceField(TextField):
    """An RRULE, as tasks.recurrence.normalized keeps it; what needs the task's due
    (a due, an occurrence to come) is checked by tasks.store."""

    def __init__(self, **kwargs):
        super().__init__(max_length=RULE_MAX_LENGTH, **kwargs)

    def to_internal_value(self, data):
        try:
            return normalized(super().to_internal_value(data))
        except InvalidRule as exc:
            raise serializers.ValidationError(str(exc)) from exc


class ReminderSerializer(serializers.Serializer):
    """A reminder: at an instant, or some minutes before the task's due (one of the two)."""

    at = serializers.DateTimeField(
        allow_null=True, required=False, help_text="Remind at this instant."
    )
    before_due_minutes = serializers.IntegerField(
        min_value=0,
        max_value=REMINDER_MAX_MINUTES,
        allow_null=True,
        required=False,
        help_text="Remind this many minutes before the due (0 to 40320, four weeks); the "
        "task needs a due. For an all-day task, before 09:00 of its day in the caller's "
        "time zone (the server's REMINDER_ALL_DAY_TIME).",
    )
    fires_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When it will fire; null if it will not (fired already, its time gone "
        "by, the task completed or without a due).",
    )

    def validate(self, attrs):
        given = [name for name in ("at", "before_due_minutes") if attrs.get(name) is not None]
        if len(given) != 1:
            raise serializers.ValidationError("A reminder has either `at` or `before_due_minutes`.")
        return Spec(at=attrs.get("at"), before_due_minutes=attrs.get("before_due_minutes"))


class RemindersField(ItemsField):
    """Reminders: read as Spec values (the task's `reminder_specs`), shown from the
    task's `reminder_rows`, which say when each fires."""

    child = ReminderSerializer()
    noun = "Reminder"

    def get_attribute(self, instance):
        return instance.reminder_rows

    def to_representation(self, data):
        return shown(data)

    def to_internal_value(self, data):
        return list(dict.fromkeys(super().to_internal_value(data)))  # the same twice is one


# Every field is declared, none built from the model: a ModelSerializer
# builds its fields anew for every request, a tenth of creating a task.
# (No docstring: it would become the schema's description of a task.)
class TaskSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    user_id = serializers.UUIDField(read_only=True)
    # One of the caller's lists; on creation the Inbox when left out, and a
    # full update (PUT) that leaves it out keeps the task where it is.
    list_id = JSONUUIDField(required=False)
    # A top-level task of the same list, or null; left out, a write keeps the
    # task's parent, unless it moves to another list (see tasks.store).
    parent_id = JSONUUIDField(required=False, allow_null=True)
    position = serializers.IntegerField(
        read_only=True,
        help_text="Order among the task's siblings (sort=position; POST .../move/ changes it).",
    )
    # Surrounding white space is trimmed before the length checks, so a
    # title of spaces is blank and refused.
    title = TextField(max_length=TITLE_MAX_LENGTH)
    description = TextField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_null=True, allow_blank=True, required=False
    )
    completed = JSONBooleanField(required=False)
    completed_at = serializers.DateTimeField(allow_null=True, read_only=True)
    priority = serializers.ChoiceField(choices=Priority.choices, allow_null=True, required=False)
    due_date = serializers.DateTimeField(
        allow_null=True,
        required=False,
        help_text="Due at this instant. Setting it clears due_on.",
    )
    due_on = serializers.DateField(
        allow_null=True,
        required=False,
        help_text="Due on this day (YYYY-MM-DD) of the caller's calendar, in their time "
        "zone, whatever it later becomes: an all-day task. Setting it clears due_date.",
    )
    recurrence = RecurrenceField(
        allow_null=True,
        required=False,
        help_text="An RFC 5545 RRULE (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY; INTERVAL, "
        "BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, COUNT, UNTIL, WKST), in the caller's time "
        "zone, or null. Needs a due date or day. Completing the task records the "
        "occurrence and moves the task to the next one.",
    )
    recur_from = serializers.ChoiceField(
        choices=RecurFrom.choices,
        required=False,
        help_text="`due`: the next occurrence after the current due; `completion`: the "
        "next after the day it was completed.",
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    # Written to and read from the task's tag_names (tasks.store), not the
    # model's many-to-many `tags`.
    tags = TagNamesField(
        source="tag_names",
        required=False,
        help_text="Tag names, sorted whatever the letter case. Up to 20, each 1 to 50 "
        "characters; a name is one tag whatever its case, made on first use. A full "
        "update (PUT) that leaves them out clears them.",
    )
    subtask_count = serializers.IntegerField(read_only=True)
    completed_subtask_count = serializers.IntegerField(read_only=True)
    # Written to the task's reminder_specs (tasks.store), read from its reminder_rows.
    reminders = RemindersField(
        source="reminder_specs",
        required=False,
        max_length=REMINDERS_PER_TASK,
        error_messages={"max_length": f"A task has at most {REMINDERS_PER_TASK} reminders."},
        help_text="Up to 5, in the order given. A full update (PUT) that leaves them out "
        "clears them; changing the due or completing the task moves or cancels them.",
    )

    def to_representation(self, task):
        return task_representation(task)

    def validate(self, attrs):
        # A task is due at an instant or on a day: setting one clears the other.
        if attrs.get("due_date") is not None and attrs.get("due_on") is not None:
            raise serializers.ValidationError(
                {"due_on": ["A task is due at an instant (due_date) or on a day, not both."]}
            )
        if attrs.get("due_date") is not None:
            attrs["due_on"] = None
        elif attrs.get("due_on") is not None:
            attrs["due_date"] = None
        if not self.partial:
            for name, default in PUT_DEFAULTS.items():
                attrs.setdefault(name, default)
        return attrs


def task_representation(task) -> dict:
    """TaskSerializer's output, written out by hand (a test holds it to the declared fields').

    DRF's field-by-field rendering costs more than the rest of a request, so
    views call this directly. Lists do not come here: they hand rows to the
    renderer, which writes UUIDs and datetimes the same way (see tasks.store.task_page).
    """
    return {
        "id": str(task.id),
        "user_id": str(task.user_id),
        "list_id": str(task.list_id),
        "parent_id": None if task.parent_id is None else str(task.parent_id),
        "position": task.position,
        "title": task.title,
        "description": task.description,
        "completed": task.completed,
        "completed_at": iso_datetime(task.completed_at),
        "priority": task.priority,
        "due_date": iso_datetime(task.due_date),
        "due_on": None if task.due_on is None else task.due_on.isoformat(),
        "recurrence": task.recurrence,
        "recur_from": task.recur_from,
        "created_at": iso_datetime(task.created_at),
        "updated_at": iso_datetime(task.updated_at),
        "tags": task.tag_names,
        "subtask_count": task.subtask_count,
        "completed_subtask_count": task.completed_subtask_count,
        "reminders": shown(task.reminder_rows),
    }


class OccurrenceSerializer(serializers.Serializer):
    """A completed occurrence of a recurring task."""

    due_date = serializers.DateTimeField(
        allow_null=True, help_text="The due it had, if an instant."
    )
    due_on = serializers.DateField(allow_null=True, help_text="The day it was due, if all day.")
    completed_at = serializers.DateTimeField()


class TaskCompletionSerializer(serializers.Serializer):
    completed = JSONBooleanField(
        required=False,
        help_text="The state to set. Leave the body empty to toggle instead.",
    )


class TaskListSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    # Trimmed, then 1 to 100 characters; unique among the caller's lists
    # whatever the letter case (tasks.lists).
    name = TextField(max_length=LIST_NAME_MAX_LENGTH)
    color = serializers.RegexField(
        COLOR_PATTERN,
        allow_null=True,
        required=False,
        help_text="#RRGGBB, or null.",
        error_messages={"invalid": "A color is #RRGGBB: # and six hexadecimal digits."},
    )
    position = serializers.IntegerField(
        read_only=True, help_text="Lists are ordered by it (POST .../move/ changes it)."
    )
    is_inbox = serializers.BooleanField(read_only=True)
    task_count = serializers.IntegerField(read_only=True)
    pending_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ListMoveSerializer(serializers.Serializer):
    after = JSONUUIDField(
        allow_null=True,
        help_text="The list to put this one right after (one of the caller's); null: first.",
    )


class TaskMoveSerializer(serializers.Serializer):
    after = JSONUUIDField(
        allow_null=True,
        help_text="The sibling to put the task right after (one of the caller's tasks with "
        "the same list and parent as the task will have); null: first.",
    )
    list_id = JSONUUIDField(
        required=False, help_text="Another of the caller's lists to move it to (with its subtasks)."
    )
    parent_id = JSONUUIDField(
        required=False,
        allow_null=True,
        help_text="The task to make it a subtask of (same list), or null: top-level.",
    )


class TagSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = TagNameField(
        help_text="Renaming onto the name of another of the caller's tags merges this one "
        "into it: the answer is that tag."
    )
    task_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class NotificationSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    task_id = serializers.UUIDField(
        read_only=True, allow_null=True, help_text="The task (which may since be deleted)."
    )
    title = serializers.CharField(read_only=True, help_text="The task's title when it fired.")
    due_date = serializers.DateTimeField(read_only=True, allow_null=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    fire_at = serializers.DateTimeField(read_only=True, help_text="When the reminder was set for.")
    delivered_at = serializers.DateTimeField(read_only=True)
    late = serializers.BooleanField(
        read_only=True,
        help_text="Delivered well after its time (no worker was running then).",
    )
    read = serializers.BooleanField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)
