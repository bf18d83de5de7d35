"""Query parameters of the task list.

A value the API does not understand is a 400 naming the parameter, never
silently ignored: django-filter validates every parameter through a form,
and a parameter given twice is refused because only one value would count.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import django_filters
from django import forms
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from api.fields import WHITE_SPACE, TextField
from api.pagination import refuse_repeated_parameters
from tasks import dates
from tasks.models import (
    PRIORITY_RANK,
    TAG_NAME_MAX_LENGTH,
    TAGS_PER_TASK,
    Notification,
    Priority,
    Tag,
    Task,
    TaskList,
    TaskTag,
    tag_key,
)

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
DUE_CHOICES = [
    ("today", "today"),
    ("overdue", "overdue"),
    ("next_7_days", "next_7_days"),
    ("none", "none"),
]

SORT_FIELDS = ["created", "updated", "title", "due_date", "priority", "position"]
# The labels name the values in generated clients (TaskSortEnum.DUE_DATE_DESC).
SORT_CHOICES = [
    choice for name in SORT_FIELDS for choice in ((name, name), (f"-{name}", f"{name}_desc"))
]

SORT_EXPRESSIONS = {
    "created": F("created_at"),
    "updated": F("updated_at"),
    "title": Lower("title"),
    # The effective due moment: the instant, or the end of an all-day task's day.
    "due_date": F("due_at"),
    "priority": PRIORITY_RANK,
}


# sort=position: the manual order of a whole outline. Lists in their order;
# in each, its top-level tasks in theirs, each followed by its subtasks in theirs.
POSITION_ORDER = [
    F("list__position"),
    F("list_id"),
    Coalesce(F("parent__position"), F("position")),
    Coalesce(F("parent_id"), F("id")),
    Case(When(parent__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
    F("position"),
    F("id"),
]

NULLABLE_SORTS = {"due_date", "priority"}
# The filters beyond completion: a list that uses none of them is one of a
# few fixed statements (tasks.store.TASK_PAGES).
FILTERS_BEYOND_COMPLETION = {
    "list",
    "priority",
    "search",
    "due_before",
    "due_after",
    "due",
    "tags",
    "untagged",
    "parent",
}
STATUS_VALUES = {"", *(value for value, _ in STATUS_CHOICES)}
SORT_VALUES = {"", *(value for value, _ in SORT_CHOICES)}


def sort_ordering(sort: str):
    """Order for a `sort` value; empty values (no due date, no priority) come last either way."""
    name = sort.removeprefix("-")
    descending = sort.startswith("-")
    if name == "position":
        return [key.desc() if descending else key.asc() for key in POSITION_ORDER]
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


# What TagKeysField takes, for the schema (ECMA-262): up to TAGS_PER_TASK names
# separated by commas, each at most TAG_NAME_MAX_LENGTH characters without
# NUL (as sent: a little stricter than trimmed), one at least not blank.
TAGS_PATTERN = (
    f"^(?=[\\s\\S]*[^,{WHITE_SPACE}])"
    f"[^,\\u0000]{{0,{TAG_NAME_MAX_LENGTH}}}"
    f"(?:,[^,\\u0000]{{0,{TAG_NAME_MAX_LENGTH}}}){{0,{TAGS_PER_TASK - 1}}}$"
)


class TagKeysField(forms.CharField):
    """Tag names separated by commas, any letter case: their keys (models.tag_key)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names:
            raise forms.ValidationError("Name at least one tag.")
        if any(len(name) > TAG_NAME_MAX_LENGTH or "\x00" in name for name in names):
            raise forms.ValidationError(
                f"A tag's name is 1 to {TAG_NAME_MAX_LENGTH} characters, without NUL."
            )
        keys = sorted({tag_key(name) for name in names})
        if len(keys) > TAGS_PER_TASK:
            raise forms.ValidationError(f"No task has more than {TAGS_PER_TASK} tags.")
        return keys


class TagsFilter(django_filters.CharFilter):
    field_class = TagKeysField


# What ParentField takes, for the schema: `none`, or a task's id.
PARENT_PATTERN = "^(?:none|[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})$"


class ParentField(forms.CharField):
    """A task's id, or `none`."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values or value == "none":
            return value
        try:
            return uuid.UUID(value)
        except ValueError as exc:
            raise forms.ValidationError("A task's id, or none.") from exc


class ParentFilter(django_filters.CharFilter):
    field_class = ParentField


class TrueFalseField(forms.CharField):
    """`true` or `false`, and nothing else (NullBooleanField would ignore the rest)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError("true or false.")
        return value == "true"


