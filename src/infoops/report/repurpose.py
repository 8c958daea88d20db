"""Signals that accounts were repurposed: bought, hacked or reactivated for the operation.

The June 2020 PRC network reused old accounts: their history shows a switch of
posting language, of name and of client app, long dormancy, and posts such as
"test new owner" (Stanford Internet Observatory 2020; Twitter Safety 2020). This
module lists such switches from ``profile_changes`` and from the posts themselves
(the dominant language/client of an account's first third of posts against its
last third), plus the ``members.signals`` the roles stage recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

#: Phrases of "new owner" / test posts seen on repurposed accounts (case-insensitive RE2).
NEW_OWNER_RE = (
    r"(?i)(new owner|test(ing)? new|account (was )?(sold|bought)|新主人|新号|测试|"
    r"новый владелец|yeni sahib)"
)
#: A silence between consecutive posts (or creation and first post) this long is dormancy.
DORMANCY_DAYS = 180
#: Fragments of ``members.signals`` keys that speak of repurposing.
REPURPOSE_KEYS = ("hijack", "dorman", "switch", "owner", "repurpos", "bought", "compromis")


@dataclass
class AccountSignals:
    account_id: str
    screen_name: str
    role: str
    signals: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def _switch(con: duckdb.DuckDBPyConnection, members: str, col: str) -> dict[str, tuple[str, str]]:
    rows = con.execute(
        f"""
        WITH t AS (
            SELECT p.account_id, coalesce(nullif(p.{col}, ''), '?') AS v,
                   ntile(3) OVER (PARTITION BY p.account_id ORDER BY p.created_at, p.post_id) AS part,
                   count(*) OVER (PARTITION BY p.account_id) AS n
            FROM posts p JOIN {members} m USING (account_id)
        ), c AS (
            SELECT account_id, part, v, count(*) AS k FROM t WHERE n >= 6 AND part IN (1, 3)
            GROUP BY ALL
        ), mode AS (
            SELECT account_id, part, v FROM c
            QUALIFY row_number() OVER (PARTITION BY account_id, part ORDER BY k DESC, v) = 1
        )
        SELECT a.account_id, a.v, b.v FROM mode a JOIN mode b USING (account_id)
        WHERE a.part = 1 AND b.part = 3 AND a.v <> b.v
        """
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _dormant(con: duckdb.DuckDBPyConnection, members: str) -> list[tuple[Any, ...]]:
    """(account, longest silence in days, its start) of members silent :data:`DORMANCY_DAYS` or more."""
    return con.execute(
        f"""
        WITH t AS (
            SELECT p.account_id, p.created_at,
                   coalesce(lag(p.created_at) OVER (PARTITION BY p.account_id ORDER BY p.created_at),
                            a.created_at) AS prev
            FROM posts p JOIN {members} m USING (account_id) LEFT JOIN accounts a USING (account_id)
        )
        SELECT account_id, max(date_diff('day', prev, created_at)) AS gap,
               strftime(arg_max(prev, date_diff('day', prev, created_at)), '%Y-%m-%d')
        FROM t GROUP BY ALL HAVING gap >= {DORMANCY_DAYS}
        """
    ).fetchall()


def repurposed(
    con: duckdb.DuckDBPyConnection, members: str, run_id: str, network_id: str, limit: int = 15
) -> dict[str, Any]:
    """Counts of accounts with each repurposing signal and up to ``limit`` example accounts.

    Signals: ``name change`` / ``language change`` / other profile fields from
    ``profile_changes``; ``post language switch`` and ``client switch`` (dominant
    value of the first third of posts differs from the last third, accounts with
    at least six posts); ``new-owner post`` (text matches :data:`NEW_OWNER_RE`);
    ``dormant`` (a gap of :data:`DORMANCY_DAYS` or more); and truthy repurposing keys of
    the roles stage's ``members.signals`` JSON (:data:`REPURPOSE_KEYS`).
    """
    acc: dict[str, AccountSignals] = {}

    def get(aid: str) -> AccountSignals:
        if aid not in acc:
            acc[aid] = AccountSignals(aid, "", "")
        return acc[aid]

    for aid, fld, when, old, new in con.execute(
        f"SELECT c.account_id, c.field, strftime(c.changed_at, '%Y-%m-%d'), c.old_value, "
        f"c.new_value FROM profile_changes c JOIN {members} m USING (account_id) "
        f"ORDER BY c.account_id, c.changed_at, c.field"
    ).fetchall():
        a = get(aid)
        name = f"{'name' if fld in ('screen_name', 'display_name', 'name') else fld} change"
        if name not in a.signals:
            a.signals.append(name)
        a.evidence.append(f"{when or '?'} {fld}: {old or ''} → {new or ''}")
    for col, label in (("language", "post language switch"), ("client", "client switch")):
        for aid, (before, after) in _switch(con, members, col).items():
            a = get(aid)
            a.signals.append(label)
            a.evidence.append(f"{label}: {before} → {after}")
    for aid, n, example in con.execute(
        f"SELECT p.account_id, count(*), min(p.text) FROM posts p JOIN {members} m USING (account_id) "
        f"WHERE regexp_matches(coalesce(p.text, ''), ?) GROUP BY ALL",
        [NEW_OWNER_RE],
    ).fetchall():
        a = get(aid)
        a.signals.append("new-owner post")
        a.evidence.append(f"{n} post(s) like: {example}")
    for aid, gap, start in _dormant(con, members):
        a = get(aid)
        a.signals.append("dormant")
        a.evidence.append(f"silent {gap} days from {start}")
    for aid, sig in con.execute(
        "SELECT account_id, signals FROM members WHERE run_id = ? AND network_id = ? "
        "AND signals IS NOT NULL",
        [run_id, network_id],
    ).fetchall():
        for key, value in _truthy(sig):
            a = get(aid)
            label = f"roles: {key}"
            if label not in a.signals:
                a.signals.append(label)
                a.evidence.append(f"{key}: {value}")
    if acc:
        names = {r[0]: (r[1], r[2]) for r in con.execute(
            f"SELECT m.account_id, coalesce(a.screen_name, ''), coalesce(m.role, '') "
            f"FROM {members} m LEFT JOIN accounts a USING (account_id)"
        ).fetchall()}
        for aid, a in acc.items():
            a.screen_name, a.role = names.get(aid, ("", ""))
    tally: dict[str, int] = {}
    for a in acc.values():
        for s in set(a.signals):
            tally[s] = tally.get(s, 0) + 1
    ranked = sorted(acc.values(), key=lambda a: (-len(set(a.signals)), a.account_id))
    return {"tally": dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))),
            "accounts": len(acc), "examples": ranked[:limit]}


def _flag(val: Any) -> bool:
    """Whether one signal is raised: ``True``, or a dict whose ``flagged`` (else ``value``) is."""
    if isinstance(val, bool):
        return val
    if isinstance(val, dict):
        for key in ("flagged", "flag", "value"):
            if key in val:
                return bool(val[key])
    return False


def _truthy(raw: Any) -> list[tuple[str, str]]:
    """Keys of a loosely structured signals JSON whose value (or ``value`` field) is truthy."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except (TypeError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    out = []
    for key, val in sorted(data.items()):
        if not _flag(val) or not any(h in str(key).lower() for h in REPURPOSE_KEYS):
            continue
        out.append((str(key).replace("_", " "), in_words(val)[:200]))
    return out


