"""Opening, migrating and reading the store.

One DuckDB file holds everything. :class:`Store` owns one connection (the
writer); readers that run concurrently open their own with :meth:`Store.reader`.

Opening is guarded: an empty path, and a file that is not a DuckDB store (a
SQLite database, a CSV, ...) are refused before DuckDB sees them, and DuckDB
never installs or loads an extension on its own (no network request). A
store another process writes gives :class:`~infoops.errors.StoreBusyError`
naming that process. Opening a store cleans up after runs whose process died
(see :mod:`infoops.store.runs`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import duckdb

from infoops.errors import (
    NotAStoreError,
    NotFoundError,
    OptionValueError,
    RunNotCompletedError,
    SchemaVersionError,
    StoreBusyError,
    StoreError,
)
from infoops.store import DEFAULT_DB, runs
from infoops.store.schema import MIGRATIONS, SCHEMA_VERSION
from infoops.store.sql import first_row, quote_ident, registered, scalar

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

#: DuckDB's share of the machine's memory unless told otherwise. DuckDB's own
#: default (80 %) leaves too little for the numpy/pandas side of detection on
#: a large world; past the limit DuckDB spills to ``<store>.tmp``.
DEFAULT_MEMORY_LIMIT = "50%"
MEMORY_LIMIT_ENV = "INFOOPS_MEMORY_LIMIT"
#: DuckDB must never fetch code from the network: a file that is not a DuckDB
#: store (e.g. SQLite) would otherwise make it download a scanner extension.
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB file


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
        self._wrote_lock_info = False
        if not self.path.strip():
            raise OptionValueError("--db is empty; give a store file such as infoops.duckdb")
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(
                f"{self.path}: no such store; run `infoops ingest` first or pass --db"
            )
        if self.path != ":memory:":
            _check_is_store(self.path)
        self.con = self._connect(read_only)
        # infoops prints its own progress; DuckDB's bar would garble CLI output.
        self.con.execute("SET enable_progress_bar = false")
        try:
            self.set_memory_limit(memory_limit or os.environ.get(MEMORY_LIMIT_ENV)
                                  or DEFAULT_MEMORY_LIMIT)
            if not read_only:
                self.migrate()
                if self.path != ":memory:":
                    runs.write_lock_info(self.path)
                    self._wrote_lock_info = True
                self.recovered = runs.recover_dead_runs(self)
            else:
                self._check_version()
                self.recovered = self._recover_from_reader()
        except BaseException:
            self.close()
            raise

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(self.path, read_only=read_only, config=dict(_CONFIG))
        except duckdb.Error as exc:  # locked, corrupt, not a DuckDB file
            text = str(exc)
            if "lock" in text.lower():
                raise StoreBusyError(_busy_message(self.path, text)) from exc
            raise StoreError(f"{self.path}: cannot open the store ({_one_line(text)})") from exc

    def _recover_from_reader(self) -> list[tuple[str, str]]:
        """A reader that finds dead runs briefly opens the store to write and cleans them up.

        When a writer holds the store meanwhile, the reader goes on: every
        reader asks for completed runs only (:meth:`completed_run`).
        """
        if self.path == ":memory:" or "run_owners" not in self.tables() or not runs.dead_runs(self.con):
            return []
        self.con.close()
        try:
            writer = Store(self.path)
            recovered = writer.recovered
            writer.close()
        except StoreError:
            recovered = []
        self.con = self._connect(True)
        self.con.execute("SET enable_progress_bar = false")
        return recovered

    def set_memory_limit(self, limit: str) -> str:
        """Cap DuckDB's memory (``"8GB"``, ``"40%"``); return the limit as DuckDB reports it."""
        text = str(limit).strip()
        if not re.fullmatch(r"\d+(\.\d+)?\s*(%|[KMGT]i?B|B|bytes)?", text, re.IGNORECASE):
            raise OptionValueError(
                f"memory limit {limit!r} (--memory-limit or INFOOPS_MEMORY_LIMIT): use a size such as "
                "8GB or 512MiB, or a share such as 40%"
            )
        try:
            self.con.execute(f"SET memory_limit = '{text}'")
        except duckdb.Error as exc:
            raise OptionValueError(f"memory limit {limit!r} (--memory-limit): {_one_line(str(exc))}") from exc
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
        self._check_version()
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, description TEXT, applied_at TIMESTAMP)"
        )
        # versions are applied when missing, not only above the highest: a
        # migration numbered below one a store already has (a reserved number
        # filled later) still runs
        have = {int(r[0]) for r in self.con.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for m in MIGRATIONS:
            if m.version in have:
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
        row = first_row(self.con.execute(f"SELECT count(*) FROM {quote_ident(table)}"))
        return int(row[0]) if row else 0

    def table(self, name: str, limit: int | None = None) -> pd.DataFrame:
        """A table (or the first ``limit`` rows) as a pandas DataFrame."""
        self._check_table(name)
        sql = f"SELECT * FROM {quote_ident(name)}" + (f" LIMIT {int(limit)}" if limit is not None else "")
        return self.con.execute(sql).df()

    def arrow(self, name: str) -> pa.Table:
        """A table as a pyarrow Table."""
        self._check_table(name)
        return self.con.sql(f"SELECT * FROM {quote_ident(name)}").to_arrow_table()

    def polars(self, name: str) -> Any:
        """A table as a polars DataFrame (needs the ``polars`` extra)."""
        self._check_table(name)
        return self.con.sql(f"SELECT * FROM {quote_ident(name)}").pl()

    def sql(self, query: str, params: Any = None) -> pd.DataFrame:
        """Run any read query and return a pandas DataFrame."""
        return self.execute(query, params).df()

    @contextmanager
    def registered(self, name: str, frame: Any) -> Iterator[str]:
        """Register ``frame`` (pandas or Arrow) as view ``name`` for the block; unregister after."""
        with registered(self.con, name, frame):
            yield name

    def scalar(self, sql: str, params: Any = None) -> Any:
        """The first column of the first row of ``sql`` (``None`` when there is no row)."""
        return scalar(self.con, sql, params)

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

    def claim_run(self, run_id: str, kind: str) -> None:
        """Record this process as the one running ``run_id`` (``kind``: ingest | detect).

        When the process dies without finishing the run, the next open of the
        store marks the run ``interrupted`` and, for detect, removes its rows.
        """
        runs.claim_run(self.con, run_id, kind)

    def completed_run(self, run_id: str | None) -> str:
        """``run_id`` if that detect run completed (the latest completed one when None).

        Raises :class:`~infoops.errors.NotFoundError` for an unknown run and
        :class:`~infoops.errors.RunNotCompletedError` for one that is running,
        failed or was interrupted: its results are partial or gone.
        """
        if run_id is None:
            return self.latest_detect_run()
        row = first_row(self.con.execute("SELECT status FROM detect_runs WHERE run_id = ?", [run_id]))
        if not row:
            raise NotFoundError(f"{self.path}: no detect run {run_id!r}; see `infoops status` for the runs")
        if row[0] != "completed":
            raise RunNotCompletedError(
                f"{self.path}: detect run {run_id!r} is {row[0]}, not completed; its results are "
                "partial or removed. Omit --run for the latest completed run, or run `infoops detect`"
            )
        return run_id

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            if self._wrote_lock_info:
                runs.remove_lock_info(self.path)
                self._wrote_lock_info = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path!r} v{self.schema_version()}>"


