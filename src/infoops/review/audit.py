"""The append-only, hash-chained audit log of every review decision and action.

Each entry holds the SHA-256 of the previous entry's hash and its own fields
(a hash chain, as in Haber & Stornetta 1991 and the Certificate Transparency
logs of RFC 6962): editing, deleting or reordering any row changes a hash that
a later row holds, so :func:`verify` finds the first broken entry. The chain
proves the log untouched since the head hash was last seen; record the head
that ``infoops audit --verify`` prints somewhere else to detect a rewrite of
the whole chain.

:func:`append` must run inside the caller's transaction so that an action and
its entry land together; the app serialises writers, so ``seq`` is gap-free.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from infoops.review.rows import rows, utcnow, where_equal

#: The ``prev_hash`` of the first entry.
GENESIS = "0" * 64
_FIELDS = ("seq", "logged_at", "actor", "action", "object_type", "object_id", "reason", "before",
           "after", "prev_hash")


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _at(value: datetime | str) -> str:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 (hex) of an entry's fields, ``prev_hash`` included, as canonical JSON."""
    doc = [entry["seq"], _at(entry["logged_at"]), *(entry[k] for k in _FIELDS[2:])]
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False).encode("utf-8")).hexdigest()


def append(con: duckdb.DuckDBPyConnection, actor: str, action: str, object_type: str,
           object_id: str | None, reason: str | None = None, before: Any = None,
           after: Any = None) -> dict[str, Any]:
    """Append one entry (who, what, on which object, why, before/after); return it."""
    last = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchall()
    seq, prev = (int(last[0][0]) + 1, str(last[0][1])) if last else (1, GENESIS)
    entry: dict[str, Any] = {
        "seq": seq, "logged_at": utcnow(), "actor": actor, "action": action,
        "object_type": object_type, "object_id": object_id, "reason": reason,
        "before": _dump(before), "after": _dump(after), "prev_hash": prev,
    }
    entry["hash"] = entry_hash(entry)
    con.execute(
        "INSERT INTO audit_log (seq, logged_at, actor, action, object_type, object_id, reason, before, "
        "after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [entry[k] for k in (*_FIELDS, "hash")],
    )
    return entry


@dataclass(frozen=True)
class AuditCheck:
    """The result of :func:`verify`."""

    ok: bool
    entries: int
    head: str
    bad_seq: int | None = None
    problem: str = ""


def verify(con: duckdb.DuckDBPyConnection) -> AuditCheck:
    """Recompute the chain; report the first entry whose hash or link does not match."""
    prev, expected_seq, n = GENESIS, 1, 0
    cur = con.execute(
        "SELECT seq, logged_at, actor, action, object_type, object_id, reason, before::TEXT, "
        "after::TEXT, prev_hash, hash FROM audit_log ORDER BY seq"
    )
    while True:
        batch = cur.fetchmany(10_000)
        if not batch:
            break
        for r in batch:
            entry = dict(zip((*_FIELDS, "hash"), r, strict=True))
            seq = int(entry["seq"])
            if seq != expected_seq:
                return AuditCheck(False, n, prev, seq,
                                  f"entry {seq} follows {expected_seq - 1}: an entry is missing")
            if entry["prev_hash"] != prev:
                return AuditCheck(False, n, prev, seq,
                                  f"entry {seq} does not link to entry {seq - 1}")
            if entry_hash(entry) != entry["hash"]:
                return AuditCheck(False, n, prev, seq,
                                  f"entry {seq} was changed after it was written")
            prev, expected_seq, n = str(entry["hash"]), expected_seq + 1, n + 1
    return AuditCheck(True, n, prev)


def entries(con: duckdb.DuckDBPyConnection, *, limit: int = 100, offset: int = 0,
            object_type: str | None = None, object_id: str | None = None) -> list[dict[str, Any]]:
    """Entries, newest first, optionally only those about one object."""
    clause, params = where_equal({"object_type": object_type, "object_id": object_id})
    sql = ("SELECT seq, logged_at, actor, action, object_type, object_id, reason, before::TEXT AS before, "
           f"after::TEXT AS after, hash FROM audit_log {clause} ORDER BY seq DESC LIMIT ? OFFSET ?")
    return rows(con, sql, [*params, int(limit), int(offset)])


def count(con: duckdb.DuckDBPyConnection) -> int:
    got = con.execute("SELECT count(*) FROM audit_log").fetchall()
    return int(got[0][0])
