"""What the review pages show about networks: the ranked list, one network, its members.

Everything here reads detection results (never recomputes detection) plus the
review tables for each network's status. Tables are paged with ``LIMIT`` and
``OFFSET`` so a network of 150,000 members costs one page of rows.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from infoops.errors import NotFoundError
from infoops.report.build import ranked_networks
from infoops.review import redetect
from infoops.review.rows import one, parse_json, posts_by_id, rows
from infoops.store.sql import scalar

#: Rows per page of every paged table unless the request asks for fewer.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MEMBER_SORTS = {"score": "m.score DESC NULLS LAST, m.account_id",
                "followers": "a.followers DESC NULLS LAST, m.account_id",
                "account": "m.account_id"}


def latest_run(con: duckdb.DuckDBPyConnection) -> str:
    """The most recent completed detect run."""
    run = scalar(con, "SELECT run_id FROM detect_runs WHERE status = 'completed' "
                      "ORDER BY started_at DESC LIMIT 1")
    if run is None:
        raise NotFoundError("no completed detect run in the store; run `infoops detect` first")
    return str(run)


def check_run(con: duckdb.DuckDBPyConnection, run_id: str | None) -> str:
    """``run_id`` if the store has it, else the latest run when ``run_id`` is None."""
    if run_id is None:
        return latest_run(con)
    if not scalar(con, "SELECT count(*) FROM detect_runs WHERE run_id = ?", [run_id]):
        raise NotFoundError(f"no detect run {run_id!r}; see `infoops status` for the runs")
    return run_id


def runs(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return rows(con, "SELECT run_id, started_at, status FROM detect_runs ORDER BY started_at DESC")


def _top_signals(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, list[str]]:
    from infoops.detect.signals import SIGNALS

    shares = ", ".join(
        f"avg(coalesce(json_extract(signals, '$.{s}.flagged')::BOOLEAN, FALSE)::INT) AS \"{s}\""
        for s in SIGNALS)
    out: dict[str, list[str]] = {}
    cur = con.execute(f"SELECT network_id, {shares} FROM members WHERE run_id = ? GROUP BY 1",
                      [run_id])
    names = [d[0] for d in cur.description or []][1:]
    for r in cur.fetchall():
        ranked = sorted(((v or 0.0, k) for k, v in zip(names, r[1:], strict=True) if v), reverse=True)
        out[str(r[0])] = [f"{k} {v:.0%}" for v, k in ranked[:3]]
    return out


def ranked(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """The run's networks by score (the report's ranking), with top signals (cacheable)."""
    nets = ranked_networks(con, run_id)
    signals = _top_signals(con, run_id)
    for n in nets:
        n["signals"] = signals.get(n["network_id"], [])
    return nets


def network_status(con: duckdb.DuckDBPyConnection, run_id: str,
                   network_id: str | None = None) -> dict[str, dict[str, Any]]:
    """Per network (or just ``network_id``): its latest case (id, status, decision) and
    re-detection flags (live)."""
    flags = redetect.network_flags(con, run_id, network_id)
    for r in rows(con, "SELECT network_id, arg_max(case_id, created_at) AS case_id, "
                       "arg_max(status, created_at) AS case_status, "
                       "arg_max(decision, created_at) AS decision FROM cases "
                       "WHERE run_id = ? AND network_id IS NOT NULL "
                       "AND (? IS NULL OR network_id = ?) GROUP BY 1",
                  [run_id, network_id, network_id]):
        flags.setdefault(r["network_id"], {"decided": 0, "taken_down": 0, "returning": 0}).update(
            case_id=r["case_id"], case_status=r["case_status"], decision=r["decision"])
    return flags


def rejected(con: duckdb.DuckDBPyConnection, run_id: str,
             network_id: str | None = None) -> list[dict[str, Any]]:
    """Networks detect looked at and rejected, with the reason (those sharing members with
    ``network_id`` when it is given)."""
    if network_id is None:
        return rows(con, "SELECT network_id, score, n_accounts, traces, reason, detail::TEXT AS "
                         "detail FROM rejected_networks WHERE run_id = ? "
                         "ORDER BY score DESC NULLS LAST, network_id", [run_id])
    return rows(
        con,
        """
        SELECT r.network_id, r.score, r.n_accounts, r.traces, r.reason, r.detail::TEXT AS detail,
               count(DISTINCT rm.account_id) AS shared_members
        FROM rejected_networks r
        JOIN rejected_members rm ON rm.run_id = r.run_id AND rm.network_id = r.network_id
        WHERE r.run_id = $run AND rm.account_id IN
              (SELECT account_id FROM members WHERE run_id = $run AND network_id = $net)
        GROUP BY ALL ORDER BY shared_members DESC, r.network_id
        """, {"run": run_id, "net": network_id})


def summary(con: duckdb.DuckDBPyConnection, run_id: str, network_id: str) -> dict[str, Any]:
    """One network's detection summary: row, roles, traces and signal shares (cacheable)."""
    net = one(con, "SELECT network_id, score, n_accounts, n_core, n_amplifier, traces, reason, "
                   "detail::TEXT AS detail FROM networks WHERE run_id = ? AND network_id = ?",
              [run_id, network_id])
    if net is None:
        known = [r[0] for r in con.execute(
            "SELECT network_id FROM networks WHERE run_id = ? ORDER BY score DESC NULLS LAST "
            "LIMIT 5", [run_id]).fetchall()]
        raise NotFoundError(f"no network {network_id!r} in run {run_id}"
                            + (f"; networks include {', '.join(known)}" if known else ""))
    net["detail"] = parse_json(net["detail"])
    net["run_id"] = run_id
    net["roles"] = {str(r[0] or "unassigned"): int(r[1]) for r in con.execute(
        "SELECT role, count(*) FROM members WHERE run_id = ? AND network_id = ? GROUP BY 1 "
        "ORDER BY 1", [run_id, network_id]).fetchall()}
    from infoops.detect.signals import SIGNALS

    cur = con.execute(
        "SELECT " + ", ".join(
            f"avg(coalesce(json_extract(signals, '$.{s}.flagged')::BOOLEAN, FALSE)::INT) AS \"{s}\""
            for s in SIGNALS) + " FROM members WHERE run_id = ? AND network_id = ?",
        [run_id, network_id])
    names = [d[0] for d in cur.description or []]
    vals = cur.fetchall()[0]
    net["signals"] = sorted(({"signal": k, "share_flagged": float(v)}
                             for k, v in zip(names, vals, strict=True) if v),
                            key=lambda s: -s["share_flagged"])
    net["trace_edges"] = rows(
        con,
        """
        WITH m AS (SELECT account_id FROM members WHERE run_id = $r AND network_id = $n)
        SELECT trace, count(*) AS edges, sum(weight) AS total_weight, min(p_value) AS min_p_value
        FROM edges WHERE run_id = $r AND coalesce(significant, TRUE) AND trace <> 'fused'
          AND a IN (SELECT account_id FROM m) AND b IN (SELECT account_id FROM m)
        GROUP BY trace ORDER BY edges DESC, trace
        """, {"r": run_id, "n": network_id})
    net["posts"] = int(scalar(
        con, "SELECT count(*) FROM posts WHERE account_id IN (SELECT account_id FROM members "
             "WHERE run_id = ? AND network_id = ?)", [run_id, network_id]))
    return net


