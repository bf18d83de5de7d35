"""KeyLookup reads the very instance the ORM's get() would, on every database."""

from datetime import UTC, datetime

import pytest

from accounts.models import User
from conftest import TaskFactory, UserFactory
from tasks.models import OWNED_TASK, Task
from todo_project.key_lookup import KeyLookup

pytestmark = pytest.mark.django_db


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_a_user_is_read_as_get_reads_it():
    user = UserFactory(name="Zoë")
    user.last_login = datetime(2026, 1, 2, 3, 4, 5, 678901, UTC)
    user.save()

    found = KeyLookup(User, "id").get(user.pk)

    expected = User.objects.get(pk=user.pk)
    assert field_values(found) == field_values(expected)
    assert found.last_login.tzinfo is not None
    assert isinstance(found.is_active, bool)
    assert found._state.db == "default"
    assert found._state.adding is False


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {
            "description": "text",
            "priority": "high",
            "completed": True,
            "due_date": datetime(2027, 1, 2, 3, 4, 5, 6, UTC),
        },
    ],
)
def test_a_task_is_read_as_get_reads_it(user, fields):
    task = TaskFactory(user=user, **fields)

    found = OWNED_TASK.get(user.pk, task.pk)

    assert field_values(found) == field_values(Task.objects.get(pk=task.pk))


def test_another_owners_task_and_an_unknown_id_are_none(user, other_user):
    task = TaskFactory(user=other_user)
    assert OWNED_TASK.get(user.pk, task.pk) is None
    assert OWNED_TASK.get(other_user.pk, UserFactory().pk) is None


def test_one_query(user, django_assert_num_queries):
    task = TaskFactory(user=user)
    with django_assert_num_queries(1):
        OWNED_TASK.get(user.pk, task.pk)


def test_keys_must_name_one_row():
    with pytest.raises(ValueError, match="unique"):
        KeyLookup(Task, "user")
