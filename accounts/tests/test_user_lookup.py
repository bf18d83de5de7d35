"""`User.objects.get(id=...)`, every authenticated request's lookup, answers as the queryset does.

It is one plain SQL statement (UserManager.get); run on SQLite and PostgreSQL.
"""

import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import USER_FIELD_NAMES, User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def field_values(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


@pytest.mark.parametrize("key", ["id", "pk"])
def test_a_user_is_read_as_the_queryset_reads_it(key):
    user = UserFactory(name="Zoë")
    user.last_login = datetime(2026, 1, 2, 3, 4, 5, 678901, UTC)
    user.save()

    found = User.objects.get(**{key: user.pk})

    expected = User.objects.filter(pk=user.pk).get()
    assert field_values(found) == field_values(expected)
    assert found.get_deferred_fields() == set()
    assert found.last_login.tzinfo is not None
    assert isinstance(found.is_active, bool)
    assert found._state.db == "default"
    assert found._state.adding is False


def test_the_statement_names_every_column_of_a_user():
    assert [field.attname for field in User._meta.concrete_fields] == USER_FIELD_NAMES


@pytest.mark.parametrize("user_id", [uuid.uuid4(), str(uuid.uuid4()), 42, None])
def test_no_such_user_is_does_not_exist(user_id):
    UserFactory()
    with pytest.raises(User.DoesNotExist):
        User.objects.get(id=user_id)
    with pytest.raises(User.DoesNotExist):
        User.objects.filter(id=user_id).get()


@pytest.mark.parametrize("user_id", ["not-a-uuid", ["list"]])
def test_a_value_that_cannot_be_an_id_is_a_validation_error(user_id):
    with pytest.raises(ValidationError):
        User.objects.get(id=user_id)


def test_other_lookups_are_the_querysets():
    user = UserFactory(email="someone@example.org")
    assert User.objects.get(email="someone@example.org") == user
    assert User.objects.get(pk=user.pk, is_active=True) == user


def test_one_query(django_assert_num_queries):
    user = UserFactory()
    with django_assert_num_queries(1):
        User.objects.get(id=user.pk)
