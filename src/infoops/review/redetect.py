"""Re-detection: prior decisions next to every account, and accounts that come back.

After a takedown, a later ``detect`` run still sees the taken-down accounts
(their rows stay in the store) and, when the operation returns, the new
accounts it made to evade the ban (Twitter's "ban evasion" policy): they are
new (no decision about them yet) and coordinate with accounts that are taken
down. :func:`returning` flags those, with the taken-down accounts they are
linked to, by the run's significant edges.
"""

from __future__ import annotations

from typing import Any

import duckdb

from infoops.review.rows import rows
from infoops.store.sql import scalar


def prior_decisions(con: duckdb.DuckDBPyConnection, account_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every case decision and takedown state about the given accounts, by account."""
    if not account_ids:
        return {}
    found = rows(
        con,
        """
        SELECT c.account_id, c.case_id, k.run_id, k.network_id, c.decision, c.policy, c.decided_by,
               c.decided_at, t.status AS takedown
        FROM case_accounts c JOIN cases k USING (case_id)
        LEFT JOIN takedowns t ON t.case_id = c.case_id AND t.account_id = c.account_id
        WHERE c.account_id IN (SELECT unnest(?::TEXT[])) AND c.decision IS NOT NULL
        ORDER BY c.account_id, c.decided_at DESC
        """, [list(account_ids)])
    out: dict[str, list[dict[str, Any]]] = {}
    for r in found:
        out.setdefault(r["account_id"], []).append(r)
    return out


_RETURNING = """
WITH m AS (SELECT DISTINCT network_id, account_id FROM members WHERE run_id = $run {net}),
gone AS (SELECT DISTINCT account_id FROM takedowns WHERE status = 'active'),
decided AS (SELECT DISTINCT account_id FROM case_accounts WHERE decision IS NOT NULL),
e AS (SELECT a AS x, b AS y FROM edges WHERE run_id = $run AND coalesce(significant, TRUE)
        AND b IN (SELECT account_id FROM gone)
      UNION SELECT b, a FROM edges WHERE run_id = $run AND coalesce(significant, TRUE)
        AND a IN (SELECT account_id FROM gone)),
links AS (
    SELECT m.network_id, m.account_id, e.y AS linked_to
    FROM m JOIN e ON e.x = m.account_id
    WHERE m.account_id NOT IN (SELECT account_id FROM decided)
      AND m.account_id NOT IN (SELECT account_id FROM gone))
"""


def returning(con: duckdb.DuckDBPyConnection, run_id: str, network_id: str,
              limit: int = 200) -> list[dict[str, Any]]:
    """New accounts of a network linked to taken-down accounts (possible ban evasion)."""
    if not scalar(con, "SELECT count(*) FROM takedowns WHERE status = 'active'"):
        return []
    return rows(
        con,
        _RETURNING.format(net="AND network_id = $net")
        + """
        SELECT l.account_id, a.screen_name, a.created_at,
               list(DISTINCT l.linked_to ORDER BY l.linked_to) AS linked_to,
               count(DISTINCT l.linked_to) AS n_linked
        FROM links l LEFT JOIN accounts a USING (account_id)
        GROUP BY ALL ORDER BY n_linked DESC, l.account_id LIMIT $k
        """, {"run": run_id, "net": network_id, "k": int(limit)})


def network_flags(con: duckdb.DuckDBPyConnection, run_id: str,
                  network_id: str | None = None) -> dict[str, dict[str, int]]:
    """Per network of a run (or just ``network_id``): members already decided, taken down,
    and returning suspects."""
    net = "AND network_id = $net" if network_id is not None else ""
    params: dict[str, str] = {"run": run_id}
    if network_id is not None:
        params["net"] = network_id
    out: dict[str, dict[str, int]] = {}
    for nid, decided, gone in con.execute(
        f"""
        WITH m AS (SELECT DISTINCT network_id, account_id FROM members WHERE run_id = $run {net})
        SELECT m.network_id,
               count(*) FILTER (WHERE m.account_id IN (SELECT account_id FROM case_accounts
                                                      WHERE decision IS NOT NULL)),
               count(*) FILTER (WHERE m.account_id IN (SELECT account_id FROM takedowns
                                                      WHERE status = 'active'))
        FROM m GROUP BY 1
        """, params).fetchall():
        out[str(nid)] = {"decided": int(decided), "taken_down": int(gone), "returning": 0}
    if not scalar(con, "SELECT count(*) FROM takedowns WHERE status = 'active'"):
        return out  # nothing taken down anywhere: nobody can be returning
    for nid, n in con.execute(
        _RETURNING.format(net=net) + "SELECT network_id, count(DISTINCT account_id) FROM links "
                                     "GROUP BY 1", params).fetchall():
        out.setdefault(str(nid), {"decided": 0, "taken_down": 0, "returning": 0})["returning"] = int(n)
    return out
