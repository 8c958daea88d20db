"""Takedown: suspend a case's confirmed accounts and remove all their content from the live view.

Nothing is deleted. A takedown writes one ``takedowns`` row per account
(``pending_approval`` → ``active`` → ``restored``); the views ``live_accounts``
and ``live_posts`` leave out every account with an ``active`` row and every
post it wrote (originals, retweets, quotes and replies), while ``accounts``
and ``posts`` keep them untouched as the archive that disclosure and appeals
read. Restoring flips the row to ``restored``, so the account and its content
come back exactly as they were.

A takedown of more than ``approval_threshold`` accounts waits for a second
person (the two-person rule): a reviewer or admin other than the requester
approves it. Each takedown that takes effect, and each restore, queues its
enforcement actions in the outbox in the same transaction.
"""

from __future__ import annotations

from typing import Any

import duckdb

from infoops.errors import ForbiddenError, ReviewError
from infoops.review import audit, outbox
from infoops.review.rows import changed, rows, transaction, utcnow
from infoops.review.users import User, require
from infoops.store.sql import scalar

#: Takedowns of more accounts than this need a second reviewer's approval.
APPROVAL_THRESHOLD = 100
STATUSES = ("pending_approval", "active", "restored", "rejected")


def _accounts(con: duckdb.DuckDBPyConnection, case_id: str, status: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT account_id FROM takedowns WHERE case_id = ? AND status = ? ORDER BY account_id",
        [case_id, status]).fetchall()]


def _removed_posts(con: duckdb.DuckDBPyConnection, case_id: str, status: str) -> int:
    return int(scalar(con, "SELECT count(*) FROM posts WHERE account_id IN (SELECT account_id "
                           "FROM takedowns WHERE case_id = ? AND status = ?)", [case_id, status]))


def take_down(con: duckdb.DuckDBPyConnection, user: User, case_id: str, policy: str | None,
              approval_threshold: int = APPROVAL_THRESHOLD, account_id: str | None = None,
              batch_size: int = 1000) -> dict[str, Any]:
    """Take down the case's confirmed accounts that have no takedown yet (call in a transaction).

    With ``account_id`` only that account. Returns ``{"status", "accounts", "posts"}``.
    """
    if approval_threshold < 0:
        raise ReviewError("approval threshold must be 0 or more")
    pending = scalar(con, "SELECT count(*) FROM takedowns WHERE case_id = ? AND "
                          "status = 'pending_approval'", [case_id])
    todo_list = [r[0] for r in con.execute(
        "SELECT c.account_id FROM case_accounts c WHERE c.case_id = ? AND c.decision = 'confirm' "
        "AND (? IS NULL OR c.account_id = ?) AND NOT EXISTS (SELECT 1 FROM takedowns t "
        "WHERE t.case_id = c.case_id AND t.account_id = c.account_id) ORDER BY c.account_id",
        [case_id, account_id, account_id]).fetchall()]
    todo = len(todo_list)
    if not todo:
        return {"status": None, "accounts": 0, "posts": 0}
    status = "pending_approval" if pending or todo > approval_threshold else "active"
    now = utcnow()
    con.execute(
        "INSERT INTO takedowns (account_id, case_id, status, taken_at, requested_by, requested_at, "
        "policy) SELECT c.account_id, c.case_id, ?, ?, ?, ?, ? FROM case_accounts c "
        "WHERE c.case_id = ? AND c.decision = 'confirm' AND (? IS NULL OR c.account_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM takedowns t WHERE t.case_id = c.case_id "
        "AND t.account_id = c.account_id)",
        [status, now if status == "active" else None, user.username, now, policy, case_id,
         account_id, account_id])
    result: dict[str, Any] = {"status": status, "accounts": todo}
    if status == "active":
        taken = todo_list
        result["posts"] = int(scalar(
            con, "SELECT count(*) FROM posts WHERE account_id IN (SELECT account_id FROM "
                 "takedowns WHERE case_id = ? AND status = 'active' AND requested_at = ?)",
            [case_id, now]))
        result["actions"] = outbox.enqueue(con, "takedown", case_id, taken,
                                           {"policy": policy, "by": user.username}, batch_size)
        audit.append(con, user.username, "takedown.execute", "case", case_id, policy,
                     {"live_accounts": len(taken)}, result)
    else:
        result["posts"] = 0
        audit.append(con, user.username, "takedown.request", "case", case_id, policy, None,
                     {**result, "needs": f"approval by another reviewer (over "
                                         f"{approval_threshold} accounts)"})
    return result


def approve(con: duckdb.DuckDBPyConnection, user: User, case_id: str,
            reason: str | None = None, batch_size: int = 1000) -> dict[str, Any]:
    """Approve a case's pending takedown (two-person rule: not by whoever requested it)."""
    require(user, "takedown.approve")
    with transaction(con):
        requesters = [r[0] for r in con.execute(
            "SELECT DISTINCT requested_by FROM takedowns WHERE case_id = ? AND "
            "status = 'pending_approval' ORDER BY 1", [case_id]).fetchall()]
        if not requesters:
            raise ReviewError(f"case {case_id} has no takedown waiting for approval")
        if user.username in requesters:
            raise ForbiddenError(
                f"two-person rule: {user.username} requested this takedown; another reviewer "
                f"must approve it")
        accounts = _accounts(con, case_id, "pending_approval")
        now = utcnow()
        con.execute("UPDATE takedowns SET status = 'active', taken_at = ?, approved_by = ? "
                    "WHERE case_id = ? AND status = 'pending_approval'",
                    [now, user.username, case_id])
        policy = scalar(con, "SELECT policy FROM cases WHERE case_id = ?", [case_id])
        result = {"status": "active", "accounts": len(accounts),
                  "posts": _removed_posts(con, case_id, "active"),
                  "actions": outbox.enqueue(con, "takedown", case_id, accounts,
                                            {"policy": policy, "by": ", ".join(requesters),
                                             "approved_by": user.username}, batch_size)}
        audit.append(con, user.username, "takedown.approve", "case", case_id, reason,
                     {"status": "pending_approval", "requested_by": requesters}, result)
    return result


