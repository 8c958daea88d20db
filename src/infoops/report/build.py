"""Gather everything the report shows, from the results and canonical tables.

The report reads results; it never recomputes detection. For each network it
registers the member list as a temporary table and runs the SQL aggregations of
:mod:`infoops.report.stats`, :mod:`infoops.narratives` and friends against it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from infoops.detect.inputs import empty_traces
from infoops.errors import NotFoundError
from infoops.export.run_graph import load_graph
from infoops.narratives import entities, languages, timeline
from infoops.narratives.topics import Narratives, Span, bulk_span, network_narratives
from infoops.report import evidence, netpic, repurpose, stats
from infoops.store import Store
from infoops.store.sql import first_row

MEMBERS = "_report_members"
#: Accounts the network picture draws; larger networks are drawn from a seeded
#: sample (all cores first) with their hubs labelled: past a few hundred nodes a
#: force layout is a hairball whatever the screen.
PICTURE_NODES = 400


@dataclass
class NetworkSection:
    """Everything shown for one network (see the report's numbered sections)."""

    rank: int
    network_id: str
    score: float | None
    reason: str
    traces: str
    counts: dict[str, Any]
    creation: stats.CreationHistogram
    periods: list[str]
    period: str
    by_kind: dict[str, list[int]]
    narratives: Narratives
    heatmap: list[list[int]]
    timezone: timeline.WorkingTimezone | None
    follow: dict[str, Any]
    engagement: dict[str, Any]
    post_languages: list[tuple[str, int]]
    account_languages: list[tuple[str, int]]
    location_language: list[tuple[str, str, str, int]]
    top: dict[str, list[entities.Ranked]]
    clients: list[tuple[str, int, int]]
    repurposed: dict[str, Any]
    signal_tally: dict[str, int]
    picture: netpic.Picture
    links: list[evidence.Link]
    #: the span of the bulk of the posts (axes) and the outliers cut off
    span: Span = field(default_factory=Span)
    #: trace -> why it had no input in this run's data
    empty_traces: dict[str, str] = field(default_factory=dict)
    #: the run's ranked-table row of this network (languages, top hashtag, ...)
    overview: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReportData:
    """The whole report: the run, the ranked network list, and the detailed sections."""

    run: dict[str, Any]
    networks: list[dict[str, Any]]
    sections: list[NetworkSection] = field(default_factory=list)
    generated_at: str = ""
    store_path: str = ""
    seed: int = 0
    omitted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_total: int = 0


def register_members(con: duckdb.DuckDBPyConnection, run_id: str, network_id: str) -> str:
    """Materialise one network's ``(account_id, role)`` as a temp table; return its name."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {MEMBERS} AS "
        f"SELECT account_id, any_value(role) AS role FROM members "
        f"WHERE run_id = ? AND network_id = ? GROUP BY account_id",
        [run_id, network_id],
    )
    return MEMBERS


def _json(raw: Any) -> Any:
    if raw is None or isinstance(raw, (dict, list)):
        return raw if raw is not None else {}
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return {"value": str(raw)}


def load_run(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    """The ``detect_runs`` row of ``run_id`` with ``params`` and ``summary`` parsed."""
    row = first_row(con.execute(
        "SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S'), "
        "strftime(finished_at, '%Y-%m-%d %H:%M:%S'), status, params, summary "
        "FROM detect_runs WHERE run_id = ?",
        [run_id],
    ))
    if row is None:
        raise NotFoundError(f"no detect run {run_id!r}; run `infoops detect` or omit --run")
    return {"run_id": row[0], "started_at": row[1], "finished_at": row[2], "status": row[3],
            "params": _json(row[4]), "summary": _json(row[5])}


def ranked_networks(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """All networks of the run, strongest coordination evidence first.

    The evidence is the number of member pairs that the null model tied together
    (fused edges, each significant on at least one trace, between two members of
    the network), then the number of (pair, trace) links. It grows with the size
    of the network and with how many behaviours tie its accounts, and reads no
    account signal: an operation of established personas (ordinary follower
    counts, no creation bursts) scores low but ranks where its coordination puts
    it. Ties fall back to the detector's score, then size.
    """
    rows = con.execute(
        """
        WITH m AS (SELECT DISTINCT network_id, account_id FROM members WHERE run_id = ?),
        pc AS (
            SELECT m.network_id, count(p.post_id) AS posts
            FROM m LEFT JOIN posts p USING (account_id) GROUP BY ALL),
        ev AS (
            SELECT ma.network_id, count(*) FILTER (WHERE e.trace = 'fused') AS pairs,
                   count(*) FILTER (WHERE e.trace <> 'fused' AND e.significant) AS links
            FROM edges e JOIN m ma ON ma.account_id = e.a
            JOIN m mb ON mb.account_id = e.b AND mb.network_id = ma.network_id
            WHERE e.run_id = ? GROUP BY ALL)
        SELECT n.network_id, n.score, n.n_accounts, n.n_core, n.n_amplifier, n.traces, n.reason,
               coalesce(pc.posts, 0), coalesce(ev.pairs, 0), coalesce(ev.links, 0)
        FROM networks n LEFT JOIN pc USING (network_id) LEFT JOIN ev USING (network_id)
        WHERE n.run_id = ?
        ORDER BY 9 DESC, 10 DESC, n.score DESC NULLS LAST, n.n_accounts DESC, n.network_id
        """,
        [run_id, run_id, run_id],
    ).fetchall()
    out = []
    more = _overview(con, run_id)
    for i, (nid, score, n, core, amp, traces, reason, posts, pairs, links) in enumerate(rows, 1):
        why = reason or (f"{n} accounts linked by {traces}" if traces else f"{n} accounts")
        out.append({"rank": i, "network_id": str(nid), "score": score, "accounts": n,
                    "core": core, "amplifier": amp, "traces": traces or "", "reason": why,
                    "posts": int(posts), "pairs": int(pairs), "links": int(links),
                    **more.get(str(nid), {})})
    return out


def _overview(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, dict[str, Any]]:
    """Per network: main post languages (with shares), top hashtag, active span
    (5th to 95th percentile of post times), for the ranked table."""
    out: dict[str, dict[str, Any]] = {}
    base = ("WITH m AS (SELECT DISTINCT network_id, account_id FROM members WHERE run_id = ?), "
            "p AS (SELECT m.network_id, p.* FROM posts p JOIN m USING (account_id)) ")
    for nid, lo, hi in con.execute(
            base + "SELECT network_id, strftime(quantile_disc(created_at, 0.05), '%Y-%m-%d'), "
            "strftime(quantile_disc(created_at, 0.95), '%Y-%m-%d') FROM p GROUP BY 1", [run_id]).fetchall():
        out.setdefault(str(nid), {})["span"] = (lo, hi)
    for nid, lang, share in con.execute(
            base + "SELECT network_id, language, n / sum(n) OVER (PARTITION BY network_id) FROM ("
            "SELECT network_id, coalesce(NULLIF(language, ''), '?') AS language, count(*) AS n FROM p "
            "GROUP BY 1, 2) QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY n DESC, "
            "language) <= 2 ORDER BY network_id, 3 DESC", [run_id]).fetchall():
        out.setdefault(str(nid), {}).setdefault("languages", []).append((str(lang), float(share)))
    for nid, tag in con.execute(
            base + "SELECT network_id, tag FROM (SELECT p.network_id, lower(h.tag) AS tag, count(*) AS n "
            "FROM p JOIN post_hashtags h USING (post_id) GROUP BY 1, 2) "
            "QUALIFY row_number() OVER (PARTITION BY network_id ORDER BY n DESC, tag) = 1",
            [run_id]).fetchall():
        out.setdefault(str(nid), {})["top_hashtag"] = str(tag)
    return out


def rejected_networks(con: duckdb.DuckDBPyConnection, run_id: str,
                      limit: int = 50) -> tuple[list[dict[str, Any]], int]:
    """The networks detection looked at and rejected (highest score first), and their count."""
    total = first_row(con.execute(
        "SELECT count(*) FROM rejected_networks WHERE run_id = ?", [run_id]))
    rows = con.execute(
        "SELECT network_id, score, n_accounts, traces, reason FROM rejected_networks "
        "WHERE run_id = ? ORDER BY score DESC NULLS LAST, n_accounts DESC, network_id LIMIT ?",
        [run_id, int(limit)],
    ).fetchall()
    out = [{"network_id": str(nid), "score": score, "accounts": n, "traces": traces or "",
            "reason": reason or ""} for nid, score, n, traces, reason in rows]
    return out, int(total[0]) if total else 0


def network_section(
    con: duckdb.DuckDBPyConnection, run_id: str, net: dict[str, Any], *, seed: int = 0,
    n_topics: int = 6, max_nodes: int = PICTURE_NODES, run: dict[str, Any] | None = None,
) -> NetworkSection:
    """Compute every section of the report for one network (a row of :func:`ranked_networks`)."""
    m = register_members(con, run_id, net["network_id"])
    try:
        narr = network_narratives(con, m, n_topics=n_topics, seed=seed)
        hw = timeline.hour_weekday(con, m)
        nodes, edges = load_graph(con, run_id, net["network_id"])
        return NetworkSection(
            rank=net["rank"], network_id=net["network_id"], score=net["score"],
            reason=net["reason"], traces=net["traces"],
            counts=stats.counts(con, m),
            creation=stats.creation_histogram(con, m),
            periods=narr.periods, period=narr.period,
            by_kind=timeline.posts_over_time(con, m, narr.periods, narr.period),
            narratives=narr, heatmap=hw, timezone=timeline.working_timezone(hw),
            follow=stats.follow_distribution(con, m),
            engagement=stats.engagement(con, m),
            post_languages=languages.post_languages(con, m),
            account_languages=languages.account_languages(con, m),
            location_language=languages.location_vs_language(con, m),
            top={
                "hashtags": entities.top_hashtags(con, m),
                "urls": entities.top_urls(con, m),
                "domains": entities.top_domains(con, m),
                "mentioned": entities.top_mentioned(con, m),
                "retweeted": entities.top_retweeted(con, m),
            },
            clients=stats.clients(con, m),
            repurposed=repurpose.repurposed(con, m, run_id, net["network_id"]),
            signal_tally=repurpose.signal_tally(con, run_id, net["network_id"]),
            picture=netpic.draw(nodes, edges, seed=seed, max_nodes=max_nodes),
            links=evidence.strongest_links(con, m, run_id, windows=_windows(run)),
            span=bulk_span(con, m),
            empty_traces=empty_traces((run or {}).get("summary") or {}),
            overview=net,
        )
    finally:
        con.execute(f"DROP TABLE IF EXISTS {MEMBERS}")


def _windows(run: dict[str, Any] | None) -> dict[str, float]:
    params = (run or {}).get("params")
    traces = params.get("traces") if isinstance(params, dict) else None
    if not isinstance(traces, dict):
        return {}
    out = {}
    for k, v in traces.items():
        try:
            out[str(k)] = float(v["window"])
        except (TypeError, KeyError, ValueError):
            continue
    return out


def build_report(
    store: Store,
    run_id: str | None = None,
    network: str | None = None,
    *,
    seed: int = 0,
    n_topics: int = 6,
    max_networks: int = 25,
    max_nodes: int = PICTURE_NODES,
    progress: Callable[[str], Any] | None = None,
) -> ReportData:
    """Collect the report's data for one network or the ``max_networks`` top-ranked ones.

    ``progress`` is called with a short message before each network (the long step).

    Raises :class:`~infoops.errors.NotFoundError` when there is no completed detect
    run or no such network.
    """
    con = store.con
    run = run_id or store.latest_detect_run()
    info = load_run(con, run)
    nets = ranked_networks(con, run)
    if network is not None:
        chosen = [n for n in nets if n["network_id"] == str(network)]
        if not chosen:
            known = ", ".join(n["network_id"] for n in nets[:20]) or "none"
            raise NotFoundError(f"run {run} has no network {network!r}; networks: {known}")
    else:
        chosen = nets[:max_networks]
    data = ReportData(
        run=info, networks=nets, generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        store_path=store.path, seed=seed, omitted=len(nets) - len(chosen) if network is None else 0,
    )
    if network is None:
        data.rejected, data.rejected_total = rejected_networks(con, run)
    for i, net in enumerate(chosen, 1):
        if progress is not None:
            progress(f"network {net['network_id']} ({i} of {len(chosen)}, "
                     f"{net['accounts']:,} accounts)")
        data.sections.append(
            network_section(con, run, net, seed=seed, n_topics=n_topics, max_nodes=max_nodes,
                            run=info)
        )
    return data