def open_store(path: str | os.PathLike[str] = DEFAULT_DB, read_only: bool = False) -> Store:
    """Open (creating and migrating if needed) the store at ``path``."""
    return Store(path, read_only=read_only)


def _one_line(text: str) -> str:
    return " ".join(text.split())


_MAGIC = (
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"{", "a JSON file"),
    (b"[", "a JSON file"),
)


def _check_is_store(path: str) -> None:
    """Refuse an existing file that is not a DuckDB database, saying what it is."""
    p = Path(path)
    if p.is_dir():
        raise NotAStoreError(f"{path} is a folder, not an infoops store; give a file, e.g. --db {path}/infoops.duckdb")
    try:
        with p.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        return  # a new store
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the store ({exc.strerror or exc})") from exc
    if not head or head[8:12] == _DUCKDB_MAGIC:
        return
    what = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
    if what is None:
        what = "a text file (CSV?)" if all(32 <= b < 127 or b in (9, 10, 13) for b in head) else "not a DuckDB file"
    raise NotAStoreError(
        f"{path} is {what}, not an infoops store; give the store with --db "
        "(default infoops.duckdb), or ingest this file with `infoops ingest`"
    )


def _busy_message(path: str, duckdb_text: str) -> str:
    """``store busy: ingest running (pid N) since HH:MM; retry when it ends``."""
    info = runs.read_lock_info(path)
    if info:
        since = str(info.get("since", ""))[11:16]
        return (f"{path}: store busy: {info.get('command', 'infoops')} running (pid {info.get('pid')})"
                f"{' since ' + since if since else ''}; retry when it ends")
    m = re.search(r"PID (\d+)", duckdb_text)
    holder = f"process {m.group(1)}" if m else "another process"
    return f"{path}: store busy: {holder} has it open; retry when it ends"
