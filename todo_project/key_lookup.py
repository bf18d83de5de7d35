"""Fetch one model instance by key, with its SQL written once instead of at every call.

`Model.objects.get(...)` builds its SQL anew on each call: about 0.5 ms of
Python on the benchmark machine, longer than the database takes to answer.
Two lookups run on nearly every request: the token's user (authentication)
and one task by owner and id (every task endpoint but list and create).
They go through KeyLookup instead: the SELECT the ORM would send, written
once per database connection, with parameters and results converted by the
model's own fields and the backend's converters, so every database returns
the instance `get()` would. Tests hold the two equal on each backend.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def converted(row, converters, connection) -> list:
    """A row as the ORM returns it: `converters` are (column index, expression, functions)."""
    row = list(row)
    for index, expression, functions in converters:
        for convert in functions:
            row[index] = convert(row[index], expression, connection)
    return row


class KeyLookup:
    """`model.objects.filter(key=value, ...).first()` for keys that name at most one row."""

    def __init__(self, model, *keys: str):
        self.model = model
        self.keys = [model._meta.get_field(name) for name in keys]
        if not any(field.primary_key or field.unique for field in self.keys):
            raise ValueError("The keys must include a unique field: get() reads one row.")
        self.fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in self.fields]
        self._statements = {}  # database alias -> (SQL, converters by column)

    def get(self, *values, using: str = DEFAULT_DB_ALIAS):
        """The instance whose keys equal `values` (in the keys' order), or None."""
        connection = connections[using]
        sql, converters = self._statement(connection)
        params = [
            field.get_db_prep_value(value, connection)
            for field, value in zip(self.keys, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        return self.model.from_db(using, self.attnames, converted(row, converters, connection))

    def _statement(self, connection):
        statement = self._statements.get(connection.alias)
        if statement is None:
            table = self.model._meta.db_table
            quote = connection.ops.quote_name

            def column(field):
                return f"{quote(table)}.{quote(field.column)}"

            columns = ", ".join(column(field) for field in self.fields)
            where = " AND ".join(f"{column(field)} = %s" for field in self.keys)
            sql = f"SELECT {columns} FROM {quote(table)} WHERE {where}"  # noqa: S608 - model names
            converters = []
            for index, field in enumerate(self.fields):
                expression = field.get_col(table)
                functions = [
                    *connection.ops.get_db_converters(expression),
                    *expression.get_db_converters(connection),
                ]
                if functions:
                    converters.append((index, expression, functions))
            statement = self._statements[connection.alias] = (sql, converters)
        return statement
