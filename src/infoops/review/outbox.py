"""The outbox: every enforcement action, queued for the platform's endpoint.

A takedown or restore writes its outbox rows in the same transaction as the
action (the transactional-outbox pattern), one row per batch of at most
``batch_size`` accounts, each with its own idempotency key. A deliverer then
POSTs each due row as JSON to the configured endpoint with an
``Idempotency-Key`` header; failures are retried with exponential backoff
(delay ``base · 2^(attempt-1)``, capped) until ``max_attempts``, after which
the row is ``failed`` and a reviewer may retry it from the UI. Delivery state
is in the table, so it survives restarts; the receiver must de-duplicate on
the key (delivery is at least once).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from infoops.errors import NotFoundError, ReviewError
from infoops.review import audit
from infoops.review.rows import changed, next_id, one, rows, transaction, utcnow
from infoops.review.users import User, require

STATUSES = ("pending", "delivered", "failed")


@dataclass(frozen=True)
class RetryPolicy:
    """When to try a failed delivery again."""

    base_seconds: float = 1.0
    max_seconds: float = 300.0
    max_attempts: int = 8
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.max_seconds < self.base_seconds:
            raise ReviewError("retry delays: need 0 < base <= max")
        if self.max_attempts < 1:
            raise ReviewError("retry attempts: need at least 1")

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed try."""
        return float(min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds))


def enqueue(con: duckdb.DuckDBPyConnection, kind: str, case_id: str, accounts: list[str],
            detail: dict[str, Any], batch_size: int = 1000) -> list[str]:
    """Queue ``kind`` (``takedown``/``restore``) for ``accounts``; return the action ids.

    Call inside the transaction of the action itself.
    """
    if batch_size < 1:
        raise ReviewError("outbox batch size must be at least 1")
    ids, now = [], utcnow()
    ordered = sorted(accounts)
    for i in range(0, len(ordered), batch_size):
        action_id = next_id(con, "outbox", "action_id", "OB")
        key = uuid.uuid4().hex
        payload = {"action": kind, "action_id": action_id, "idempotency_key": key,
                   "case_id": case_id, "accounts": ordered[i:i + batch_size],
                   "batch": i // batch_size + 1,
                   "batches": (len(ordered) + batch_size - 1) // batch_size, **detail}
        con.execute(
            "INSERT INTO outbox (action_id, kind, case_id, payload, idempotency_key, status, "
            "attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
            [action_id, kind, case_id, json.dumps(payload, sort_keys=True), key, now, now],
        )
        ids.append(action_id)
    return ids


def due(con: duckdb.DuckDBPyConnection, now: datetime | None = None,
        limit: int = 20) -> list[dict[str, Any]]:
    """Pending rows whose next attempt is due, oldest first."""
    return rows(con, "SELECT action_id, kind, payload::TEXT AS payload, idempotency_key, attempts "
                     "FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
                     "ORDER BY created_at, action_id LIMIT ?", [now or utcnow(), int(limit)])


def record(con: duckdb.DuckDBPyConnection, action_id: str, ok: bool, error: str | None,
           policy: RetryPolicy, now: datetime | None = None) -> str:
    """Store the outcome of one delivery try; return the row's new status."""
    now = now or utcnow()
    with transaction(con):
        row = one(con, "SELECT status, attempts FROM outbox WHERE action_id = ?", [action_id])
        if row is None:
            raise NotFoundError(f"no outbox action {action_id!r}")
        attempts = int(row["attempts"]) + 1
        if ok:
            status, nxt = "delivered", None
        elif attempts >= policy.max_attempts:
            status, nxt = "failed", None
        else:
            status, nxt = "pending", now + timedelta(seconds=policy.delay(attempts))
        con.execute(
            "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
            "delivered_at = ? WHERE action_id = ?",
            [status, attempts, nxt, None if ok else (error or "")[:500], now if ok else None,
             action_id])
        if status != "pending":
            audit.append(con, "system", f"outbox.{status}", "outbox", action_id,
                         None if ok else (error or "")[:500],
                         {"status": row["status"], "attempts": row["attempts"]},
                         {"status": status, "attempts": attempts})
    return status


#: ``post(url, body, headers, timeout) -> HTTP status code``; raises OSError-like errors.
Poster = Callable[[str, bytes, dict[str, str], float], int]


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST with httpx; return the status code."""
    import httpx

    return httpx.post(url, content=body, headers=headers, timeout=timeout).status_code


def send(row: dict[str, Any], url: str, policy: RetryPolicy,
         post: Poster = http_post) -> tuple[bool, str | None]:
    """POST one outbox row; ``(delivered, error)``. 2xx is delivered; anything else is an error."""
    headers = {"Content-Type": "application/json", "Idempotency-Key": row["idempotency_key"],
               "X-Infoops-Action": row["kind"]}
    try:
        code = post(url, str(row["payload"]).encode("utf-8"), headers, policy.timeout_seconds)
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return (True, None) if 200 <= code < 300 else (False, f"HTTP {code}")


def deliver_due(con: duckdb.DuckDBPyConnection, url: str, policy: RetryPolicy | None = None,
                post: Poster = http_post, now: datetime | None = None) -> dict[str, int]:
    """Try every due row once (synchronously); return counts by resulting status."""
    policy = policy or RetryPolicy()
    counts: dict[str, int] = {}
    for row in due(con, now):
        ok, err = send(row, url, policy, post)
        status = record(con, row["action_id"], ok, err, policy, now)
        counts[status] = counts.get(status, 0) + 1
    return counts


def retry(con: duckdb.DuckDBPyConnection, user: User, action_id: str) -> None:
    """Put a ``failed`` row back in the queue (reviewers and admins; audited)."""
    require(user, "outbox.retry")
    with transaction(con):
        n = changed(con.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
            "WHERE action_id = ? AND status = 'failed'", [utcnow(), action_id]))
        if not n:
            raise ReviewError(f"outbox action {action_id!r} is not failed; nothing to retry")
        audit.append(con, user.username, "outbox.retry", "outbox", action_id, None,
                     {"status": "failed"}, {"status": "pending"})


def listing(con: duckdb.DuckDBPyConnection, case_id: str | None = None, limit: int = 100,
            offset: int = 0) -> list[dict[str, Any]]:
    """Outbox rows, newest first (payload summarised as its account count)."""
    where = "WHERE case_id = ?" if case_id else ""
    params: list[Any] = [case_id] if case_id else []
    return rows(con, f"SELECT action_id, kind, case_id, status, attempts, created_at, "
                     f"next_attempt_at, delivered_at, last_error, idempotency_key, "
                     f"json_array_length(payload, '$.accounts') AS accounts FROM outbox {where} "
                     f"ORDER BY created_at DESC, action_id DESC LIMIT ? OFFSET ?",
                [*params, int(limit), int(offset)])
