"""UPDATE statements of a few fixed shapes, with SQL compiled once.

`queryset.update(...)` builds and compiles its UPDATE anew on every call
(the filters, then every Case and F expression of the new values): about
1 ms of Python for the task toggle on the benchmark machine, several times
what the database takes to run it. Yet the statement of one shape (for the
toggle: set, clear or flip) differs from call to call only in a few values:
the owner's id, the task's id, the current time.

CompiledUpdate builds the queryset and its values of a shape once per
database connection alias, the ORM's own way, with stand-ins for those
values, and keeps the SQL. A call runs that SQL with the real values, each
prepared by its model field as the ORM prepares it, in the stand-ins'
places. Tests hold the rows it writes equal to the ORM's on each backend.
"""

import uuid
from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from random import SystemRandom

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Field, QuerySet
from django.db.models.sql import UpdateQuery

_random = SystemRandom()


def stand_in(field: Field):
    """A value of the field's type that no real statement would carry by chance.

    Booleans have none: a statement whose booleans vary is one shape per value.
    """
    kind = field.get_internal_type()
    if kind in ("UUIDField", "ForeignKey"):
        return uuid.uuid4()
    if kind == "DateTimeField":
        moment = datetime(1901, 1, 1, tzinfo=UTC)
        return moment + timedelta(microseconds=_random.randrange(10**15))
    if kind in ("CharField", "TextField"):
        return uuid.uuid4().hex[: field.max_length]
    if kind in ("IntegerField", "PositiveIntegerField", "BigIntegerField"):
        return _random.randrange(10**8, 2**31 - 1)
    raise TypeError(f"No stand-in for a {kind}.")


class CompiledUpdate:
    def __init__(self, arguments: dict[str, Field], build: Callable[..., tuple[QuerySet, dict]]):
        """`build(shape, **arguments)`: the queryset to update and its new values, for a shape.

        `arguments`: the values that change from call to call, by name, and
        the model field that prepares each for the database.
        """
        self.arguments = arguments
        self.build = build
        self._statements = {}  # (alias, shape) -> (SQL, parameters, {name: positions})

    def execute(self, shape: Hashable, using=DEFAULT_DB_ALIAS, **values) -> int:
        """Run the shape's UPDATE with these values; the number of rows it changed."""
        if values.keys() != self.arguments.keys():
            raise TypeError(f"The arguments are {', '.join(self.arguments)}.")
        connection = connections[using]
        statement = self._statements.get((using, shape))
        if statement is None:
            statement = self._statements[using, shape] = self._compile(shape, connection)
        sql, params, positions = statement
        params = list(params)
        for name, field in self.arguments.items():
            prepared = field.get_db_prep_value(values[name], connection)
            for index in positions[name]:
                params[index] = prepared
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _compile(self, shape, connection):
        stand_ins = {name: stand_in(field) for name, field in self.arguments.items()}
        queryset, new_values = self.build(shape, **stand_ins)
        # What QuerySet.update() compiles, without running it.
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(new_values)
        query.annotations = {}
        sql, params = query.get_compiler(connection=connection).as_sql()
        positions = {}
        for name, field in self.arguments.items():
            prepared = field.get_db_prep_value(stand_ins[name], connection)
            positions[name] = [index for index, value in enumerate(params) if value == prepared]
            if not positions[name]:
                raise ValueError(f"{name} appears nowhere in the statement.")
        claimed = [index for indexes in positions.values() for index in indexes]
        if len(claimed) != len(set(claimed)):
            raise ValueError("Two arguments' stand-ins are equal: compile again.")
        return sql, tuple(params), positions