def in_words(val: Any) -> str:
    """A signal's value as words, not JSON: ``{"flagged": true, "days": 120}`` ->
    ``days 120``; lists joined with commas; true/false as yes/no; numbers rounded."""
    if isinstance(val, bool):
        return "yes" if val else "no"
    if isinstance(val, float):
        return f"{val:,.3g}"
    if isinstance(val, dict):
        parts = [f"{str(k).replace('_', ' ')} {in_words(v)}" for k, v in val.items()
                 if k not in ("flagged", "flag", "value") and v not in (None, "", [], {})]
        return "; ".join(parts) or "yes"
    if isinstance(val, (list, tuple)):
        return ", ".join(in_words(v) for v in val)
    return str(val)


def signal_tally(con: duckdb.DuckDBPyConnection, run_id: str, network_id: str) -> dict[str, int]:
    """How many members carry each truthy key of the roles stage's ``signals`` JSON."""
    tally: dict[str, int] = {}
    for (raw,) in con.execute(
        "SELECT signals FROM members WHERE run_id = ? AND network_id = ? AND signals IS NOT NULL",
        [run_id, network_id],
    ).fetchall():
        try:
            data = json.loads(raw) if isinstance(raw, str) else raw
        except (TypeError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        for key, val in data.items():
            if _flag(val):
                tally[str(key)] = tally.get(str(key), 0) + 1
    return dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))
