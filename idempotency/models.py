"""Idempotency keys: a client's retry of a POST returns the first answer instead of acting twice.

Keys live in the database so that they hold across worker processes and
hosts. A key belongs to one user; a row without a response is a request
still in flight.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_MAX_LENGTH = 255


class IdempotencyKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    # SHA-256 of the request body: the same key with another body is refused.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self):
        return f"{self.key} ({self.user_id})"

    @property
    def in_flight(self) -> bool:
        return self.response_status is None
