"""Pages of an owner's rows, for querysets of a few fixed shapes, with SQL compiled once.

Building a list's queryset and compiling it (filters, the ordering, the
select list, LIMIT and OFFSET) costs about 0.6 ms of Python per request on
the benchmark machine, longer than the database takes to answer. Yet the
task list filtered on completion alone takes one of a few shapes (a status
and a sort): the queries of one shape differ only in the owner's id, the
page's size and its offset.

CompiledPages builds the queryset of a shape once per database connection
alias, the ORM's own way, for a stand-in owner, and keeps its SQL. A page is
that SQL with the owner's id in the stand-in's place and the limit and offset
as parameters, its rows converted by the backend's converters exactly as
`values()` converts them. Tests hold the pages equal to the ORM's on each
backend, shape by shape.
"""

import uuid
from collections.abc import Callable, Hashable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

from todo_project.compiled_updates import stand_in
from todo_project.key_lookup import converted


class CompiledPages:
    def __init__(self, owner_field, build: Callable[[Hashable, uuid.UUID], QuerySet]):
        """`build(shape, owner_id)`: the `values()` queryset of a shape, filtered on one owner.

        `owner_field`: the model field holding the owner's key (e.g. a
        foreign key), which prepares the id for the database.
        """
        self.owner_field = owner_field
        self.build = build
        self._statements = {}  # (alias, shape) -> _Statement

    def for_owner(self, shape: Hashable, owner_id, using=DEFAULT_DB_ALIAS) -> "OwnerPages":
        """The shape's rows for this owner, sliced like a queryset: `pages[offset:end]`."""
        return OwnerPages(self, shape, owner_id, using)

    def page(self, shape: Hashable, owner_id, *, offset: int, limit: int, using=DEFAULT_DB_ALIAS):
        """Rows `offset` to `offset + limit` of the shape's queryset for this owner, as dicts."""
        connection = connections[using]
        statement = self._statements.get((using, shape))
        if statement is None:
            statement = self._statements[using, shape] = self._compile(shape, connection)
        params = list(statement.params)
        params[statement.owner_index] = self.owner_field.get_db_prep_value(owner_id, connection)
        sql = statement.sql + " LIMIT %s"
        params.append(limit)
        if offset:
            sql += " OFFSET %s"
            params.append(offset)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        names, converters = statement.names, statement.converters
        if converters:
            rows = [converted(row, converters, connection) for row in rows]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _compile(self, shape, connection) -> "_Statement":
        owner = stand_in(self.owner_field)  # appears nowhere else in the statement's parameters
        query = self.build(shape, owner).query
        if query.is_sliced or query.select_for_update or query.combinator:
            raise ValueError("A page's queryset must be a plain, unsliced SELECT.")
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        prepared = self.owner_field.get_db_prep_value(owner, connection)
        positions = [index for index, value in enumerate(params) if value == prepared]
        if len(positions) != 1:
            raise ValueError("The queryset must filter on its owner exactly once.")
        selected = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
        converters = [
            (index, expression, functions)
            for index, (functions, expression) in compiler.get_converters(selected).items()
        ]
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return _Statement(sql, tuple(params), positions[0], names, converters)


class OwnerPages:
    """Stands in for the queryset where only a slice of it is read (a paginator)."""

    def __init__(self, pages: CompiledPages, shape, owner_id, using):
        self.pages, self.shape, self.owner_id, self.using = pages, shape, owner_id, using

    def __getitem__(self, rows: slice) -> list[dict]:
        if not isinstance(rows, slice) or rows.step is not None or rows.stop is None:
            raise TypeError("Pages are read as [offset:end].")
        offset = rows.start or 0
        return self.pages.page(
            self.shape, self.owner_id, offset=offset, limit=rows.stop - offset, using=self.using
        )


class _Statement:
    def __init__(self, sql, params, owner_index, names, converters):
        self.sql, self.params, self.owner_index = sql, params, owner_index
        self.names, self.converters = names, converters
