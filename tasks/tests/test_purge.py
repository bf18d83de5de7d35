"""purge_completed counts the tasks it deletes, not the rows that go with them."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tasks.models import Reminder, Tag, Task, TaskTag
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_a_purged_task_with_tags_and_reminders_counts_once(user, capsys):
    task = TaskFactory(user=user, completed=True)
    Task.objects.filter(pk=task.pk).update(completed_at=timezone.now() - timedelta(days=40))
    TaskTag.objects.create(task=task, tag=Tag.objects.create(user=user, name="home"))
    Reminder.objects.create(task=task, position=0, at=timezone.now())

    call_command("purge_completed", "--older-than", "30")

    assert "Deleted 1 completed task(s)" in capsys.readouterr().out
    assert not Task.objects.exists()
    assert not Reminder.objects.exists()
