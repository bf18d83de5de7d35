"""A task belongs to exactly one user; completion state and its timestamp move together.

Every write bumps `version`, which the API sends as the task's ETag: a
client that read version N can make its change conditional on the task
still being at version N (If-Match), so no update is lost silently.
"""

import uuid
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Max, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from tasks.dates import due_moment

TITLE_MAX_LENGTH = 200
EDITABLE_FIELDS = ["title", "description", "completed", "priority", "due_date"]
# Everything a task is, apart from its owner: what the API shows (with
# user_id) and what an export carries.
EXPORTED_FIELDS = [
    "id",
    "title",
    "description",
    "completed",
    "completed_at",
    "priority",
    "due_date",
    "due_on",
    "recurrence",
    "recur_from",
    "created_at",
    "updated_at",
]
DESCRIPTION_MAX_LENGTH = 1000


class RecurFrom(models.TextChoices):
    DUE = "due", "due"
    COMPLETION = "completion", "completion"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


# Sorting by priority means by importance, not alphabetically.
PRIORITY_RANK = Case(
    When(priority=Priority.LOW, then=Value(1)),
    When(priority=Priority.MEDIUM, then=Value(2)),
    When(priority=Priority.HIGH, then=Value(3)),
    default=Value(None),
    output_field=models.IntegerField(),
)


def versions_in(etags: list[str]) -> list[int]:
    """The versions named by a list of ETags (as sent in If-Match); others are ignored."""
    return [int(tag[1:-1]) for tag in etags if tag[1:-1].isdigit()]


class TaskQuerySet(models.QuerySet):
    def set_completed(self, completed: bool | None) -> int:
        """Set (True/False) or toggle (None) completion in one UPDATE statement.

        The admin's bulk actions use it; the API's complete endpoint runs the
        same change as plain SQL (tasks.store), held equal to this by tests.
        Every expression reads the row as it was before the statement, and the
        database locks the row for its duration, so concurrent toggles never
        read a stale value: two at once leave the task as it was.
        """
        return self.update(**completion_changes(completed, timezone.now()))

    def follow_time_zone(self, time_zone: str) -> None:
        """Work out again the due_at of the all-day tasks among these, for their
        owner's new time zone: each stays due on its day, which now ends elsewhen."""
        tasks = list(self.filter(due_on__isnull=False).only("id", "due_on"))
        for task in tasks:
            task.due_at = due_moment(None, task.due_on, time_zone)
        self.model.objects.bulk_update(tasks, ["due_at"], batch_size=500)

    def last_positions(self, *, list_ids, parent_ids) -> tuple[dict, dict]:
        """The last position among the top-level tasks of each list of list_ids, and
        among the subtasks of each parent of parent_ids (where there are any), by id:
        where writers in bulk (an import, seed_demo) put new tasks after them."""
        top_level = (
            self.filter(list_id__in=list_ids, parent__isnull=True)
            .values("list_id")
            .annotate(last=Max("position"))
            .values_list("list_id", "last")
        )
        subtasks = (
            self.filter(parent_id__in=parent_ids)
            .values("parent_id")
            .annotate(last=Max("position"))
            .values_list("parent_id", "last")
        )
        return dict(top_level), dict(subtasks)


def completion_changes(completed: bool | None, now) -> dict:
    """The new values of a completion change (see TaskQuerySet.set_completed)."""
    if completed is None:
        return {
            "completed": Case(When(completed=True, then=Value(False)), default=Value(True)),
            "completed_at": Case(When(completed=True, then=Value(None)), default=Value(now)),
            "updated_at": now,
            "version": F("version") + 1,
        }
    return {
        "completed": completed,
        "completed_at": Case(
            When(completed=completed, then=F("completed_at")),
            default=Value(now if completed else None),
        ),
        "updated_at": now,
        "version": F("version") + 1,
    }


LIST_NAME_MAX_LENGTH = 100
TAG_NAME_MAX_LENGTH = 50
TAGS_PER_TASK = 20
INBOX_NAME = "Inbox"
COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"


