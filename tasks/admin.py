from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone

from tasks.models import EXPORTED_FIELDS, Task


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
            case "overdue":
                return queryset.filter(due_date__lt=now, completed=False)
            case "today":
                return queryset.filter(
                    due_date__gte=start_of_day, due_date__lt=start_of_day + timedelta(days=1)
                )
            case "week":
                return queryset.filter(due_date__gte=now, due_date__lt=now + timedelta(days=7))
            case "none":
                return queryset.filter(due_date__isnull=True)
        return queryset


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "owner_email", "completed", "priority", "due_date", "created_at"]
    list_filter = ["completed", "priority", DueFilter, ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "description", "user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["id", "completed_at", "created_at", "updated_at"]
    fields = ["id", "user", *EXPORTED_FIELDS[1:]]
    actions = ["mark_completed", "mark_pending"]

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