def members(con: duckdb.DuckDBPyConnection, run_id: str, network_id: str, *, limit: int = PAGE_SIZE,
            offset: int = 0, role: str | None = None, sort: str = "score",
            ) -> tuple[list[dict[str, Any]], int]:
    """One page of a network's members with role, score, reason, live state and prior decisions."""
    where = "m.run_id = ? AND m.network_id = ?"
    params: list[Any] = [run_id, network_id]
    if role:
        where += " AND m.role = ?"
        params.append(role)
    order = MEMBER_SORTS.get(sort, MEMBER_SORTS["score"])
    total = int(scalar(con, f"SELECT count(*) FROM members m WHERE {where}", params))
    page = rows(
        con,
        f"""
        SELECT m.account_id, a.screen_name, a.display_name, a.followers, a.created_at, m.role,
               m.score, m.reason,
               NOT EXISTS (SELECT 1 FROM takedowns t WHERE t.account_id = m.account_id
                           AND t.status = 'active') AS live
        FROM members m LEFT JOIN accounts a USING (account_id)
        WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?
        """, [*params, int(limit), int(offset)])
    prior = redetect.prior_decisions(con, [m["account_id"] for m in page])
    for m in page:
        m["prior"] = prior.get(m["account_id"], [])
    return page, total


def evidence(con: duckdb.DuckDBPyConnection, run_id: str, network_id: str, *,
             limit: int = PAGE_SIZE, offset: int = 0,
             account_id: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """The posts behind each link inside the network (or touching ``account_id``), paged."""
    where = ("e.run_id = $r AND e.a IN (SELECT account_id FROM m) "
             "AND e.b IN (SELECT account_id FROM m)")
    if account_id:
        where += " AND (e.a = $acc OR e.b = $acc)"
    params: dict[str, Any] = {"r": run_id, "n": network_id}
    if account_id:
        params["acc"] = account_id
    head = "WITH m AS (SELECT account_id FROM members WHERE run_id = $r AND network_id = $n) "
    total = int(scalar(con, head + f"SELECT count(*) FROM evidence e WHERE {where}", params))
    page = rows(
        con,
        head + f"""
        , ev AS (SELECT * FROM evidence e WHERE {where}
                 ORDER BY e.trace, e.a, e.b, e.post_a, e.post_b LIMIT $k OFFSET $o)
        SELECT ev.trace, ev.a, aa.screen_name AS name_a, ev.b, ab.screen_name AS name_b,
               ev.object, ev.delta_seconds, ev.post_a, ev.post_b
        FROM ev LEFT JOIN accounts aa ON aa.account_id = ev.a
        LEFT JOIN accounts ab ON ab.account_id = ev.b
        ORDER BY ev.trace, ev.a, ev.b, ev.post_a, ev.post_b
        """, {**params, "k": int(limit), "o": int(offset)})
    texts = posts_by_id(con, [e["post_a"] for e in page] + [e["post_b"] for e in page])
    for e in page:
        pa, pb = texts.get(e["post_a"], {}), texts.get(e["post_b"], {})
        e.update(time_a=pa.get("created_at"), text_a=pa.get("text"),
                 time_b=pb.get("created_at"), text_b=pb.get("text"))
    return page, total


def signals_of(raw: Any) -> dict[str, Any]:
    """A member's ``signals`` JSON as a dict."""
    value = parse_json(raw)
    return value if isinstance(value, dict) else {"value": json.dumps(value)}