class TaskList(models.Model):
    """A user's list of tasks, in the user's own order (`position`).

    Every user has exactly one Inbox (`is_inbox`), made with the account
    (tasks.lists): the list a task goes to when none is named, and the one
    list that cannot be deleted. Deleting another list deletes its tasks.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_lists"
    )
    name = models.CharField(max_length=LIST_NAME_MAX_LENGTH)
    # "#RRGGBB" (COLOR_PATTERN, checked by the API and the admin's form), or none.
    color = models.CharField(  # noqa: DJ001
        max_length=7, null=True, blank=True, validators=[RegexValidator(COLOR_PATTERN)]
    )
    # Ordered by position, then id: positions leave gaps so that a move
    # writes one row (tasks.order).
    position = models.BigIntegerField()
    is_inbox = models.BooleanField(default=False, editable=False)
    # How many tasks the list holds, and how many of them are completed: kept
    # by the database's triggers (migration 0006), like TaskCounts, so that a
    # list filtered by list counts its matches without counting rows.
    task_count = models.PositiveIntegerField(default=0, editable=False)
    completed_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["user", "position"], name="tasklist_user_position_idx")]
        constraints = [
            models.UniqueConstraint(Lower("name"), "user", name="tasklist_name_unique_ci"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_inbox=True), name="tasklist_one_inbox"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="tasklist_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def pending_count(self) -> int:
        return self.task_count - self.completed_count


def tag_key(name: str) -> str:
    """What makes two tag names the same tag: their case-folded spelling.

    Folded here rather than by the database's LOWER, which SQLite applies
    to ASCII letters only: "Ärger" and "ärger" are one tag on every database.
    """
    return name.casefold()


class Tag(models.Model):
    """A label of a user's tasks, named in a task's body and made on first use.

    One tag whatever the letter case (`key`); it keeps the spelling of its
    first use until renamed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH)
    # tag_key(name); folding can lengthen a name (ß is ss), hence the room.
    key = models.CharField(max_length=3 * TAG_NAME_MAX_LENGTH, editable=False)
    # How many tasks have it: kept by the database's triggers (migration 0006).
    task_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="tag_key_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="tag_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = tag_key(self.name)
        super().save(*args, **kwargs)

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class DueAtField(models.DateTimeField):
    """Task.due_at, worked out from the due fields whenever the ORM writes the task
    (save, create, bulk_create): no writer can forget it. tasks.store, which
    writes with plain SQL, works it out with the same function."""

    def pre_save(self, task, add):
        value = task.effective_due()
        setattr(task, self.attname, value)
        return value


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    # Another of the same user's lists; the Inbox unless one is named.
    list = models.ForeignKey(TaskList, on_delete=models.CASCADE, related_name="tasks")
    # A subtask's parent: a top-level task of the same user and list (one
    # level only, checked by tasks.store and Task.clean).
    # No index of its own: task_parent_position_idx starts with it.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subtasks",
        db_index=False,
    )
    # Order among the task's siblings (the top-level tasks of its list, or the
    # subtasks of its parent), then id: gaps let a move write one row (tasks.order).
    position = models.BigIntegerField(default=0)
    tags = models.ManyToManyField(Tag, through="TaskTag", related_name="tasks", blank=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Null means "not set" for both fields below, and the API returns it as such.
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, null=True, blank=True)  # noqa: DJ001
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    priority = models.CharField(  # noqa: DJ001
        max_length=6, choices=Priority.choices, null=True, blank=True
    )
    due_date = models.DateTimeField(null=True, blank=True)
    # An all-day task is due on a day of its owner's calendar instead (and
    # due_date is then null): the day stays whatever their time zone becomes.
    due_on = models.DateField(null=True, blank=True)
    # An RFC 5545 RRULE (tasks.recurrence), or none; it needs a due date or day.
    recurrence = models.CharField(max_length=500, null=True, blank=True)  # noqa: DJ001
    # Whence the next occurrence is reckoned when the task is completed.
    recur_from = models.CharField(
        max_length=10, choices=RecurFrom.choices, default=RecurFrom.DUE, db_default=RecurFrom.DUE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # When the task is due as one instant (tasks.dates.due_moment): due_date,
    # or the end of the due_on day in the owner's time zone. What sort=due_date
    # orders by and the due filters compare; written with the due fields.
    due_at = DueAtField(null=True, blank=True, editable=False)
    # The series' start (DTSTART): the due the task had when its rule or its
    # due was last set; COUNT counts from it (tasks.recurrence). Kept as the
    # due's own two fields.
    recurrence_start_date = models.DateTimeField(null=True, blank=True, editable=False)
    recurrence_start_on = models.DateField(null=True, blank=True, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="task_user_created_idx"),
            models.Index(fields=["user", "completed"], name="task_user_completed_idx"),
            models.Index(fields=["user", "due_at"], name="task_user_due_at_idx"),
            models.Index(fields=["list", "-created_at"], name="task_list_created_idx"),
            models.Index(fields=["list", "parent", "position"], name="task_list_position_idx"),
            models.Index(fields=["parent", "position"], name="task_parent_position_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed=True, completed_at__isnull=False)
                | Q(completed=False, completed_at__isnull=True),
                name="task_completed_at_matches_completed",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="task_title_not_empty"),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_on__isnull=True),
                name="task_due_at_an_instant_or_on_a_day",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values) | Q(priority__isnull=True),
                name="task_priority_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Insert, or overwrite whatever is stored (the admin's form save)."""
        self.sync_completed_at()
        overwrite = not self._state.adding
        if overwrite:
            self.version = F("version") + 1
        super().save(*args, **kwargs)
        if overwrite:
            self.refresh_from_db(fields=["version"])

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    def effective_due(self):
        """The due_at the due fields give (tasks.dates.due_moment)."""
        time_zone = self.owner_time_zone if self.due_on is not None else None
        return due_moment(self.due_date, self.due_on, time_zone)

    @cached_property
    def owner_time_zone(self) -> str:
        # Set by a writer that knows it already (tasks.store), or read here.
        return self.user.time_zone

    # What the API shows beyond the task's columns. tasks.store reads them
    # with the task, in the same statement, and sets them; a task loaded
    # otherwise (the admin, a command) reads them here, a query each.
    @cached_property
    def tag_names(self) -> "list[str]":
        return sorted(self.tags.values_list("name", flat=True), key=tag_key)

    @cached_property
    def subtask_count(self) -> int:
        return self.subtasks.count()

    @cached_property
    def completed_subtask_count(self) -> int:
        return self.subtasks.filter(completed=True).count()

    @cached_property
    def reminder_rows(self) -> list:
        from tasks.reminders import stored  # which imports this module

        return stored(self.pk)

    def clean(self):
        super().clean()
        if self.list_id is not None and self.user_id is not None:
            if not TaskList.objects.filter(pk=self.list_id, user_id=self.user_id).exists():
                raise ValidationError({"list": "A task's list is one of its owner's lists."})
        if self.parent_id is not None:
            parent = Task.objects.filter(pk=self.parent_id).first()
            if parent is None or parent.user_id != self.user_id or parent.list_id != self.list_id:
                raise ValidationError({"parent": "A parent is a task of the same owner and list."})
            if parent.pk == self.pk:
                raise ValidationError({"parent": "A task cannot be its own parent."})
            if parent.parent_id is not None:
                raise ValidationError({"parent": "A subtask cannot have subtasks."})
            if not self._state.adding and self.subtasks.exists():
                raise ValidationError({"parent": "A task with subtasks cannot become one."})

    def sync_completed_at(self):
        if self.completed and self.completed_at is None:
            self.completed_at = timezone.now()
        elif not self.completed:
            self.completed_at = None


