import uuid

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_is_identified_by_a_uuid():
    assert isinstance(UserFactory().pk, uuid.UUID)


def test_user_email_is_stored_lowercased():
    user = UserFactory(email="  Ann@Example.ORG ")

    assert User.objects.get(pk=user.pk).email == "ann@example.org"


def test_database_refuses_an_email_that_differs_only_in_case():
    UserFactory(email="ann@example.org")

    # bulk_create skips save(), so the lowercasing there cannot hide a missing index.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="ANN@example.org")])

    assert list(User.objects.values_list("email", flat=True)) == ["ann@example.org"]
