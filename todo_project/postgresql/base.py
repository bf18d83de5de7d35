"""Django's PostgreSQL backend, with two costs per request taken out.

Timestamps. Django registers its own `timestamptz` loader on every
connection: a Python subclass of psycopg's loader whose only addition is to
attach Django's time zone to each value. Being a Python class, it parses
every timestamp in Python, about 8 µs each; a page of 100 tasks holds 300 of
them, a quarter of a list request's time. Here the session time zone is
always UTC (settings.TIME_ZONE, which Django sets on every connection), so
psycopg's own loader already returns what Django's would: aware datetimes
in `datetime.timezone.utc`. Registered by its public class, psycopg swaps in
the compiled version from its binary package (about 20 times faster). It is
registered once on each new connection, whose cursors share it: Django's own
cursor setup, which reads a time zone off the connection's loader and copies
the cursor's adapters when it differs, is not needed and is skipped.

Health checks. CONN_HEALTH_CHECKS sends `SELECT 1` before the first query
of every request on a persistent connection: a round trip that costs a
worker about 0.3 ms, plus PostgreSQL's share. Like connection pools do
(PgBouncer's `server_check_delay`, HikariCP's `aliveBypassWindowMs`), a
connection checked or opened less than HEALTH_CHECK_INTERVAL ago is trusted
without a new check. A connection that idled longer (a restarted server, a
Neon compute that was suspended) is still checked and replaced before the
request uses it. What this gives up: if the server restarts within that
second, the one request that finds the connection dead gets the usual 503
(Retry-After) and the next one reconnects.
"""

import time

from django.db.backends.postgresql import base
from django.db.backends.postgresql.base import ServerSideCursor
from psycopg.types.datetime import TimestamptzLoader

HEALTH_CHECK_INTERVAL = 1.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    checked_at = float("-inf")  # when the connection was last opened or found healthy

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader("timestamptz", TimestamptzLoader)
        return connection

    def create_cursor(self, name=None):
        if name is None:
            return self.connection.cursor()
        # A server-side cursor (QuerySet.iterator()), made as Django makes it.
        if self.settings_dict["OPTIONS"].get("server_side_binding") is not True:
            return ServerSideCursor(
                self.connection, name=name, scrollable=False, withhold=self.connection.autocommit
            )
        return self.connection.cursor(name, scrollable=False, withhold=self.connection.autocommit)

    def connect(self):
        super().connect()
        self.checked_at = time.monotonic()

    def close_if_health_check_failed(self):
        if self.health_check_done or self.connection is None:
            return
        if time.monotonic() - self.checked_at < HEALTH_CHECK_INTERVAL:
            self.health_check_done = True  # opened or found healthy just now: trusted
            return
        super().close_if_health_check_failed()
        if self.connection is not None:
            self.checked_at = time.monotonic()
