"""Claiming, completing and replaying idempotency keys.

The common path costs two queries: one INSERT that claims the key (or finds
it taken, without raising, so no savepoint is needed) and one UPDATE that
stores the response once the work is done.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, connection
from django.utils import timezone
from rest_framework import exceptions

from idempotency.models import KEY_MAX_LENGTH, IdempotencyKey

logger = logging.getLogger(__name__)
KEY_LIFETIME = timedelta(hours=24)
# A claim with no response after this long belongs to a request that died
# (worker killed, database lost): the key may be claimed again. Twice the
# gunicorn worker timeout, past which no request can still be running.
ABANDONED_AFTER = timedelta(seconds=60)
HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Location", "ETag")


class KeyInFlight(exceptions.APIException):
    status_code = 409
    default_detail = (
        "A request with this Idempotency-Key is still being processed. Retry in a moment."
    )
    default_code = "idempotency_key_in_flight"


class KeyReused(exceptions.APIException):
    status_code = 422
    default_detail = (
        "This Idempotency-Key was already used with a different request body. "
        "Use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


@dataclass(frozen=True)
class Replay:
    status: int
    body: object
    headers: dict


def valid_key(raw: str | None) -> str | None:
    """The key from the header, None when absent; 400 when it cannot be a key."""
    if raw is None:
        return None
    if not 1 <= len(raw) <= KEY_MAX_LENGTH or not raw.isprintable():
        raise exceptions.ValidationError(
            {HEADER: [f"Must be 1 to {KEY_MAX_LENGTH} printable characters."]}
        )
    return raw


def fingerprint(body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def idempotency_claim(*, user, key: str, body) -> IdempotencyKey | Replay:
    """Claim the key for this request, or return the first request's answer.

    Raises KeyReused (422) for another body under the same key and KeyInFlight
    (409) while the first request with the key is still running.
    """
    digest = fingerprint(body)
    claim = _insert_claim(user, key, digest)
    if claim is not None:
        return claim
    existing = IdempotencyKey.objects.filter(user=user, key=key).first()
    now = timezone.now()
    if (
        existing is None
        or existing.created_at < now - KEY_LIFETIME
        or (existing.in_flight and existing.created_at < now - ABANDONED_AFTER)
    ):
        # Expired or abandoned: forget it and claim afresh (rare path).
        IdempotencyKey.objects.filter(
            user=user, key=key, created_at__lt=now - ABANDONED_AFTER
        ).delete()
        claim = _insert_claim(user, key, digest)
        if claim is not None:
            return claim
        raise KeyInFlight()
    if existing.fingerprint != digest:
        raise KeyReused()
    if existing.in_flight:
        raise KeyInFlight()
    return Replay(existing.response_status, existing.response_body, existing.response_headers)


def idempotency_complete(*, claim: IdempotencyKey, response) -> None:
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    IdempotencyKey.objects.filter(pk=claim.pk).update(
        response_status=response.status_code, response_body=response.data, response_headers=headers
    )


def idempotency_release(*, claim: IdempotencyKey) -> None:
    """Forget a claim whose request failed, so that a corrected retry can use the key.

    If the database is what failed, the claim stays until it counts as
    abandoned (ABANDONED_AFTER); until then a retry is told 409.
    """
    try:
        IdempotencyKey.objects.filter(pk=claim.pk, response_status__isnull=True).delete()
    except DatabaseError:
        logger.warning("Could not release idempotency key %s; it will expire.", claim.pk)


def idempotency_purge_expired() -> int:
    deleted, _ = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - KEY_LIFETIME
    ).delete()
    return deleted


def _insert_claim(user, key: str, digest: str) -> IdempotencyKey | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new claim, or None if taken.

    The ORM has no statement that both skips a conflicting row and tells
    whether it did; catching IntegrityError instead would need a savepoint
    around the INSERT. Both SQLite (3.35+) and PostgreSQL run this as is.
    """
    claim = IdempotencyKey(user=user, key=key, fingerprint=digest)
    table = IdempotencyKey._meta.db_table
    columns = ["user", "key", "fingerprint", "created_at", "response_headers"]
    fields = [IdempotencyKey._meta.get_field(name) for name in columns]
    values = [field.get_db_prep_save(field.pre_save(claim, True), connection) for field in fields]
    quote = connection.ops.quote_name
    # Only names taken from the model are formatted in; values are parameters.
    into = f"{quote(table)} ({', '.join(quote(f.column) for f in fields)})"
    target = f"{quote('user_id')}, {quote('key')}"
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {into} VALUES ({placeholders}) ON CONFLICT ({target}) DO NOTHING RETURNING id"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return None
    claim.pk = row[0]
    return claim
