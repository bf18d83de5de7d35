"""Query parameters of the task list.

A value the API does not understand is a 400 naming the parameter, never
silently ignored: django-filter validates every parameter through a form,
and a parameter given twice is refused because only one value would count.
"""

import re

import django_filters
from django.db.models import F, Q
from django.db.models.functions import Lower

from tasks.models import PRIORITY_RANK, Priority, Task

# An unencoded "+02:00" offset arrives as " 02:00" (a "+" in a query string
# is a space); read it as the offset it was meant to be.
SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


class OffsetTolerantDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        if isinstance(value, str):
            value = SPACED_OFFSET.sub(r"+\1", value.strip())
        return super().to_python(value)


class DueDateFilter(django_filters.IsoDateTimeFilter):
    field_class = OffsetTolerantDateTimeField


STATUS_CHOICES = [("all", "All"), ("pending", "Pending"), ("completed", "Completed")]

SORT_FIELDS = ["created", "updated", "title", "due_date", "priority"]
SORT_CHOICES = [(value, value) for name in SORT_FIELDS for value in (name, f"-{name}")]

SORT_EXPRESSIONS = {
    "created": F("created_at"),
    "updated": F("updated_at"),
    "title": Lower("title"),
    "due_date": F("due_date"),
    "priority": PRIORITY_RANK,
}


def sort_ordering(sort: str):
    """Order for a `sort` value; empty values (no due date, no priority) come last either way."""
    name = sort.removeprefix("-")
    expression = SORT_EXPRESSIONS[name]
    primary = (
        expression.desc(nulls_last=True)
        if sort.startswith("-")
        else expression.asc(nulls_last=True)
    )
    # Ties are broken by creation then id so that pages never overlap.
    return [primary, F("created_at").desc(), F("id").desc()]


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", help_text="Completion state (default all)."
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Case-insensitive text to find in the title or the description.",
    )
    due_before = DueDateFilter(
        field_name="due_date",
        lookup_expr="lte",
        help_text="Due at or before this ISO 8601 date-time.",
    )
    due_after = DueDateFilter(
        field_name="due_date",
        lookup_expr="gte",
        help_text="Due at or after this ISO 8601 date-time.",
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES,
        method="filter_sort",
        help_text="Sort key, `-` prefix for descending (default -created, the model's ordering). "
        "Tasks without a due date or priority come last either way.",
    )

    class Meta:
        model = Task
        fields = ["status", "priority", "search", "due_before", "due_after", "sort"]

    def is_valid(self):
        valid = super().is_valid()
        for name in self.filters:
            if len(self.data.getlist(name)) > 1:
                self.form.add_error(name, "Give this parameter at most once.")
                valid = False
        return valid

    def filter_status(self, queryset, name, value):
        if value == "pending":
            return queryset.filter(completed=False)
        if value == "completed":
            return queryset.filter(completed=True)
        return queryset

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*sort_ordering(value))