def reject(con: duckdb.DuckDBPyConnection, user: User, case_id: str, reason: str) -> int:
    """Turn down a case's pending takedown (reviewers; not the requester); return the count."""
    require(user, "takedown.approve")
    if not (reason or "").strip():
        raise ReviewError("say why the takedown is rejected")
    with transaction(con):
        requesters = [r[0] for r in con.execute(
            "SELECT DISTINCT requested_by FROM takedowns WHERE case_id = ? AND "
            "status = 'pending_approval'", [case_id]).fetchall()]
        if not requesters:
            raise ReviewError(f"case {case_id} has no takedown waiting for approval")
        if user.username in requesters:
            raise ForbiddenError(f"two-person rule: {user.username} requested this takedown")
        n = changed(con.execute(
            "UPDATE takedowns SET status = 'rejected', approved_by = ? WHERE case_id = ? AND "
            "status = 'pending_approval'", [user.username, case_id]))
        audit.append(con, user.username, "takedown.reject", "case", case_id, reason,
                     {"status": "pending_approval", "accounts": n}, {"status": "rejected"})
    return n


def restore(con: duckdb.DuckDBPyConnection, user: User, account_id: str, case_id: str,
            reason: str, batch_size: int = 1000) -> dict[str, Any]:
    """Give back one account and all its content (call inside the appeal's transaction)."""
    n = changed(con.execute(
        "UPDATE takedowns SET status = 'restored', restored_at = ?, restored_by = ? "
        "WHERE account_id = ? AND case_id = ? AND status = 'active'",
        [utcnow(), user.username, account_id, case_id]))
    if not n:
        raise ReviewError(f"account {account_id} has no active takedown in case {case_id}")
    live = bool(scalar(con, "SELECT count(*) FROM live_accounts WHERE account_id = ?",
                       [account_id]))
    posts = int(scalar(con, "SELECT count(*) FROM posts WHERE account_id = ?", [account_id]))
    actions = outbox.enqueue(con, "restore", case_id, [account_id],
                             {"by": user.username, "reason": reason}, batch_size)
    result = {"account_id": account_id, "live": live, "posts": posts, "actions": actions}
    audit.append(con, user.username, "takedown.restore", "account", account_id, reason,
                 {"status": "active", "case_id": case_id}, {"status": "restored", **result})
    return result


def case_takedown(con: duckdb.DuckDBPyConnection, case_id: str) -> dict[str, Any]:
    """Counts of a case's takedown rows by status, and who requested/approved them."""
    by = {r[0]: int(r[1]) for r in con.execute(
        "SELECT status, count(*) FROM takedowns WHERE case_id = ? GROUP BY 1", [case_id]
    ).fetchall()}
    people = rows(con, "SELECT DISTINCT requested_by, approved_by FROM takedowns "
                       "WHERE case_id = ? ORDER BY 1, 2", [case_id])
    return {"by_status": by, "people": people,
            "removed_posts": _removed_posts(con, case_id, "active") if by.get("active") else 0}


def is_live(con: duckdb.DuckDBPyConnection, account_id: str) -> bool:
    """True unless the account has an active takedown."""
    return not scalar(con, "SELECT count(*) FROM takedowns WHERE account_id = ? AND "
                           "status = 'active'", [account_id])


def archive(con: duckdb.DuckDBPyConnection, case_id: str | None = None, limit: int = 50,
            offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Taken-down accounts (active takedowns) with their archived post counts; paged."""
    where = "t.status = 'active'" + (" AND t.case_id = ?" if case_id else "")
    params: list[Any] = [case_id] if case_id else []
    total = int(scalar(con, f"SELECT count(*) FROM takedowns t WHERE {where}", params))
    page = rows(
        con,
        f"""
        WITH t AS (SELECT * FROM takedowns t WHERE {where}
                   ORDER BY t.taken_at DESC, t.account_id LIMIT ? OFFSET ?)
        SELECT t.account_id, a.screen_name, t.case_id, t.taken_at, t.requested_by, t.approved_by,
               t.policy, (SELECT count(*) FROM posts p WHERE p.account_id = t.account_id)
               AS archived_posts
        FROM t LEFT JOIN accounts a USING (account_id) ORDER BY t.taken_at DESC, t.account_id
        """, [*params, int(limit), int(offset)])
    return page, total


def history(con: duckdb.DuckDBPyConnection, account_id: str) -> list[dict[str, Any]]:
    """Every takedown row of an account, newest first."""
    return rows(con, "SELECT case_id, status, requested_by, requested_at, approved_by, taken_at, "
                     "restored_by, restored_at, policy FROM takedowns WHERE account_id = ? "
                     "ORDER BY requested_at DESC", [account_id])