class TaskTag(models.Model):
    """A tag on a task (the through table of Task.tags)."""

    # No indexes of their own: the two below start with one each.
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="task_links", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "tag"], name="tasktag_unique"),
        ]
        # The unique index serves a task's tags; this one a tag's tasks.
        indexes = [models.Index(fields=["tag", "task"], name="tasktag_tag_task_idx")]

    def __str__(self):
        return f"{self.tag_id} on {self.task_id}"


def follow_owner_time_zone(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """A post_save receiver of the user model (TasksConfig.ready): when a user's time
    zone may have changed, their all-day tasks' due_at and reminders follow it."""
    from tasks.reminders import reschedule_tasks  # which imports this module

    if created or raw or (update_fields is not None and "time_zone" not in update_fields):
        return
    tasks = Task.objects.filter(user_id=instance.pk)
    tasks.follow_time_zone(instance.time_zone)
    # Reminders before the due of an all-day task count from a time of its day.
    reschedule_tasks(tasks.filter(due_on__isnull=False))


class TaskCompletion(models.Model):
    """An occurrence of a recurring task, completed: the due it had, and when."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="completions")
    due_date = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    # The occurrence as one instant (Task.due_at): each is completed once.
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["-completed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "due_at"], name="taskcompletion_once"),
        ]
        indexes = [
            models.Index(fields=["task", "-completed_at"], name="taskcompletion_task_idx"),
        ]

    def __str__(self):
        return f"{self.task_id} due {self.due_at:%Y-%m-%d %H:%M}"


class TaskCounts(models.Model):
    """How many tasks a user has, and how many of them are completed.

    Kept by the database itself: triggers (migration 0004) adjust it on every
    insert, delete and update of a task, whatever the writer (the API, the
    admin, a command, a cascade, plain SQL). The application only reads it
    (`recount_tasks` repairs it after writes that bypassed the triggers): a
    list filtered on completion alone takes its X-Total-Count from here
    rather than counting rows, which would take time in proportion to the
    user's tasks. A user who never had a task has no row (zero tasks).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="task_counts",
    )
    total = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "task counts"

    def __str__(self):
        return f"{self.completed}/{self.total}"


