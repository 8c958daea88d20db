"""How often DuckDB checkpoints while ingesting.

At DuckDB's default (``checkpoint_threshold``: 16 MB of WAL) every batch's
commit also checkpointed, rewriting the posts primary-key index each time: a
commit took twice as long, and more as the store grew. While an ingest runs
the WAL may grow to :data:`INGEST_CHECKPOINT`. A crash still loses nothing
committed (the WAL is replayed when the store is opened).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

#: DuckDB's ``checkpoint_threshold`` while ingesting.
INGEST_CHECKPOINT = "1GB"


@contextmanager
def checkpoint_every(con: duckdb.DuckDBPyConnection, size: str = INGEST_CHECKPOINT) -> Iterator[None]:
    """Let the WAL grow to ``size`` before a checkpoint, for the block; the setting is restored after."""
    row = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
    before = str(row[0]) if row else None
    con.execute(f"SET checkpoint_threshold = '{size}'")
    try:
        yield
    finally:
        # DuckDB shows the setting rounded: RESET restores the default exactly,
        # a value set by hand comes back as shown
        con.execute("RESET checkpoint_threshold")
        row = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
        if before is not None and (str(row[0]) if row else None) != before:
            con.execute("SET checkpoint_threshold = ?", [before])
