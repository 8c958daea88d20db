"""Cases: a network (or hand-picked accounts) under review, its notes and decisions.

A case holds one ``case_accounts`` row per account, each with its current
decision (``confirm`` / ``dismiss`` / ``needs_evidence``, or NULL while
undecided) and policy reason; the full history is in ``decisions`` and the
audit log. A decision on the network applies to every still-undecided account;
confirming the network takes its confirmed accounts down (see
:mod:`infoops.review.takedown`) in the same transaction.

Concurrency is optimistic: every change to a case names the ``version`` it was
made against, and the update only happens when the case is still at that
version; otherwise :class:`~infoops.errors.ConflictError` says who changed it
first, so two reviewers deciding at once never overwrite each other.
"""

from __future__ import annotations

from typing import Any

import duckdb

from infoops.errors import ConflictError, NotFoundError, ReviewError
from infoops.review import audit, takedown
from infoops.review.rows import changed, next_id, one, required_text, rows, transaction, utcnow
from infoops.review.users import User, require
from infoops.store.sql import scalar

DECISIONS = ("confirm", "dismiss", "needs_evidence")
#: Policy reasons a decision cites (key → label shown to people).
POLICIES: dict[str, str] = {
    "fake_accounts": "Fake accounts",
    "coordinated_inauthentic_activity": "Coordinated inauthentic activity",
    "compromised_account": "Compromised account",
    "ban_evasion": "Ban evasion",
    "spam": "Spam",
}
STATUSES = ("open", "decided", "closed")
MAX_NOTE = 10_000


def _case(con: duckdb.DuckDBPyConnection, case_id: str) -> dict[str, Any]:
    case = one(con, "SELECT * FROM cases WHERE case_id = ?", [case_id])
    if case is None:
        raise NotFoundError(f"no case {case_id!r}; see /cases for the list")
    return case


def _bump(con: duckdb.DuckDBPyConnection, user: User, case: dict[str, Any],
          version: int | None) -> int:
    """Move the case to the next version if it is still at ``version``; else ConflictError."""
    if version is None:
        raise ReviewError("the case version is missing; reload the case and try again")
    n = changed(con.execute(
        "UPDATE cases SET version = version + 1, updated_at = ?, updated_by = ? "
        "WHERE case_id = ? AND version = ?",
        [utcnow(), user.username, case["case_id"], int(version)]))
    if not n:
        raise ConflictError(
            f"case {case['case_id']} was changed by {case.get('updated_by') or '?'} at "
            f"{case.get('updated_at')} (now version {case['version']}, you had version "
            f"{version}); reload it and decide again")
    return int(version) + 1