REMINDERS_PER_TASK = 5
# A reminder before the due: up to four weeks.
REMINDER_MAX_MINUTES = 40320


class Reminder(models.Model):
    """A reminder of a task: at an instant (`at`), or some minutes before its due.

    `fire_at` is when it fires, worked out from the task by tasks.reminders
    whenever the task's due, completion or reminders change; `pending` says
    it is still to be delivered there (tasks.delivery clears it when it is).
    """

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    # The order the owner gave them in.
    position = models.PositiveSmallIntegerField()
    at = models.DateTimeField(null=True, blank=True)
    before_due_minutes = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(REMINDER_MAX_MINUTES)]
    )
    fire_at = models.DateTimeField(null=True, blank=True, editable=False)
    pending = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["task", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at__isnull=False, before_due_minutes__isnull=True)
                | Q(at__isnull=True, before_due_minutes__isnull=False),
                name="reminder_at_or_before_due",
            ),
            models.CheckConstraint(
                condition=Q(before_due_minutes__lte=REMINDER_MAX_MINUTES),
                name="reminder_before_due_at_most_four_weeks",
            ),
        ]
        indexes = [
            # A task's reminders, read with the task (tasks.reminders).
            models.Index(fields=["task", "position"], name="reminder_task_idx"),
            # What the worker looks for: the pending ones, by time.
            models.Index(
                fields=["fire_at"], condition=Q(pending=True), name="reminder_pending_idx"
            ),
        ]

    def __str__(self):
        if self.at is not None:
            return f"at {self.at:%Y-%m-%d %H:%M}"
        return f"{self.before_due_minutes} minutes before due"

    def clean(self):
        # The check constraint's rule, as a form error (the admin's inline).
        super().clean()
        if (self.at is None) == (self.before_due_minutes is None):
            raise ValidationError({"at": "Give a time or minutes before the due: one of the two."})


class Notification(models.Model):
    """A reminder delivered to its owner: what it was about, and whether they read it.

    It outlives the task and the reminder (their ids are kept, not linked).
    A reminder is delivered once at each time it fires: `(reminder_id,
    fire_at)` is unique, whichever worker delivers it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    task_id = models.UUIDField(null=True, blank=True)
    reminder_id = models.BigIntegerField(null=True, blank=True)
    # The task as it was when the reminder fired.
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    due_date = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    fire_at = models.DateTimeField()
    delivered_at = models.DateTimeField()
    # It fell due while no worker ran, or was delivered well after its time
    # (tasks.delivery).
    late = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-delivered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder_id", "fire_at"], name="notification_once_per_firing"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-delivered_at"], name="notification_user_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.fire_at:%Y-%m-%d %H:%M})"

    @property
    def read(self) -> bool:
        return self.read_at is not None


class WorkerRun(models.Model):
    """When the worker last looked for reminders to deliver, and what it found
    (one row per job; `/health/ready` and `manage.py worker_status` show it)."""

    job = models.CharField(max_length=50, primary_key=True)
    finished_at = models.DateTimeField()
    delivered = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.job} at {self.finished_at:%Y-%m-%d %H:%M:%S}"
