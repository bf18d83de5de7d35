"""Query parameters of the task list.

A value the API does not understand is a 400 naming the parameter, never
silently ignored: django-filter validates every parameter through a form,
and a parameter given twice is refused because only one value would count.
"""

import re
from datetime import UTC, datetime

import django_filters
from django.db.models import F, Q
from django.db.models.functions import Lower
from drf_spectacular.utils import extend_schema_field

from api.fields import TextField
from api.pagination import refuse_repeated_parameters
from tasks.models import PRIORITY_RANK, Priority, Task

# An unencoded "+02:00" offset arrives as " 02:00" (a "+" in a query string
# is a space); read it as the offset it was meant to be.
SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


class OffsetTolerantDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        if isinstance(value, str):
            value = SPACED_OFFSET.sub(r"+\1", value.strip())
        value = super().to_python(value)
        return None if value is None else as_utc(value)


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC, as the database compares it.

    PostgreSQL refuses offsets beyond 15:59 that ISO 8601 allows (up to
    23:59). An instant outside years 1 to 9999 in UTC becomes the nearest
    end of that range, which filters the same way.
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        end = datetime.min if moment.year == 1 else datetime.max
        return end.replace(tzinfo=UTC)


class DueDateFilter(django_filters.IsoDateTimeFilter):
    field_class = OffsetTolerantDateTimeField


SEARCH_MAX_LENGTH = 200
SEARCH_HELP = "Case-insensitive text to find in the title or the description."

STATUS_CHOICES = [("all", "All"), ("pending", "Pending"), ("completed", "Completed")]

SORT_FIELDS = ["created", "updated", "title", "due_date", "priority"]
# The labels name the values in generated clients (TaskSortEnum.DUE_DATE_DESC).
SORT_CHOICES = [
    choice for name in SORT_FIELDS for choice in ((name, name), (f"-{name}", f"{name}_desc"))
]

SORT_EXPRESSIONS = {
    "created": F("created_at"),
    "updated": F("updated_at"),
    "title": Lower("title"),
    "due_date": F("due_date"),
    "priority": PRIORITY_RANK,
}


NULLABLE_SORTS = {"due_date", "priority"}
# The filters beyond completion: a list that uses none of them is one of a
# few fixed statements (tasks.store.TASK_PAGES).
FILTERS_BEYOND_COMPLETION = {"list", "priority", "search", "due_before", "due_after"}
STATUS_VALUES = {"", *(value for value, _ in STATUS_CHOICES)}
SORT_VALUES = {"", *(value for value, _ in SORT_CHOICES)}


def sort_ordering(sort: str):
    """Order for a `sort` value; empty values (no due date, no priority) come last either way."""
    name = sort.removeprefix("-")
    descending = sort.startswith("-")
    expression = SORT_EXPRESSIONS[name]
    if name in NULLABLE_SORTS:
        primary = (
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    else:
        # Nothing to place last, and a plain order is one PostgreSQL can read
        # straight from the (user, created_at) index instead of sorting.
        primary = expression.desc() if descending else expression.asc()
    # Ties are broken by creation then id so that pages never overlap.
    return [primary, F("created_at").desc(), F("id").desc()]


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", help_text="Completion state (default all)."
    )
    list = django_filters.UUIDFilter(
        field_name="list_id", help_text="Only the tasks of this list (one of the caller's)."
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=SEARCH_HELP,
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
        fields = ["status", "list", "priority", "search", "due_before", "due_after", "sort"]

    form_class = None  # built on first use

    def get_form_class(self):
        # django-filter builds the form class anew for every request (a new
        # form field per filter, labels read from the model): a third of a
        # filtered list request, for a result that never changes.
        if TaskFilter.form_class is None:
            TaskFilter.form_class = super().get_form_class()
        return TaskFilter.form_class

    def is_valid(self):
        valid = super().is_valid()
        return not refuse_repeated_parameters(self.form, self.data) and valid

    def filter_status(self, queryset, name, value):
        if value == "pending":
            return queryset.filter(completed=False)
        if value == "completed":
            return queryset.filter(completed=True)
        return queryset

    # Read like a TextField (trimmed, then at most 200 characters, no NUL):
    # the schema says so with the same pattern.
    @extend_schema_field(
        TextField(max_length=SEARCH_MAX_LENGTH, allow_blank=True, help_text=SEARCH_HELP)
    )
    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*sort_ordering(value))


def completion_filters(query) -> tuple[str, str] | None:
    """The (status, sort) of a valid list filtered on completion alone, "" where not given.

    None for any other list, including one whose values TaskFilter would
    refuse: TaskFilter then answers it, with its own messages.
    """
    if not query.keys().isdisjoint(FILTERS_BEYOND_COMPLETION):
        return None
    status, sort = query.getlist("status"), query.getlist("sort")
    if len(status) > 1 or len(sort) > 1:
        return None
    shape = (status[0] if status else "", sort[0] if sort else "")
    return shape if shape[0] in STATUS_VALUES and shape[1] in SORT_VALUES else None