def open_case(con: duckdb.DuckDBPyConnection, user: User, run_id: str,
              network_id: str | None = None, account_ids: list[str] | None = None,
              title: str | None = None) -> str:
    """Open a case on a network of ``run_id`` or on hand-picked accounts; return its id."""
    require(user, "case.open")
    picked = sorted({a.strip() for a in account_ids or [] if a and a.strip()})
    if network_id is None and not picked:
        raise ReviewError("open a case from a network or pick at least one account")
    with transaction(con):
        if network_id is not None:
            if not scalar(con, "SELECT count(*) FROM networks WHERE run_id = ? AND network_id = ?",
                          [run_id, network_id]):
                raise NotFoundError(f"run {run_id} has no network {network_id!r}")
            if not picked:
                existing = scalar(con, "SELECT case_id FROM cases WHERE run_id = ? AND "
                                       "network_id = ? AND status <> 'closed' ORDER BY created_at "
                                       "LIMIT 1", [run_id, network_id])
                if existing:
                    raise ConflictError(f"network {network_id} already has case {existing}; "
                                        f"open that one")
        if picked:
            known = {r[0] for r in con.execute(
                "SELECT account_id FROM accounts WHERE account_id IN (SELECT unnest(?::TEXT[]))",
                [picked]).fetchall()}
            missing = [a for a in picked if a not in known]
            if missing:
                raise NotFoundError(f"no account {missing[0]!r} in the store"
                                    + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
        case_id = next_id(con, "cases", "case_id", "C")
        now = utcnow()
        if picked:
            con.execute(
                "INSERT INTO case_accounts (case_id, account_id, role, score) "
                "SELECT ?, a.account_id, m.role, m.score FROM (SELECT unnest(?::TEXT[]) AS "
                "account_id) a LEFT JOIN (SELECT account_id, any_value(role) AS role, "
                "max(score) AS score FROM members WHERE run_id = ? GROUP BY 1) m USING (account_id)",
                [case_id, picked, run_id])
        else:
            con.execute(
                "INSERT INTO case_accounts (case_id, account_id, role, score) "
                "SELECT ?, account_id, any_value(role), max(score) FROM members "
                "WHERE run_id = ? AND network_id = ? GROUP BY account_id",
                [case_id, run_id, network_id])
        n = int(scalar(con, "SELECT count(*) FROM case_accounts WHERE case_id = ?", [case_id]))
        title = (title or "").strip()[:200] or (
            f"Network {network_id} ({n} accounts)" if network_id and not picked
            else f"{n} hand-picked account{'s' if n != 1 else ''}")
        con.execute(
            "INSERT INTO cases (case_id, run_id, network_id, title, status, created_by, "
            "created_at, updated_at, updated_by, version) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, 1)",
            [case_id, run_id, network_id, title, user.username, now, now, user.username])
        audit.append(con, user.username, "case.open", "case", case_id, None, None,
                     {"run_id": run_id, "network_id": network_id, "accounts": n, "title": title})
    return case_id


def assign(con: duckdb.DuckDBPyConnection, user: User, case_id: str, assignee: str | None,
           version: int | None) -> int:
    """Assign the case to a user (or to nobody); return the new version."""
    require(user, "case.assign")
    assignee = (assignee or "").strip() or None
    with transaction(con):
        case = _case(con, case_id)
        if assignee and not scalar(con, "SELECT count(*) FROM users WHERE username = ? AND active",
                                   [assignee]):
            raise NotFoundError(f"no active user {assignee!r} to assign the case to")
        new = _bump(con, user, case, version)
        con.execute("UPDATE cases SET assignee = ? WHERE case_id = ?", [assignee, case_id])
        audit.append(con, user.username, "case.assign", "case", case_id, None,
                     {"assignee": case["assignee"]}, {"assignee": assignee})
    return new


def add_note(con: duckdb.DuckDBPyConnection, user: User, case_id: str, text: str) -> None:
    """Add a note to a case (notes never conflict; they are appended)."""
    require(user, "case.note")
    text = required_text(text, "note", MAX_NOTE)
    with transaction(con):
        _case(con, case_id)
        con.execute("INSERT INTO case_notes VALUES (?, ?, ?, ?)",
                    [case_id, user.username, utcnow(), text])
        audit.append(con, user.username, "case.note", "case", case_id, None, None, {"note": text})


def _check(decision: str, policy: str | None) -> None:
    if decision not in DECISIONS:
        raise ReviewError(f"decision {decision!r}: use one of {', '.join(DECISIONS)}")
    if policy is not None and policy not in POLICIES:
        raise ReviewError(f"policy {policy!r}: use one of {', '.join(POLICIES)}")
    if decision == "confirm" and policy is None:
        raise ReviewError("a confirm decision needs a policy reason "
                          f"({', '.join(POLICIES)})")


def decide(con: duckdb.DuckDBPyConnection, user: User, case_id: str, decision: str,
           policy: str | None, note: str | None, version: int | None,
           account_id: str | None = None,
           approval_threshold: int = takedown.APPROVAL_THRESHOLD) -> dict[str, Any]:
    """Decide the case's network (``account_id`` None) or one of its accounts.

    Returns ``{"version", "decision", "takedown"}``; ``takedown`` describes what a
    confirm took down (or queued for approval). Raises ConflictError when the case
    moved past ``version``.
    """
    require(user, "case.decide")
    policy = policy or None
    note = (note or "").strip()[:MAX_NOTE] or None
    _check(decision, policy)
    now = utcnow()
    try:
        with transaction(con):
            case = _case(con, case_id)
            if case["status"] == "closed":
                raise ReviewError(f"case {case_id} is closed; open a new case to decide again")
            new = _bump(con, user, case, version)
            done: dict[str, Any] = {"status": None, "accounts": 0, "posts": 0}
            if account_id is not None:
                before = one(con, "SELECT decision, policy FROM case_accounts WHERE case_id = ? "
                                  "AND account_id = ?", [case_id, account_id])
                if before is None:
                    raise NotFoundError(f"account {account_id!r} is not in case {case_id}")
                held = scalar(con, "SELECT status FROM takedowns WHERE case_id = ? AND "
                                   "account_id = ? AND status IN ('active', 'pending_approval')",
                              [case_id, account_id])
                if held and decision != "confirm":
                    raise ReviewError(f"account {account_id} is taken down in case {case_id}; "
                                      f"file an appeal to restore it")
                con.execute("UPDATE case_accounts SET decision = ?, policy = ?, decided_by = ?, "
                            "decided_at = ? WHERE case_id = ? AND account_id = ?",
                            [decision, policy, user.username, now, case_id, account_id])
                _record(con, case_id, account_id, decision, policy, note, user, now)
                audit.append(con, user.username, f"decision.{decision}", "account", account_id,
                             note, {"case_id": case_id, **before},
                             {"case_id": case_id, "decision": decision, "policy": policy})
                if decision == "confirm" and case["decision"] == "confirm":
                    done = takedown.take_down(con, user, case_id, policy, approval_threshold,
                                              account_id=account_id)
            else:
                status = "open" if decision == "needs_evidence" else "decided"
                con.execute("UPDATE cases SET decision = ?, policy = ?, status = ? "
                            "WHERE case_id = ?", [decision, policy, status, case_id])
                applied = 0
                if decision != "needs_evidence":
                    applied = changed(con.execute(
                        "UPDATE case_accounts SET decision = ?, policy = ?, decided_by = ?, "
                        "decided_at = ? WHERE case_id = ? AND decision IS NULL",
                        [decision, policy, user.username, now, case_id]))
                _record(con, case_id, None, decision, policy, note, user, now)
                audit.append(con, user.username, f"decision.{decision}", "case", case_id, note,
                             {"decision": case["decision"], "policy": case["policy"],
                              "status": case["status"]},
                             {"decision": decision, "policy": policy, "status": status,
                              "undecided_accounts_now": decision if applied else None,
                              "accounts_applied": applied})
                if decision == "confirm":
                    done = takedown.take_down(con, user, case_id, policy, approval_threshold)
    except duckdb.TransactionException as exc:  # another writer touched the same rows
        raise ConflictError(f"case {case_id} changed while deciding; reload it ({exc})") from exc
    return {"version": new, "decision": decision, "takedown": done}


def _record(con: duckdb.DuckDBPyConnection, case_id: str, account_id: str | None, decision: str,
            policy: str | None, note: str | None, user: User, now: Any) -> None:
    did = int(scalar(con, "SELECT coalesce(max(decision_id), 0) + 1 FROM decisions"))
    con.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [did, case_id, account_id, decision, policy, note, user.username, now])


