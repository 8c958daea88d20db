"""Small SQL helpers: quoting, IN-lists, registered frames, single values.

Identifiers and IN-lists are quoted here and nowhere else; values are bound
parameters wherever DuckDB takes one (``COPY ... TO`` does not, hence
:func:`quote_literal`). Never format a Python ``repr`` into SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pragma: no cover
    from infoops.store.db import Store


def quote_ident(name: str) -> str:
    """Quote an identifier (table, column, view) for DuckDB.

    >>> quote_ident('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    """Quote a string literal, for the few places that take no bound parameter.

    >>> quote_literal("it's")
    "'it''s'"
    """
    return "'" + str(value).replace("'", "''") + "'"


def sql_in(values: Iterable[object]) -> str:
    """A parenthesised IN-list of string literals: ``('a', 'b')``; ``(NULL)`` when empty.

    >>> sql_in(["name", "it's"])
    "('name', 'it''s')"
    """
    items = [quote_literal(v) for v in values]
    return "(" + (", ".join(items) if items else "NULL") + ")"


def _connection(con: duckdb.DuckDBPyConnection | Store) -> duckdb.DuckDBPyConnection:
    return con if isinstance(con, duckdb.DuckDBPyConnection) else con.con


@contextmanager
def registered(con: duckdb.DuckDBPyConnection | Store, name: str, frame: Any) -> Iterator[str]:
    """Register ``frame`` (pandas or Arrow) as view ``name`` for the block; unregister after."""
    c = _connection(con)
    c.register(name, frame)
    try:
        yield name
    finally:
        c.unregister(name)


def first_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """The first row of an ``execute()`` result, or None; the result is consumed.

    DuckDB 2 keeps a result open until it is fetched to the end, and refuses
    other work on the connection meanwhile, so ``fetchone()`` is unsafe here.
    """
    rows = result.fetchall()
    return tuple(rows[0]) if rows else None


def scalar(con: duckdb.DuckDBPyConnection | Store, sql: str, params: Any = None) -> Any:
    """The first column of the first row of ``sql`` (``None`` when there is no row)."""
    c = _connection(con)
    row = first_row(c.execute(sql, params) if params is not None else c.execute(sql))
    return row[0] if row else None
