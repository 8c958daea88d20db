"""Appeals: an account holder contests a takedown; a different reviewer decides.

An appeal is filed against an account's active takedown in one case. It is
decided by a reviewer or admin who neither requested nor approved that
takedown. Upheld, the takedown row becomes ``restored`` and the account and
all its content reappear in the live view exactly as they were (nothing was
deleted), a ``restore`` action is queued in the outbox and the account's
decision in the case becomes ``dismiss``. Every step is audited.
"""

from __future__ import annotations

from typing import Any

import duckdb

from infoops.errors import ConflictError, ForbiddenError, NotFoundError, ReviewError
from infoops.review import audit, takedown
from infoops.review.rows import (
    changed,
    next_id,
    one,
    required_text,
    rows,
    transaction,
    utcnow,
    where_equal,
)
from infoops.review.users import User, require

STATUSES = ("open", "upheld", "denied")
MAX_TEXT = 10_000


def file_appeal(con: duckdb.DuckDBPyConnection, user: User, account_id: str, statement: str,
                case_id: str | None = None) -> str:
    """Record an appeal against ``account_id``'s active takedown; return the appeal id."""
    require(user, "appeal.file")
    statement = required_text(statement, "appellant's statement", MAX_TEXT)
    with transaction(con):
        held = one(con, "SELECT case_id FROM takedowns WHERE account_id = ? AND status = 'active' "
                        "AND (? IS NULL OR case_id = ?) ORDER BY taken_at DESC LIMIT 1",
                   [account_id, case_id, case_id])
        if held is None:
            raise ReviewError(f"account {account_id} has no active takedown"
                              + (f" in case {case_id}" if case_id else "") + "; nothing to appeal")
        case_id = str(held["case_id"])
        dup = one(con, "SELECT appeal_id FROM appeals WHERE account_id = ? AND case_id = ? "
                       "AND status = 'open'", [account_id, case_id])
        if dup:
            raise ConflictError(f"account {account_id} already has open appeal {dup['appeal_id']}")
        appeal_id = next_id(con, "appeals", "appeal_id", "A")
        con.execute("INSERT INTO appeals (appeal_id, account_id, case_id, status, statement, "
                    "filed_by, filed_at, version) VALUES (?, ?, ?, 'open', ?, ?, ?, 1)",
                    [appeal_id, account_id, case_id, statement, user.username, utcnow()])
        audit.append(con, user.username, "appeal.file", "appeal", appeal_id, statement, None,
                     {"account_id": account_id, "case_id": case_id, "status": "open"})
    return appeal_id


def decide_appeal(con: duckdb.DuckDBPyConnection, user: User, appeal_id: str, uphold: bool,
                  reason: str, version: int | None) -> dict[str, Any]:
    """Uphold (restore the account and its content) or deny an appeal."""
    require(user, "appeal.decide")
    reason = (reason or "").strip()[:MAX_TEXT]
    if not reason:
        raise ReviewError("say why the appeal is upheld or denied")
    with transaction(con):
        appeal = get_appeal(con, appeal_id)
        if appeal["status"] != "open":
            raise ReviewError(f"appeal {appeal_id} is already {appeal['status']}")
        td = one(con, "SELECT requested_by, approved_by FROM takedowns WHERE account_id = ? "
                      "AND case_id = ?", [appeal["account_id"], appeal["case_id"]])
        takers = {v for v in (td or {}).values() if v}
        if user.username in takers:
            raise ForbiddenError(f"{user.username} took this account down; another reviewer "
                                 f"must decide the appeal")
        if version is None:
            raise ReviewError("the appeal version is missing; reload the appeal and try again")
        status = "upheld" if uphold else "denied"
        n = changed(con.execute(
            "UPDATE appeals SET status = ?, decided_by = ?, decided_at = ?, reason = ?, "
            "version = version + 1 WHERE appeal_id = ? AND version = ? AND status = 'open'",
            [status, user.username, utcnow(), reason, appeal_id, int(version)]))
        if not n:
            raise ConflictError(f"appeal {appeal_id} was changed by someone else (now version "
                                f"{appeal['version']}); reload it")
        result: dict[str, Any] = {"appeal_id": appeal_id, "status": status}
        if uphold:
            result["restore"] = takedown.restore(con, user, appeal["account_id"],
                                                 appeal["case_id"], reason)
            con.execute("UPDATE case_accounts SET decision = 'dismiss', decided_by = ?, "
                        "decided_at = ? WHERE case_id = ? AND account_id = ?",
                        [user.username, utcnow(), appeal["case_id"], appeal["account_id"]])
        audit.append(con, user.username, f"appeal.{status}", "appeal", appeal_id, reason,
                     {"status": "open"}, result)
    return result


def get_appeal(con: duckdb.DuckDBPyConnection, appeal_id: str) -> dict[str, Any]:
    appeal = one(con, "SELECT p.*, a.screen_name FROM appeals p LEFT JOIN accounts a "
                      "USING (account_id) WHERE appeal_id = ?", [appeal_id])
    if appeal is None:
        raise NotFoundError(f"no appeal {appeal_id!r}; see /appeals for the list")
    return appeal


def list_appeals(con: duckdb.DuckDBPyConnection, status: str | None = None,
                 account_id: str | None = None, limit: int = 50,
                 offset: int = 0) -> list[dict[str, Any]]:
    clause, params = where_equal({"p.status": status, "p.account_id": account_id})
    return rows(con, f"SELECT p.appeal_id, p.account_id, a.screen_name, p.case_id, p.status, "
                     f"p.filed_by, p.filed_at, p.decided_by, p.decided_at, p.reason, p.version "
                     f"FROM appeals p LEFT JOIN accounts a USING (account_id) {clause} "
                     f"ORDER BY p.filed_at DESC LIMIT ? OFFSET ?", [*params, int(limit),
                                                                     int(offset)])