def close_case(con: duckdb.DuckDBPyConnection, user: User, case_id: str, version: int | None,
               reason: str | None = None) -> int:
    """Close a decided case (nothing more is decided in it); return the new version."""
    require(user, "case.decide")
    with transaction(con):
        case = _case(con, case_id)
        if case["status"] != "decided":
            raise ReviewError(f"case {case_id} is {case['status']}; decide it before closing")
        new = _bump(con, user, case, version)
        con.execute("UPDATE cases SET status = 'closed' WHERE case_id = ?", [case_id])
        audit.append(con, user.username, "case.close", "case", case_id, reason,
                     {"status": "decided"}, {"status": "closed"})
    return new


def get_case(con: duckdb.DuckDBPyConnection, case_id: str) -> dict[str, Any]:
    """The case, its decision counts, notes, decisions history and takedown state."""
    case = _case(con, case_id)
    case["counts"] = {str(r[0] or "undecided"): int(r[1]) for r in con.execute(
        "SELECT decision, count(*) FROM case_accounts WHERE case_id = ? GROUP BY 1 ORDER BY 1",
        [case_id]).fetchall()}
    case["accounts"] = sum(case["counts"].values())
    case["notes"] = rows(con, "SELECT author, created_at, text FROM case_notes WHERE case_id = ? "
                              "ORDER BY created_at", [case_id])
    case["history"] = rows(con, "SELECT decision_id, account_id, decision, policy, note, "
                                "decided_by, decided_at FROM decisions WHERE case_id = ? "
                                "ORDER BY decision_id DESC LIMIT 200", [case_id])
    case["takedown"] = takedown.case_takedown(con, case_id)
    return case


