"""The job queue's connection to PostgreSQL (settings.HUEY), when the data is there.

Huey keeps its queue in tables of the same database, on a connection of its
own (its reads block on LISTEN, which a Django connection must not). The
connection is made from Django's settings for the database when first
needed, so it follows them, to the test database in tests.
"""

import psycopg


def queue_connection() -> psycopg.Connection:
    from django.db import connections  # settings import this module: no app loading here

    database = connections["default"].settings_dict
    options = {
        name: value
        for name, value in database.get("OPTIONS", {}).items()
        if name in ("sslmode", "sslrootcert", "connect_timeout", "options")
    }
    return psycopg.connect(
        dbname=database["NAME"],
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        **options,
    )
