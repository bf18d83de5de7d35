"""Django's PostgreSQL backend, working around two upstream gaps that cost every request.

Timestamps: https://code.djangoproject.com/ticket/36960 (and psycopg's
https://github.com/psycopg/psycopg/issues/1273). Django registers its own
`timestamptz` loader on each connection, a subclass of psycopg's pure-Python
loader, so every timestamp is parsed in Python (about 8 µs each; a page of
100 tasks holds 300 of them) even when psycopg's compiled loader is
installed. This backend registers psycopg's loader by its public class,
which psycopg swaps for the compiled one. That loader returns datetimes in
the session's time zone, where Django's would force its own zone; the two
agree only while the session is in UTC, which Django sets on every
connection when USE_TZ is on and the database entry names no TIME_ZONE of
its own (settings.py), and which `init_connection_state` checks here.
Cursors then share the connection's loader: Django's cursor set-up, which
looks for its own loader's time zone, is skipped.

Health checks: https://code.djangoproject.com/ticket/30398, whose first
proposal (https://github.com/django/django/pull/11311) had a delay that
the merged CONN_HEALTH_CHECKS dropped. Django sends `SELECT 1` before the
first query of every request on a persistent connection, a round trip of
about 0.3 ms. As connection pools do (PgBouncer's `server_check_delay`,
HikariCP's `aliveBypassWindowMs`), a connection opened or found healthy less
than DATABASE_HEALTH_CHECK_INTERVAL seconds ago is trusted without a new
check; one idle for longer (a restarted server, a suspended Neon compute) is
still checked and replaced before the request uses it. What this gives up:
if the server restarts within the interval, the one request that finds the
connection dead gets the usual 503 (Retry-After) and the next reconnects.
"""

import time
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql import base
from django.db.backends.postgresql.base import ServerSideCursor
from psycopg.types.datetime import TimestamptzLoader


class DatabaseWrapper(base.DatabaseWrapper):
    checked_at = float("-inf")  # when the connection was last opened or found healthy

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader("timestamptz", TimestamptzLoader)
        return connection

    def init_connection_state(self):
        super().init_connection_state()
        if self.connection.info.timezone is not UTC:
            raise ImproperlyConfigured(
                f"The database session's time zone is {self.connection.info.timezone}, not UTC: "
                "timestamps would be read in it. Keep TIME_ZONE = 'UTC' and USE_TZ = True."
            )

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
        if time.monotonic() - self.checked_at < settings.DATABASE_HEALTH_CHECK_INTERVAL:
            self.health_check_done = True  # opened or found healthy just now: trusted
            return
        super().close_if_health_check_failed()
        if self.connection is not None:
            self.checked_at = time.monotonic()
