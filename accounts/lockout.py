"""Failed password checks, counted so that they lock out the attacker, not the owner.

Every check of a password goes through a PasswordAttempt: the API's and the
admin's login (through accounts.backends), the password change, the
account's deletion and a change of its email. Failures are counted in fixed
windows in three buckets, each with its limit in
settings.PASSWORD_FAILURE_LIMITS, and an attempt is refused with a 429 while
any of its buckets is full:

- the email and the client address together: one client guessing one account;
- the client address: one client guessing many accounts;
- the email alone, with a higher limit: many clients guessing one account,
  slowly or not. Only this bucket can refuse the owner, and only once many
  addresses have failed.

A correct password empties the first bucket (that client knows it) and
leaves the other two: logging in to an account of one's own must not wipe
an address's failures against others.

The counts are rows of one table, each failure added by a single upsert, so
workers and processes share them exactly (a cache's read-then-write loses
increments to concurrent failures). Checks already running when a bucket
fills are not refused: at most one per worker beyond a limit.
"""

import math
import time

from django.conf import settings
from django.db import connection
from rest_framework import exceptions

from accounts.models import User, normalize_email
from accounts.throttling import key_digest
from api.throttling import client_address

# Plain SQL, the same on SQLite and PostgreSQL (both have upserts).
COUNTED_BUCKETS = """
SELECT bucket, failures, window_ends FROM accounts_passwordfailures
WHERE bucket IN (%s, %s, %s) AND window_ends > %s
"""

# A new window starts when the row's has ended.
COUNT_FAILURE = """
INSERT INTO accounts_passwordfailures AS f (bucket, failures, window_ends) VALUES (%s, 1, %s)
ON CONFLICT (bucket) DO UPDATE SET
    failures = CASE WHEN f.window_ends <= %s THEN 1 ELSE f.failures + 1 END,
    window_ends = CASE WHEN f.window_ends <= %s THEN excluded.window_ends ELSE f.window_ends END
"""

FORGET_ENDED = "DELETE FROM accounts_passwordfailures WHERE window_ends <= %s"
FORGET_BUCKET = "DELETE FROM accounts_passwordfailures WHERE bucket = %s"


class TooManyFailures(exceptions.Throttled):
    default_detail = "Too many failed password attempts."


class PasswordAttempt:
    """One check of a password for `email`, by the client that sent `request`."""

    def __init__(self, request, email: str):
        email = normalize_email(email or "")
        # Hashed: the email and the address (a header, behind a proxy) come
        # from the request and must fit the bucket column whatever they hold.
        address = client_address(request) if request is not None else ""
        self.buckets = {
            "email_address": "email_address:" + key_digest(f"{email}\n{address}"),
            "address": "address:" + key_digest(address),
            "email": "email:" + key_digest(email),
        }
        self.counted = set()  # the scopes with failures in their window, once looked up

    def refuse_if_locked(self) -> None:
        """Raise TooManyFailures (429, with Retry-After) while any bucket is full."""
        now = int(time.time())
        scope_of = {bucket: scope for scope, bucket in self.buckets.items()}
        limits = settings.PASSWORD_FAILURE_LIMITS
        with connection.cursor() as cursor:
            cursor.execute(COUNTED_BUCKETS, [*self.buckets.values(), now])
            rows = cursor.fetchall()
        self.counted = {scope_of[bucket] for bucket, _, _ in rows}
        waits = [
            window_ends - now
            for bucket, failures, window_ends in rows
            if failures >= limits[scope_of[bucket]][0]
        ]
        if waits:
            raise TooManyFailures(wait=max(1, math.ceil(max(waits))))

    def record(self, *, succeeded: bool) -> None:
        """Count a failure in every bucket; a success empties the email-and-address one."""
        if succeeded:
            if "email_address" in self.counted:  # else there is nothing to write
                with connection.cursor() as cursor:
                    cursor.execute(FORGET_BUCKET, [self.buckets["email_address"]])
            return
        now = int(time.time())
        # Each statement commits alone: none holds a row while it waits for
        # another, so concurrent failures can never deadlock.
        with connection.cursor() as cursor:
            # Ended windows are dropped here, on failures only, so the table
            # holds about the buckets of the last window.
            cursor.execute(FORGET_ENDED, [now])
            for scope, bucket in self.buckets.items():
                window = settings.PASSWORD_FAILURE_LIMITS[scope][1]
                cursor.execute(COUNT_FAILURE, [bucket, now + window, now, now])


def password_confirmed(request, user: User, password: str) -> bool:
    """Whether `password` is the user's, within the failure limits (else TooManyFailures)."""
    attempt = PasswordAttempt(request, user.email)
    attempt.refuse_if_locked()
    confirmed = user.check_password(password)
    attempt.record(succeeded=confirmed)
    return confirmed
