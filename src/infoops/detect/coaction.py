"""The co-action engine shared by most traces.

A trace supplies *actions* — rows ``(account_id, post_id, object, ts)``: an
account did something with an object (reposted a post, shared a URL, used a
hashtag, posted in a time bin) at ``ts`` seconds. Two accounts co-act on an
object when each has an action on it at most ``window`` seconds apart. A pair's
raw weight is the number of distinct objects they co-acted on, as in CooRTweet
(Righetti & Balluff, 2023) and coordination-network-toolkit (Graham et al.,
2020). The closest pair of actions on each object is kept as evidence.

The definition is plain relational SQL (equi-joins, ``GROUP BY``, ``least`` /
``greatest``, ``min_by``) so that it runs unchanged in meaning on Spark SQL.

Two devices keep it fast without changing the result:

* time buckets of width ``window``: two actions within ``window`` seconds lie
  in the same or in adjacent buckets, so the self-join is an equi-join on
  ``(object, bucket)`` instead of a quadratic join over every object;
* actions are numbered (their row in the raw actions table), and every join
  and grouping carries those numbers instead of post ids; the evidence view
  translates them back;
* per (account, object, bucket) only the earliest and latest action are kept:
  inside one bucket any two actions are within the window, and across
  adjacent buckets the closest pair is always (latest of the earlier bucket,
  earliest of the later one), so existence and the minimal delay are exact.

Hubs are capped where they cost: a (object, bucket) cell — one object within
one window-wide stretch of time — with more than ``max_burst`` distinct
accounts is skipped. A post retweeted by 10k accounts in its first half hour,
or a breaking-news link shared by thousands, would otherwise give tens of
millions of pairs, and such crowds carry almost no information about any
one pair (their TF-IDF weight is near zero; Pacheco et al., ICWSM 2021). A
campaign hashtag used by thousands of accounts over months stays in: only its
crowded moments are skipped. The skipped cells are counted in the stats.
(Keeping the earliest ``max_burst`` accounts of a crowded cell instead was
tried: on the 2.5M-post medium world it tripled co-retweet time and memory
without finding more.)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from infoops.store.sql import scalar

_counter = itertools.count()


@dataclass
class TraceResult:
    """What a trace produced, held as DuckDB temp tables.

    Attributes
    ----------
    name:
        The trace name.
    pairs:
        Temp table ``(a, b, weight, ...)`` with ``a < b``: every pair with
        raw weight >= 1, plus trace-specific columns.
    evidence:
        Temp table ``(a, b, post_a, post_b, object, delta_seconds)``: one row
        per pair and object (the closest co-action), ``post_a`` by ``a``.
    stats:
        Numbers the null model needs: ``degrees`` (temp table ``(account_id,
        d)``: distinct objects per account), ``edges_total`` (E, the
        account-object incidences), ``c`` (sum of squared object degrees / E^2),
        ``hubs`` (objects skipped), ``objects`` (objects kept).
    """

    name: str
    pairs: str
    evidence: str
    stats: dict[str, Any] = field(default_factory=dict)
    model: str = "bipartite"
    #: Further temp tables behind ``pairs`` / ``evidence``, dropped with the result.
    cleanup: list[str] = field(default_factory=list)
    #: ``evidence`` is a view over ``cleanup`` tables rather than a table.
    evidence_is_view: bool = False
    #: Set by engines that keep the evidence where it was computed (Spark):
    #: ``fetch_evidence(con, pairs)`` fills ``evidence`` with the closest
    #: co-actions (up to ``evidence_per_pair``) of the given pairs (a frame
    #: with columns ``a, b``); until then ``evidence`` is empty. None when
    #: ``evidence`` is complete.
    fetch_evidence: Callable[[duckdb.DuckDBPyConnection, Any], None] | None = None
    #: Called by :func:`drop` (frees what the engine holds for this result).
    release: Callable[[], None] | None = None


def temp_name(prefix: str) -> str:
    """A fresh temp-table name (traces may run several times on one connection)."""
    return f"_{prefix.replace('-', '_')}_{next(_counter)}"


def run_coaction(
    con: duckdb.DuckDBPyConnection,
    name: str,
    actions_sql: str,
    window: float,
    max_burst: int,
) -> TraceResult:
    """Pairs of accounts that acted on the same object within ``window`` seconds.

    Parameters
    ----------
    con:
        The store connection (temp tables are created on it).
    name:
        Trace name, used in the temp-table names.
    actions_sql:
        A query with columns ``account_id, post_id, object, ts`` (ts: seconds,
        DOUBLE). Rows with NULL object or ts are ignored.
    window:
        Largest delay in seconds between the two actions (0: same instant).
    max_burst:
        (object, bucket) cells with more distinct accounts than this are
        skipped (0: no cap).

    Returns
    -------
    TraceResult
        ``pairs`` has ``a, b, weight, tfidf, min_delta, mean_delta``; ``tfidf``
        sums ``ln(N / deg(o))`` over shared objects, N the number of acting
        accounts (Pacheco et al., 2021).
    """
    width = float(window) if window >= 1 else 1.0
    w = float(window)
    t = _Tables(*(temp_name(f"{name}_{s}") for s in ("act", "obj", "p", "ev", "d", "acc")))
    cap = int(max_burst) if max_burst and max_burst > 0 else 2**62
    _stage_actions(con, t, actions_sql)
    _bucket_ends(con, t, width, cap)
    _close_pairs(con, t, w)
    stats = _moments(con, t, cap)
    _weigh_pairs(con, t, stats["accounts"])
    stats.update(window=w, max_burst=int(max_burst))
    for table in (f"{t.act}_ends", t.act):
        con.execute(f"DROP TABLE {table}")
    return TraceResult(name=name, pairs=t.pairs, evidence=t.ev, stats=stats,
                       cleanup=[f"{t.ev}_int", t.acc, t.deg, f"{t.act}_raw"], evidence_is_view=True)


@dataclass(frozen=True)
class _Tables:
    """The temp tables of one co-action run (``act`` also prefixes ``_raw`` and ``_ends``)."""

    act: str
    deg: str
    pairs: str
    ev: str
    degs: str
    acc: str


def _stage_actions(con: duckdb.DuckDBPyConnection, t: _Tables, actions_sql: str) -> None:
    """The actions with ids as text, then integer keys for accounts and objects."""
    act, acc, deg = t.act, t.acc, t.deg
    con.execute(
        f"""
        CREATE TEMP TABLE {act}_raw AS
        SELECT CAST(account_id AS VARCHAR) AS account_id, CAST(post_id AS VARCHAR) AS post_id,
               CAST(object AS VARCHAR) AS object, CAST(ts AS DOUBLE) AS ts
        FROM ({actions_sql}) q
        WHERE account_id IS NOT NULL AND object IS NOT NULL AND ts IS NOT NULL
        """
    )
    # Integer keys for the joins and groupings: accounts numbered in the order
    # of their ids (so ``a < b`` on numbers is ``a < b`` on ids), objects in
    # any order. Results are translated back to ids at the end.
    con.execute(
        f"""
        CREATE TEMP TABLE {acc} AS
        SELECT account_id, CAST(row_number() OVER (ORDER BY account_id) AS INTEGER) AS aid
        FROM (SELECT DISTINCT account_id FROM {act}_raw)
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE {deg} AS
        SELECT object, CAST(row_number() OVER () AS INTEGER) AS oid, deg
        FROM (SELECT object, count(DISTINCT account_id) AS deg FROM {act}_raw GROUP BY object)
        """
    )


def _bucket_ends(con: duckdb.DuckDBPyConnection, t: _Tables, width: float, cap: int) -> None:
    """Earliest and latest action per (account, object, bucket), crowded cells left out."""
    act, acc, deg = t.act, t.acc, t.deg
    # see the module docstring
    con.execute(
        f"""
        CREATE TEMP TABLE {act}_ends AS
        SELECT c.aid, o.oid, CAST(floor(r.ts / {width}) AS BIGINT) AS bkt,
               min(r.ts) AS t0, min_by(r.rowid, r.ts) AS p0,
               max(r.ts) AS t1, max_by(r.rowid, r.ts) AS p1
        FROM {act}_raw r JOIN {deg} o ON o.object = r.object
        JOIN {acc} c ON c.account_id = r.account_id
        WHERE o.deg >= 2
        GROUP BY c.aid, o.oid, CAST(floor(r.ts / {width}) AS BIGINT)
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE {act} AS
        WITH busy AS (
            SELECT oid, bkt FROM {act}_ends GROUP BY oid, bkt HAVING count(*) > {cap}
        ),
        kept AS (
            SELECT e.* FROM {act}_ends e
            LEFT JOIN busy b ON b.oid = e.oid AND b.bkt = e.bkt
            WHERE b.oid IS NULL
        )
        SELECT aid, oid, bkt, t0 AS ts, p0 AS post_id FROM kept
        UNION ALL
        SELECT aid, oid, bkt, t1 AS ts, p1 AS post_id FROM kept WHERE t1 > t0
        """
    )


def _close_pairs(con: duckdb.DuckDBPyConnection, t: _Tables, w: float) -> None:
    """The closest co-action of each account pair on each object within ``w`` seconds."""
    act, acc, deg, ev = t.act, t.acc, t.deg, t.ev
    con.execute(
        f"""
        CREATE TEMP TABLE {ev}_int AS
        WITH y AS (
            SELECT aid, oid, bkt AS jb, ts, post_id, TRUE AS same FROM {act}
            UNION ALL
            SELECT aid, oid, bkt - 1 AS jb, ts, post_id, FALSE AS same FROM {act}
        ),
        hits AS (
            SELECT least(x.aid, y.aid) AS a, greatest(x.aid, y.aid) AS b, x.oid AS oid,
                   CASE WHEN x.aid < y.aid THEN x.post_id ELSE y.post_id END AS post_a,
                   CASE WHEN x.aid < y.aid THEN y.post_id ELSE x.post_id END AS post_b,
                   abs(y.ts - x.ts) AS delta_seconds
            FROM {act} x JOIN y ON x.oid = y.oid AND x.bkt = y.jb
            WHERE x.aid <> y.aid
              AND abs(y.ts - x.ts) <= {w}
              AND (NOT y.same OR x.aid < y.aid)
        )
        SELECT a, b, oid,
               min_by(post_a, delta_seconds) AS post_a,
               min_by(post_b, delta_seconds) AS post_b,
               min(delta_seconds) AS delta_seconds
        FROM hits GROUP BY a, b, oid
        """
    )
    con.execute(
        f"""
        CREATE TEMP VIEW {ev} AS
        SELECT ca.account_id AS a, cb.account_id AS b, o.object, pa.post_id AS post_a,
               pb.post_id AS post_b, e.delta_seconds
        FROM {ev}_int e JOIN {acc} ca ON ca.aid = e.a JOIN {acc} cb ON cb.aid = e.b
        JOIN {deg} o ON o.oid = e.oid
        JOIN {act}_raw pa ON pa.rowid = e.post_a JOIN {act}_raw pb ON pb.rowid = e.post_b
        """
    )


def _moments(con: duckdb.DuckDBPyConnection, t: _Tables, cap: int) -> dict[str, Any]:
    """Account degrees and the null model's numbers (see :class:`TraceResult`)."""
    act, deg, ev, degs = t.act, t.deg, t.ev, t.degs
    con.execute(
        f"""
        CREATE TEMP TABLE {degs} AS
        SELECT account_id, count(DISTINCT object) AS d FROM {act}_raw GROUP BY account_id
        """
    )
    row = con.execute(
        f"""
        SELECT count(*), (SELECT count(*) FROM (
                   SELECT oid, bkt FROM {act}_ends GROUP BY oid, bkt
                   HAVING count(*) > {cap})),
               sum(deg), sum(deg * deg)
        FROM {deg}
        """
    ).fetchall()[0]
    n_accounts = scalar(con, f"SELECT count(*) FROM {degs}")
    objects, hubs, e_total, sq = (int(v or 0) for v in row)
    # time-aware second moment: each object's k^2 times the share of its
    # account pairs that co-acted within the window (bursty objects keep
    # their weight, objects whose actors are spread out in time lose it)
    sq_w = scalar(
        con,
        f"""
        SELECT sum(o.deg * o.deg * w.n / (o.deg * (o.deg - 1) / 2.0))
        FROM (SELECT oid, count(*) AS n FROM {ev}_int GROUP BY oid) w
        JOIN {deg} o ON o.oid = w.oid
        """,
    )
    return {
        "degrees": degs,
        "edges_total": e_total,
        "c": (float(sq_w or 0.0) / (e_total * e_total)) if e_total else 0.0,
        "c_untimed": (sq / (e_total * e_total)) if e_total else 0.0,
        "crowded_cells": hubs,
        "objects": objects,
        "accounts": int(n_accounts),
    }


