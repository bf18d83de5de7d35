from datetime import UTC

from rest_framework import serializers

from api.fields import JSONBooleanField, JSONUUIDField, TextField
from tasks.models import (
    COLOR_PATTERN,
    DESCRIPTION_MAX_LENGTH,
    LIST_NAME_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Priority,
)

# What an optional field becomes when a full update (PUT) leaves it out.
PUT_DEFAULTS = {"description": None, "completed": False, "priority": None, "due_date": None}


# Every field is declared, none built from the model: a ModelSerializer
# builds its fields anew for every request, a tenth of creating a task.
# (No docstring: it would become the schema's description of a task.)
class TaskSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    user_id = serializers.UUIDField(read_only=True)
    # One of the caller's lists; on creation the Inbox when left out, and a
    # full update (PUT) that leaves it out keeps the task where it is.
    list_id = JSONUUIDField(required=False)
    # Surrounding white space is trimmed before the length checks, so a
    # title of spaces is blank and refused.
    title = TextField(max_length=TITLE_MAX_LENGTH)
    description = TextField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_null=True, allow_blank=True, required=False
    )
    completed = JSONBooleanField(required=False)
    completed_at = serializers.DateTimeField(allow_null=True, read_only=True)
    priority = serializers.ChoiceField(choices=Priority.choices, allow_null=True, required=False)
    due_date = serializers.DateTimeField(allow_null=True, required=False)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, task):
        return task_representation(task)

    def validate(self, attrs):
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
        "title": task.title,
        "description": task.description,
        "completed": task.completed,
        "completed_at": iso_datetime(task.completed_at),
        "priority": task.priority,
        "due_date": iso_datetime(task.due_date),
        "created_at": iso_datetime(task.created_at),
        "updated_at": iso_datetime(task.updated_at),
    }


def iso_datetime(value):
    """ISO 8601 in UTC with a Z, as DRF's DateTimeField writes it."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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
