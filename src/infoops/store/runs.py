"""Who owns a run, which runs died, and cleaning up after them.

Every ingest and detect run records the process that runs it (pid, host,
command) in ``run_owners`` (migration 4). DuckDB lets one process write a
store at a time, so when a process holds the write lock, any run still marked
``running`` that is not owned by a live process of this host died (kill -9,
power cut, out-of-memory killer). :func:`recover_dead_runs` marks such runs
``interrupted`` and removes every row a dead detect run wrote, from every
table in :data:`~infoops.store.schema.RESULT_TABLES`. A dead ingest keeps its
rows: each of its batches was committed whole, and a re-run skips them.

The side file ``<store>.lock-info`` names the process that holds the store
for writing, so that a second command can say who is busy
(:class:`~infoops.errors.StoreBusyError`).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from infoops.store.schema import RESULT_TABLES
from infoops.store.sql import quote_ident

if TYPE_CHECKING:  # pragma: no cover
    from infoops.store.db import Store

RUN_TABLES = {"ingest": "ingest_runs", "detect": "detect_runs"}
LOCK_INFO_SUFFIX = ".lock-info"


def host() -> str:
    return socket.gethostname()


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists on this machine."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def command_name() -> str:
    """The infoops command this process runs (``ingest``, ``detect``, ...), for messages."""
    argv = sys.argv
    prog = Path(argv[0]).name if argv else "python"
    if prog in ("infoops", "__main__.py") and len(argv) > 1:
        return argv[1]
    return prog


def claim_run(con: duckdb.DuckDBPyConnection, run_id: str, kind: str) -> None:
    """Record this process as the owner of ``run_id`` (``kind``: ingest | detect)."""
    con.execute(
        "INSERT OR REPLACE INTO run_owners (run_id, kind, pid, host, command) VALUES (?, ?, ?, ?, ?)",
        [run_id, kind, os.getpid(), host(), command_name()],
    )


def dead_runs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(kind, run_id) of every ``running`` run whose process is gone.

    Only meaningful while this process can write the store (no other writer
    can exist then). A run without an owner row was started by a version
    before migration 4, or killed between its two first statements: dead.
    """
    out = []
    me = host()
    for kind, table in RUN_TABLES.items():
        rows = con.execute(
            f"SELECT r.run_id, o.pid, o.host FROM {table} r "
            "LEFT JOIN run_owners o USING (run_id) WHERE r.status = 'running' ORDER BY r.run_id"
        ).fetchall()
        for run_id, pid, h in rows:
            alive = h == me and pid is not None and (pid == os.getpid() or pid_alive(int(pid)))
            if not alive:
                out.append((kind, str(run_id)))
    return out


def recover_dead_runs(store: Store) -> list[tuple[str, str]]:
    """Mark dead runs ``interrupted``; delete every row a dead detect run wrote.

    Returns the (kind, run_id) pairs recovered.
    """
    dead = dead_runs(store.con)
    if not dead:
        return []
    now = datetime.now().astimezone().replace(tzinfo=None)
    with store.transaction() as con:
        for kind, run_id in dead:
            if kind == "detect":
                for table in RESULT_TABLES:
                    if table != "detect_runs" and table in store.tables():
                        con.execute(f"DELETE FROM {quote_ident(table)} WHERE run_id = ?", [run_id])
            note = json.dumps({"interrupted": "the process that ran it is gone (killed or crashed)"})
            table = RUN_TABLES[kind]
            column = "summary" if kind == "detect" else "detail"
            con.execute(
                f"UPDATE {table} SET status = 'interrupted', finished_at = coalesce(finished_at, ?), "
                f"{column} = coalesce({column}, ?) WHERE run_id = ?",
                [now, note, run_id],
            )
    return dead


# -- the lock-info side file ---------------------------------------------------
def lock_info_path(db_path: str) -> Path:
    return Path(db_path + LOCK_INFO_SUFFIX)


def write_lock_info(db_path: str) -> None:
    """Name this process as the store's writer (best effort: never fails the open)."""
    info = {"pid": os.getpid(), "host": host(), "command": command_name(),
            "since": datetime.now().astimezone().isoformat(timespec="seconds")}
    with contextlib.suppress(OSError):
        lock_info_path(db_path).write_text(json.dumps(info), encoding="utf-8")


def remove_lock_info(db_path: str) -> None:
    path = lock_info_path(db_path)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        if info.get("pid") == os.getpid() and info.get("host") == host():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def read_lock_info(db_path: str) -> dict[str, Any] | None:
    """The recorded writer, when its process is still alive."""
    try:
        info = json.loads(lock_info_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("host") != host() or not pid_alive(info.get("pid")):
        return None
    return info
