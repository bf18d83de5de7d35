from datetime import timedelta

from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from tasks import store
from tasks.models import (
    EXPORTED_FIELDS,
    REMINDERS_PER_TASK,
    Notification,
    Reminder,
    Tag,
    Task,
    TaskCompletion,
    TaskList,
    WorkerRun,
)
from tasks.order import last_position
from tasks.reminders import reschedule_tasks


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


class ReminderFormSet(BaseInlineFormSet):
    def save_new(self, form, commit=True):
        # After the task's stored reminders (numbered 0, 1, ... by reschedule,
        # which TaskAdmin.save_related runs once they are saved).
        form.instance.position = self.forms.index(form)
        return super().save_new(form, commit)


class ReminderInline(admin.TabularInline):
    """A task's reminders; when each fires is worked out on saving (TaskAdmin.save_related)."""

    model = Reminder
    formset = ReminderFormSet
    fields = ["at", "before_due_minutes", "fire_at", "pending"]
    readonly_fields = ["fire_at", "pending"]
    extra = 0
    max_num = REMINDERS_PER_TASK

    def get_formset(self, request, obj=None, **kwargs):
        # More rows than max_num are refused, not only kept from being added.
        return super().get_formset(request, obj, validate_max=True, **kwargs)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "owner_email", "completed", "priority", "due_date", "created_at"]
    list_filter = [
        "completed",
        "priority",
        DueFilter,
        ("recurrence", admin.EmptyFieldListFilter),
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
    inlines = [ReminderInline]

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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Its reminders, as edited here, follow its due and completion as saved.
        reschedule_tasks(Task.objects.filter(pk=form.instance.pk))

    @admin.display(description="owner", ordering="user__email")
    def owner_email(self, task):
        return task.user.email

    @admin.action(description="Mark selected tasks as completed")
    def mark_completed(self, request, queryset):
        # A pending recurring task is completed as through the API: its
        # occurrence recorded, the task moved on to the next one.
        recurring = list(
            queryset.filter(recurrence__isnull=False, completed=False).values_list(
                "pk", "user_id", "user__time_zone"
            )
        )
        for task_id, owner_id, time_zone in recurring:
            store.complete_occurrence(owner_id=owner_id, time_zone=time_zone, task_id=task_id)
        others = queryset.exclude(pk__in=[task_id for task_id, *_ in recurring])
        # The same update the API's complete endpoint runs, so completed_at
        # follows the same rule. The ids are read first: the change list may
        # be filtered on completion, which the update changes.
        task_ids = list(others.values_list("pk", flat=True))
        count = others.set_completed(True)
        reschedule_tasks(Task.objects.filter(pk__in=task_ids))  # cancelled
        message = f"{count + len(recurring)} task(s) marked as completed."
        if recurring:
            message += f" {len(recurring)} recurring: moved on to their next occurrence."
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Mark selected tasks as pending")
    def mark_pending(self, request, queryset):
        task_ids = list(queryset.values_list("pk", flat=True))
        count = queryset.set_completed(False)
        reschedule_tasks(Task.objects.filter(pk__in=task_ids))  # those still ahead armed again
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

    list_display = ["task", "owner_email", "due_date", "due_on", "completed_at"]
    list_select_related = ["task__user"]
    search_fields = ["task__title", "task__user__email"]
    date_hierarchy = "completed_at"

    @admin.display(description="owner", ordering="task__user__email")
    def owner_email(self, completion):
        return completion.task.user.email

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the worker writes: looked at here, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner_email", "fire_at", "delivered_at", "late", "read"]
    list_filter = ["late", ReadFilter]
    search_fields = ["title", "user__email"]
    list_select_related = ["user"]

    @admin.display(description="owner", ordering="user__email")
    def owner_email(self, notification):
        return notification.user.email

    @admin.display(boolean=True, ordering="read_at")
    def read(self, notification):
        return notification.read


@admin.register(WorkerRun)
class WorkerRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "finished_at", "delivered"]
