"""The PostgreSQL backend's changes: compiled timestamp loading, spaced health checks.

PostgreSQL only: on SQLite the project uses Django's own backend unchanged.
"""

import time
from datetime import UTC, datetime

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections
from psycopg.pq import Format

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL backend's own behaviour"
    ),
]


def test_timestamps_are_read_by_psycopgs_compiled_loader():
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(
            psycopg.postgres.types["timestamptz"].oid, Format.TEXT
        )
        cursor.execute("SELECT %s::timestamptz", [datetime(2026, 1, 2, 3, 4, 5, 6, UTC)])
        value = cursor.fetchone()[0]
    if psycopg.pq.__impl__ in ("c", "binary"):
        assert loader.__module__.startswith(("psycopg_c", "psycopg_binary"))
    assert value == datetime(2026, 1, 2, 3, 4, 5, 6, UTC)
    assert value.tzinfo is UTC  # what Django's own loader gives


def test_a_server_side_cursor_reads_timestamps_the_same_way():
    expiry = datetime(2026, 1, 2, 3, 4, 5, 6, UTC)
    Session.objects.bulk_create(
        Session(session_key=f"key{n}", session_data="", expire_date=expiry) for n in range(3)
    )
    # iterator() reads through a named (server-side) cursor on PostgreSQL.
    values = [session.expire_date for session in Session.objects.iterator(chunk_size=2)]
    assert values == [expiry] * 3
    assert all(value.tzinfo is UTC for value in values)


def test_a_session_not_in_utc_is_refused_at_connection_time(monkeypatch):
    # Django sets each new connection's session to the connection's time zone
    # name: UTC, unless the database entry names another TIME_ZONE.
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    monkeypatch.setitem(wrapper.__dict__, "timezone_name", "Europe/Paris")
    with pytest.raises(ImproperlyConfigured, match="not UTC"):
        wrapper.init_connection_state()
    monkeypatch.undo()
    wrapper.init_connection_state()
    assert wrapper.connection.info.timezone is UTC


@pytest.fixture
def checks(monkeypatch):
    """Count the health checks, and what a failed one closes."""
    calls = {"checks": 0, "closed": 0, "healthy": True}

    def is_usable():
        calls["checks"] += 1
        return calls["healthy"]

    monkeypatch.setattr(connection, "is_usable", is_usable)
    monkeypatch.setattr(connection, "close", lambda: calls.__setitem__("closed", 1))
    connection.ensure_connection()
    assert connection.health_check_enabled
    connection.health_check_done = False  # as at the start of a request
    return calls


def test_a_connection_checked_just_now_is_trusted(checks):
    connection.checked_at = time.monotonic()
    connection.close_if_health_check_failed()
    assert checks["checks"] == 0
    assert connection.health_check_done


def test_an_idle_connection_is_checked(checks, settings):
    connection.checked_at = time.monotonic() - settings.DATABASE_HEALTH_CHECK_INTERVAL - 0.1
    connection.close_if_health_check_failed()
    assert checks == {"checks": 1, "closed": 0, "healthy": True}
    assert time.monotonic() - connection.checked_at < settings.DATABASE_HEALTH_CHECK_INTERVAL
    connection.health_check_done = False
    connection.close_if_health_check_failed()  # the next request, just after: trusted
    assert checks["checks"] == 1


def test_an_idle_connection_found_dead_is_closed(checks, settings):
    checks["healthy"] = False
    connection.checked_at = time.monotonic() - settings.DATABASE_HEALTH_CHECK_INTERVAL - 0.1
    connection.close_if_health_check_failed()
    assert checks["checks"] == 1
    assert checks["closed"] == 1


def test_the_interval_is_a_setting(checks, settings):
    settings.DATABASE_HEALTH_CHECK_INTERVAL = 0
    connection.checked_at = time.monotonic()
    connection.close_if_health_check_failed()
    assert checks["checks"] == 1
