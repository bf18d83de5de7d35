"""Tasks for tests, made straight in the database."""

import factory

from accounts.tests.factories import UserFactory
from tasks.models import Task, TaskList


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    user = factory.SubFactory(UserFactory)
    list = factory.LazyAttribute(lambda task: TaskList.objects.get(user=task.user, is_inbox=True))
    title = factory.Sequence(lambda n: f"Task {n}")