def _weigh_pairs(con: duckdb.DuckDBPyConnection, t: _Tables, n_accounts: int) -> None:
    """Per pair: weight (shared objects), TF-IDF weight and time gaps, with account ids."""
    acc, deg, ev, pairs = t.acc, t.deg, t.ev, t.pairs
    con.execute(
        f"""
        CREATE TEMP TABLE {pairs} AS
        WITH p AS (
            SELECT e.a, e.b, count(*) AS weight,
                   sum(ln({max(n_accounts, 1)}.0 / o.deg)) AS tfidf,
                   min(e.delta_seconds) AS min_delta,
                   avg(e.delta_seconds) AS mean_delta
            FROM {ev}_int e JOIN {deg} o ON o.oid = e.oid
            GROUP BY e.a, e.b
        )
        SELECT ca.account_id AS a, cb.account_id AS b, p.weight, p.tfidf, p.min_delta,
               p.mean_delta
        FROM p JOIN {acc} ca ON ca.aid = p.a JOIN {acc} cb ON cb.aid = p.b
        """
    )


def drop(con: duckdb.DuckDBPyConnection, result: TraceResult) -> None:
    """Drop a trace result's temp tables (and its evidence view, if it is one)."""
    if result.release is not None:
        result.release()
        result.release = None
    if result.evidence:
        kind = "VIEW" if result.evidence_is_view else "TABLE"
        con.execute(f"DROP {kind} IF EXISTS {result.evidence}")
    for t in (result.pairs, result.stats.get("degrees"), *result.cleanup):
        if t:
            con.execute(f"DROP TABLE IF EXISTS {t}")
