"""Idempotency keys on their own: fingerprints, what a key may be, and their expiry."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from idempotency.models import IdempotencyKey
from idempotency.services import KEY_LIFETIME, fingerprint, idempotency_purge_expired, valid_key


def test_a_fingerprint_ignores_key_order_and_spacing():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


@pytest.mark.parametrize("raw", ["", "x" * 256, "tab\there", "new\nline"])
def test_a_key_that_cannot_be_one_is_refused(raw):
    with pytest.raises(ValidationError):
        valid_key(raw)


def test_no_header_is_no_key_and_a_printable_one_is_kept():
    assert valid_key(None) is None
    assert valid_key("order-42 (retry)") == "order-42 (retry)"


@pytest.mark.django_db
def test_only_keys_older_than_their_lifetime_are_purged(user):
    IdempotencyKey.objects.create(user=user, key="old", fingerprint="x" * 64)
    IdempotencyKey.objects.create(user=user, key="recent", fingerprint="x" * 64)
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - KEY_LIFETIME - timedelta(seconds=1)
    )

    assert idempotency_purge_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]


@pytest.mark.django_db
def test_expired_keys_are_removed_by_a_command(user):
    IdempotencyKey.objects.create(user=user, key="old", fingerprint="x" * 64)
    IdempotencyKey.objects.create(user=user, key="new", fingerprint="x" * 64)
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=2))

    call_command("purge_idempotency_keys")

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