def case_accounts(con: duckdb.DuckDBPyConnection, case_id: str, limit: int = 50,
                  offset: int = 0, decision: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """One page of a case's accounts with decision, takedown status and live state."""
    _case(con, case_id)
    where = "c.case_id = ?"
    params: list[Any] = [case_id]
    if decision == "undecided":
        where += " AND c.decision IS NULL"
    elif decision:
        where += " AND c.decision = ?"
        params.append(decision)
    total = int(scalar(con, f"SELECT count(*) FROM case_accounts c WHERE {where}", params))
    page = rows(
        con,
        f"""
        WITH c AS (SELECT * FROM case_accounts c WHERE {where}
                   ORDER BY c.score DESC NULLS LAST, c.account_id LIMIT ? OFFSET ?)
        SELECT c.account_id, a.screen_name, c.role, c.score, c.decision, c.policy, c.decided_by,
               c.decided_at, t.status AS takedown,
               NOT EXISTS (SELECT 1 FROM takedowns x WHERE x.account_id = c.account_id
                           AND x.status = 'active') AS live
        FROM c LEFT JOIN accounts a USING (account_id)
        LEFT JOIN takedowns t ON t.case_id = c.case_id AND t.account_id = c.account_id
        ORDER BY c.score DESC NULLS LAST, c.account_id
        """, [*params, int(limit), int(offset)])
    return page, total


def list_cases(con: duckdb.DuckDBPyConnection, status: str | None = None, limit: int = 50,
               offset: int = 0, run_id: str | None = None,
               network_id: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """Cases (optionally of one status, or on one network of a run), newest first, with
    account counts and takedown state."""
    conds, params = [], []
    for column, value in (("status", status), ("run_id", run_id), ("network_id", network_id)):
        if value is not None:
            conds.append(f"{column} = ?")
            params.append(value)
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    total = int(scalar(con, f"SELECT count(*) FROM cases {where}", params))
    page = rows(
        con,
        f"""
        SELECT c.case_id, c.title, c.run_id, c.network_id, c.status, c.decision, c.policy,
               c.assignee, c.created_by, c.created_at, c.updated_at, c.version,
               (SELECT count(*) FROM case_accounts a WHERE a.case_id = c.case_id) AS accounts,
               (SELECT count(*) FROM takedowns t WHERE t.case_id = c.case_id
                AND t.status = 'active') AS taken_down,
               (SELECT count(*) FROM takedowns t WHERE t.case_id = c.case_id
                AND t.status = 'pending_approval') AS pending_approval
        FROM cases c {where} ORDER BY c.created_at DESC, c.case_id DESC LIMIT ? OFFSET ?
        """, [*params, int(limit), int(offset)])
    return page, total
