from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone

from tasks.models import EXPORTED_FIELDS, Tag, Task, TaskCompletion, TaskList
from tasks.order import last_position


class DueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("today", "Today"),
            ("week", "Next 7 days"),
            ("none", "No due date"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        match self.value():
            # due_at: the instant, or the end of an all-day task's day.
            case "overdue":
                return queryset.filter(due_at__lt=now, completed=False)
            case "today":
                return queryset.filter(
                    due_at__gte=start_of_day, due_at__lt=start_of_day + timedelta(days=1)
                )
            case "week":
                return queryset.filter(due_at__gte=now, due_at__lt=now + timedelta(days=7))
            case "none":
                return queryset.filter(due_at__isnull=True)
        return queryset


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "owner_email", "completed", "priority", "due_date", "created_at"]
    list_filter = [
        "completed",
        "priority",
        DueFilter,
        ("user", admin.RelatedOnlyFieldListFilter),
        ("list", admin.RelatedOnlyFieldListFilter),
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "description", "user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    autocomplete_fields = ["user", "list", "parent"]
    # recur_from is shown, not edited here: the API sets it with the rule.
    readonly_fields = ["id", "position", "recur_from", "completed_at", "created_at", "updated_at"]
    fields = ["id", "user", "list", "parent", "position", *EXPORTED_FIELDS[1:]]
    actions = ["mark_completed", "mark_pending"]

    def save_model(self, request, obj, form, change):
        # A task added here goes last among its siblings, as through the API
        # (which alone moves tasks: POST /api/tasks/{id}/move/).
        if not change:
            siblings = (
                Task.objects.filter(parent_id=obj.parent_id)
                if obj.parent_id
                else Task.objects.filter(list_id=obj.list_id, parent__isnull=True)
            )
            last = siblings.order_by("-position").values_list("position", flat=True).first()
            obj.position = last_position(last)
        super().save_model(request, obj, form, change)

    @admin.display(description="owner", ordering="user__email")
    def owner_email(self, task):
        return task.user.email

    @admin.action(description="Mark selected tasks as completed")
    def mark_completed(self, request, queryset):
        # The same update the API's complete endpoint runs, so completed_at
        # follows the same rule.
        count = queryset.set_completed(True)
        self.message_user(request, f"{count} task(s) marked as completed.", messages.SUCCESS)

    @admin.action(description="Mark selected tasks as pending")
    def mark_pending(self, request, queryset):
        count = queryset.set_completed(False)
        self.message_user(request, f"{count} task(s) marked as pending.", messages.SUCCESS)


@admin.register(TaskList)
class TaskListAdmin(admin.ModelAdmin):
    # The counts are columns the database keeps (migration 0006): no query per row.
    list_display = [
        "name",
        "owner_email",
        "is_inbox",
        "task_count",
        "completed_count",
        "position",
        "created_at",
    ]
    list_filter = ["is_inbox"]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = [
        "id",
        "is_inbox",
        "task_count",
        "completed_count",
        "created_at",
        "updated_at",
    ]
    fields = [
        "id",
        "user",
        "name",
        "color",
        "position",
        "is_inbox",
        "task_count",
        "completed_count",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="owner", ordering="user__email")
    def owner_email(self, task_list):
        return task_list.user.email

    # The Inbox stays while its user does (tasks go there when no list is
    # named): deleting lists here leaves it out. Deleting the user takes it.
    def delete_model(self, request, obj):
        self.delete_queryset(request, TaskList.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        if queryset.filter(is_inbox=True).exists():
            self.message_user(request, "An Inbox is never deleted: it was kept.", messages.WARNING)
        super().delete_queryset(request, queryset.filter(is_inbox=False))


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    # task_count is a column the database keeps (migration 0006): no query per row.
    list_display = ["name", "owner_email", "task_count", "created_at"]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["id", "key", "task_count", "created_at", "updated_at"]
    fields = ["id", "user", "name", "key", "task_count", "created_at", "updated_at"]

    @admin.display(description="owner", ordering="user__email")
    def owner_email(self, tag):
        return tag.user.email


@admin.register(TaskCompletion)
class TaskCompletionAdmin(admin.ModelAdmin):
    """The completed occurrences of recurring tasks: a record, not edited here."""

    list_display = ["task", "due_date", "due_on", "completed_at"]
    list_select_related = ["task"]
    search_fields = ["task__title", "task__user__email"]
    date_hierarchy = "completed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