class TrueFalseFilter(django_filters.Filter):
    field_class = TrueFalseField


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
    tags = TagsFilter(
        method="filter_tags",
        help_text="Comma-separated tag names (any letter case): tasks that have all of them.",
    )
    untagged = TrueFalseFilter(
        method="filter_untagged",
        help_text="true: only tasks without tags; false: only tasks with some.",
    )
    parent = ParentFilter(
        method="filter_parent",
        help_text="A task's id: only its subtasks; `none`: only top-level tasks.",
    )
    due_before = DueDateFilter(
        field_name="due_at",
        lookup_expr="lte",
        help_text="Due at or before this ISO 8601 date-time (an all-day task: at the end "
        "of its day in the caller's time zone).",
    )
    due_after = DueDateFilter(
        field_name="due_at",
        lookup_expr="gte",
        help_text="Due at or after this ISO 8601 date-time (an all-day task: at the end "
        "of its day in the caller's time zone).",
    )
    due = django_filters.ChoiceFilter(
        choices=DUE_CHOICES,
        method="filter_due",
        help_text="In the caller's time zone: due `today`; `overdue` (pending, due before "
        "now; an all-day task once its day is over); due in the `next_7_days` (today and "
        "the six days after it); or `none` (no due date or day).",
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES,
        method="filter_sort",
        help_text="Sort key, `-` prefix for descending (default -created, the model's ordering). "
        "Tasks without a due date or priority come last either way.",
    )

    class Meta:
        model = Task
        fields = [
            "status",
            "list",
            "priority",
            "search",
            "tags",
            "untagged",
            "parent",
            "due_before",
            "due_after",
            "due",
            "sort",
        ]

    form_class = None  # built on first use

    def __init__(self, data=None, queryset=None, *, owner_id=None, time_zone=None, **kwargs):
        # owner_id: whose tags the `tags` filter names (read by key, once);
        # time_zone: theirs, where `due` reckons its days.
        super().__init__(data, queryset, **kwargs)
        self.owner_id = owner_id
        self.time_zone = time_zone
        self.named_tags = None  # {key: (id, task_count)}, once filter_tags has read them

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

    def filter_due(self, queryset, name, value):
        if value == "none":
            return queryset.filter(due_at__isnull=True)
        now = timezone.now()
        if value == "overdue":
            return queryset.filter(completed=False, due_at__lt=now)
        day = dates.today(self.time_zone, now)
        days = 1 if value == "today" else 7
        return queryset.filter(
            due_at__gte=dates.start_of_day(day, self.time_zone),
            due_at__lt=dates.start_of_day(day + timedelta(days=days), self.time_zone),
        )

    @extend_schema_field({"type": "string", "pattern": TAGS_PATTERN})
    def filter_tags(self, queryset, name, value):
        # The tags' ids are read first and compared as values: the planner then
        # knows how common each tag is, which it cannot know of a key matched
        # through a join (docs/PERFORMANCE.md, "Tags, subtasks and order").
        found = Tag.objects.filter(user_id=self.owner_id, key__in=value)
        self.named_tags = {
            key: (pk, count) for key, pk, count in found.values_list("key", "id", "task_count")
        }
        if len(self.named_tags) < len(value):
            return queryset.none()  # a tag the owner does not have: no task has it
        for tag_id, _ in self.named_tags.values():
            queryset = queryset.filter(
                Exists(TaskTag.objects.filter(task_id=OuterRef("pk"), tag_id=tag_id))
            )
        return queryset

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_untagged(self, queryset, name, value):
        tagged = Exists(TaskTag.objects.filter(task_id=OuterRef("pk")))
        return queryset.filter(~tagged if value else tagged)

    @extend_schema_field({"type": "string", "pattern": PARENT_PATTERN})
    def filter_parent(self, queryset, name, value):
        if value == "none":
            return queryset.filter(parent__isnull=True)
        return queryset.filter(parent_id=value)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*sort_ordering(value))

    def kept_count(self, query) -> int | None:
        """How many tasks match, from the counts the database keeps (migration 0006),
        for a list filtered by one list (and perhaps completion) or by one tag; None
        for any other filter. Read after `qs`.

        One query at most, whatever the number of tasks: such a list reads its
        page by index, and counting its matches would be all the cost.
        """
        cleaned = self.form.cleaned_data
        given = query.keys() - NOT_FILTERS
        status = cleaned.get("status") or "all"
        if given <= {"list", "status"} and "list" in given:
            lists = TaskList.objects.filter(user_id=self.owner_id, pk=cleaned["list"])
            row = lists.values_list("task_count", "completed_count").first()
            total, completed = row or (0, 0)
            return {"all": total, "pending": total - completed, "completed": completed}[status]
        if given <= {"tags", "status"} and "tags" in given and status == "all":
            if self.named_tags is not None and len(cleaned["tags"]) == 1:
                return sum(count for _, count in self.named_tags.values())
        return None


# Query parameters that do not change which tasks match.
NOT_FILTERS = {"sort", "page", "page_size"}


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


class NotificationFilter(django_filters.FilterSet):
    """The query parameters of the notification list (tasks.notifications applies them)."""

    read = TrueFalseFilter(
        method="filter_read", help_text="`true`: only the read ones; `false`: only the unread."
    )

    class Meta:
        model = Notification
        fields = ["read"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_read(self, queryset, name, value):
        return queryset if value is None else queryset.filter(read_at__isnull=not value)
