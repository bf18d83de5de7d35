"""A task belongs to exactly one user; completion state and its timestamp move together."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 1000


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


class TaskQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(user=user)

    def set_completed(self, completed: bool | None) -> int:
        """Set (True/False) or toggle (None) completion in one UPDATE statement.

        Every expression reads the row as it was before the statement, and the
        database locks the row for its duration, so concurrent toggles never
        read a stale value: two at once leave the task as it was.
        """
        now = timezone.now()
        if completed is None:
            return self.update(
                completed=Case(When(completed=True, then=Value(False)), default=Value(True)),
                completed_at=Case(When(completed=True, then=Value(None)), default=Value(now)),
                updated_at=now,
            )
        return self.update(
            completed=completed,
            completed_at=Case(
                When(completed=completed, then=F("completed_at")),
                default=Value(now if completed else None),
            ),
            updated_at=now,
        )


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Null means "not set" for both fields below, and the API returns it as such.
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, null=True, blank=True)  # noqa: DJ001
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    priority = models.CharField(  # noqa: DJ001
        max_length=6, choices=Priority.choices, null=True, blank=True
    )
    due_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="task_user_created_idx"),
            models.Index(fields=["user", "completed"], name="task_user_completed_idx"),
            models.Index(fields=["user", "due_date"], name="task_user_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed=True, completed_at__isnull=False)
                | Q(completed=False, completed_at__isnull=True),
                name="task_completed_at_matches_completed",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="task_title_not_empty"),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values) | Q(priority__isnull=True),
                name="task_priority_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.sync_completed_at()
        super().save(*args, **kwargs)

    def sync_completed_at(self):
        if self.completed and self.completed_at is None:
            self.completed_at = timezone.now()
        elif not self.completed:
            self.completed_at = None
