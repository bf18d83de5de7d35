from rest_framework import serializers

from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Priority, Task

# What an optional field becomes when a full update (PUT) leaves it out.
PUT_DEFAULTS = {"description": None, "completed": False, "priority": None, "due_date": None}


class TaskSerializer(serializers.ModelSerializer):
    user_id = serializers.UUIDField(read_only=True)
    # Surrounding white space is trimmed before the length checks, so a
    # title of spaces is blank and refused.
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_null=True, allow_blank=True, required=False
    )
    priority = serializers.ChoiceField(choices=Priority.choices, allow_null=True, required=False)
    due_date = serializers.DateTimeField(allow_null=True, required=False)

    class Meta:
        model = Task
        fields = [
            "id",
            "user_id",
            "title",
            "description",
            "completed",
            "completed_at",
            "priority",
            "due_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "user_id", "completed_at", "created_at", "updated_at"]

    def validate(self, attrs):
        if not self.partial:
            for name, default in PUT_DEFAULTS.items():
                attrs.setdefault(name, default)
        return attrs


class TaskCompletionSerializer(serializers.Serializer):
    completed = serializers.BooleanField(
        required=False,
        help_text="The state to set. Leave the body empty to toggle instead.",
    )
