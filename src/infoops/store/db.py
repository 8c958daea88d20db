"""Opening, migrating and reading the store.

One DuckDB file holds everything. :class:`Store` owns one connection (the
writer); readers that run concurrently open their own with :meth:`Store.reader`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import duckdb

from infoops.errors import NotFoundError, SchemaVersionError, StoreError
from infoops.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

DEFAULT_DB = "infoops.duckdb"
#: DuckDB's share of the machine's memory unless told otherwise. DuckDB's own
#: default (80 %) leaves too little for the numpy/pandas side of detection on
#: a large world; past the limit DuckDB spills to ``<store>.tmp``.
DEFAULT_MEMORY_LIMIT = "50%"
MEMORY_LIMIT_ENV = "INFOOPS_MEMORY_LIMIT"


class Store:
    """A DuckDB-backed infoops store.

    Parameters
    ----------
    path:
        The database file (created if missing) or ``":memory:"``.
    read_only:
        Open without the right to write (many readers may do so at once).
    memory_limit:
        The most memory DuckDB may use before spilling to disk, in DuckDB's
        syntax (``"8GB"``, ``"40%"`` of the machine). Default: the
        ``INFOOPS_MEMORY_LIMIT`` environment variable, else
        :data:`DEFAULT_MEMORY_LIMIT`.

    Examples
    --------
    >>> store = Store(":memory:")
    >>> store.count("posts")
    0
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_DB, read_only: bool = False,
                 memory_limit: str | None = None) -> None:
        self.path = str(path)
        self.read_only = read_only
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(
                f"{self.path}: no such store; run `infoops ingest` first or pass --db"
            )
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:  # locked, corrupt, not a DuckDB file
            raise StoreError(f"{self.path}: cannot open the store ({exc})") from exc
        # infoops prints its own progress; DuckDB's bar would garble CLI output.
        self.con.execute("SET enable_progress_bar = false")
        self.set_memory_limit(memory_limit or os.environ.get(MEMORY_LIMIT_ENV)
                              or DEFAULT_MEMORY_LIMIT)
        if not read_only:
            self.migrate()
        else:
            self._check_version()

    def set_memory_limit(self, limit: str) -> str:
        """Cap DuckDB's memory (``"8GB"``, ``"40%"``); return the limit as DuckDB reports it."""
        text = str(limit).strip()
        if not re.fullmatch(r"\d+(\.\d+)?\s*(%|[KMGT]i?B|B|bytes)?", text, re.IGNORECASE):
            raise StoreError(
                f"memory limit {limit!r}: use a size such as 8GB or 512MiB, or a share such as 40%"
            )
        try:
            self.con.execute(f"SET memory_limit = '{text}'")
        except duckdb.Error as exc:
            raise StoreError(f"memory limit {limit!r}: {exc}") from exc
        row = first_row(self.con.execute("SELECT current_setting('memory_limit')"))
        return str(row[0]) if row else text

    # -- schema -----------------------------------------------------------------
    def schema_version(self) -> int:
        """The highest migration applied to this store (0 for an empty file)."""
        exists = first_row(self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ))
        if not exists or not exists[0]:
            return 0
        row = first_row(self.con.execute("SELECT max(version) FROM schema_migrations"))
        return int(row[0]) if row and row[0] is not None else 0

    def _check_version(self) -> int:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.path}: store schema v{current} is newer than this infoops "
                f"(v{SCHEMA_VERSION}); upgrade infoops"
            )
        return current

    def migrate(self) -> list[int]:
        """Apply the migrations this store lacks; return the versions applied."""
        current = self._check_version()
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, description TEXT, applied_at TIMESTAMP)"
        )
        applied = []
        for m in MIGRATIONS:
            if m.version <= current:
                continue
            with self.transaction():
                for sql in m.statements:
                    self.con.execute(sql)
                self.con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, now())",
                    [m.version, m.description],
                )
            applied.append(m.version)
        return applied

    # -- transactions -----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block atomically: committed on success, rolled back on error."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    # -- reading ----------------------------------------------------------------
    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def tables(self) -> list[str]:
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY table_name"
        ).fetchall()
        return [r[0] for r in rows]

    def _check_table(self, name: str) -> None:
        if name not in self.tables():
            raise NotFoundError(f"no table {name!r} in {self.path}; tables: {', '.join(self.tables())}")

    def count(self, table: str) -> int:
        self._check_table(table)
        row = first_row(self.con.execute(f'SELECT count(*) FROM "{table}"'))
        return int(row[0]) if row else 0

    def table(self, name: str, limit: int | None = None) -> pd.DataFrame:
        """A table (or the first ``limit`` rows) as a pandas DataFrame."""
        self._check_table(name)
        sql = f'SELECT * FROM "{name}"' + (f" LIMIT {int(limit)}" if limit is not None else "")
        return self.con.execute(sql).df()

    def arrow(self, name: str) -> pa.Table:
        """A table as a pyarrow Table."""
        self._check_table(name)
        return self.con.sql(f'SELECT * FROM "{name}"').to_arrow_table()

    def polars(self, name: str) -> Any:
        """A table as a polars DataFrame (needs the ``polars`` extra)."""
        self._check_table(name)
        return self.con.sql(f'SELECT * FROM "{name}"').pl()

    def sql(self, query: str, params: Any = None) -> pd.DataFrame:
        """Run any read query and return a pandas DataFrame."""
        return self.execute(query, params).df()

    @contextmanager
    def registered(self, name: str, frame: Any) -> Iterator[str]:
        """Register ``frame`` (pandas or Arrow) as view ``name`` for the block; unregister after."""
        self.con.register(name, frame)
        try:
            yield name
        finally:
            self.con.unregister(name)

    def reader(self) -> duckdb.DuckDBPyConnection:
        """A separate cursor for a concurrent reader (one writer, many readers)."""
        return self.con.cursor()

    def latest_detect_run(self) -> str:
        """The id of the most recent completed detect run."""
        row = first_row(self.con.execute(
            "SELECT run_id FROM detect_runs WHERE status = 'completed' "
            "ORDER BY started_at DESC LIMIT 1"
        ))
        if not row:
            raise NotFoundError(f"{self.path}: no completed detect run; run `infoops detect` first")
        return str(row[0])

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path!r} v{self.schema_version()}>"


def open_store(path: str | os.PathLike[str] = DEFAULT_DB, read_only: bool = False) -> Store:
    """Open (creating and migrating if needed) the store at ``path``."""
    return Store(path, read_only=read_only)


def first_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """The first row of an ``execute()`` result, or None; the result is consumed.

    DuckDB 2 keeps a result open until it is fetched to the end, and refuses
    other work on the connection meanwhile, so ``fetchone()`` is unsafe here.
    """
    rows = result.fetchall()
    return tuple(rows[0]) if rows else None
