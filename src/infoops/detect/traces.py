"""Coordination traces: one relational definition each over the store.

Every trace yields weighted account pairs ``(a, b, weight, ...)`` with
``a < b`` and keeps the posts behind each pair (evidence). Most are co-action
traces (:mod:`infoops.detect.coaction`): a query that lists *actions*
``(account_id, post_id, object, ts)`` and a time window. The lineage:

* co-retweet, co-URL, co-hashtag, co-mention, co-reply, hashtag sequences and
  near-duplicate text — Pacheco et al., "Uncovering Coordinated Networks on
  Social Media", ICWSM 2021; Graham et al., coordination-network-toolkit
  (2020); Righetti & Balluff, CooRTweet (2023);
* fast retweet — Graham et al. (2020) "rapid retweet"; Keller et al. (2020);
* synchronized posting — Luceri et al., "Unmasking the Web of Deceit", WWW
  2024 (time-bin co-activity).

Retweets are used only by the retweet traces; the entity traces (URL,
domain, hashtag, mention, text) look at what an account wrote itself
(originals, quotes, replies), so a retweet does not count twice.

The SQL sticks to what Spark SQL 3.2+ also has (equi-joins, ``GROUP BY``,
``count(*) FILTER``, ``min_by``/``max_by``, ``least``/``greatest``, window
functions). Two expressions are dialect-specific and kept in one place each:
``epoch()`` (:data:`TS_BY_DIALECT`) and the ordered ``string_agg`` of
``hashtag-sequence`` (:data:`SEQ_BY_DIALECT`). Each trace's query is written
once as a template and :func:`actions_sql` / :func:`fast_retweet_sql` fill in
the dialect, so the DuckDB engine and the Spark engine
(:mod:`infoops.detect.spark_engine`) run the same definition.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from infoops.detect.coaction import TraceResult, run_coaction, temp_name
from infoops.detect.params import DetectParams, TraceParams, check_trace

#: Seconds since the epoch of a post, per SQL dialect (the one dialect-specific
#: expression of the actions; Spark reads the Parquet export with the session
#: time zone set to UTC, so the cast is the identity on the stored instants).
TS_BY_DIALECT = {
    "duckdb": "epoch(p.created_at)",
    "spark": "(CAST(unix_micros(CAST(p.created_at AS TIMESTAMP)) AS DOUBLE) / 1e6)",
}
#: Distinct lower-cased tags of a post joined in sorted order, per dialect.
SEQ_BY_DIALECT = {
    "duckdb": "string_agg(tag, ' ' ORDER BY tag)",
    "spark": "array_join(array_sort(collect_list(tag)), ' ')",
}
TS = TS_BY_DIALECT["duckdb"]
#: Posts an account authored itself (not plain reposts).
OWN = "p.kind <> 'retweet'"
#: Fewest distinct hashtags a post needs for its hashtag combination to count.
MIN_SEQUENCE_TAGS = 3

TraceFn = Callable[[duckdb.DuckDBPyConnection, TraceParams, DetectParams, int], TraceResult]

#: One description per co-action trace: the actions query, written once with
#: the dialect-specific expressions as placeholders (see :func:`actions_sql`).
ACTION_TEMPLATES: dict[str, str] = {
    "co-retweet": """
        SELECT p.account_id, p.post_id, p.ref_post_id AS object, {ts} AS ts
        FROM posts p WHERE p.kind = 'retweet' AND p.ref_post_id IS NOT NULL""",
    "co-url": """
        SELECT p.account_id, p.post_id, u.url AS object, {ts} AS ts
        FROM post_urls u JOIN posts p ON p.post_id = u.post_id WHERE {own}""",
    "co-domain": """
        SELECT p.account_id, p.post_id, lower(u.domain) AS object, {ts} AS ts
        FROM post_urls u JOIN posts p ON p.post_id = u.post_id
        WHERE {own} AND u.domain IS NOT NULL AND u.domain <> ''""",
    "co-hashtag": """
        SELECT p.account_id, p.post_id, lower(h.tag) AS object, {ts} AS ts
        FROM post_hashtags h JOIN posts p ON p.post_id = h.post_id WHERE {own}""",
    "hashtag-sequence": """
        SELECT p.account_id, p.post_id, s.object, {ts} AS ts
        FROM (
            SELECT post_id, {seq} AS object
            FROM (SELECT DISTINCT post_id, lower(tag) AS tag FROM post_hashtags) t
            GROUP BY post_id HAVING count(*) >= {min_tags}
        ) s JOIN posts p ON p.post_id = s.post_id WHERE {own}""",
    "co-mention": """
        SELECT p.account_id, p.post_id, m.account_id AS object, {ts} AS ts
        FROM post_mentions m JOIN posts p ON p.post_id = m.post_id
        WHERE {own} AND m.account_id <> p.account_id""",
    "co-reply": """
        SELECT p.account_id, p.post_id, p.reply_to_post_id AS object, {ts} AS ts
        FROM posts p WHERE p.kind = 'reply' AND p.reply_to_post_id IS NOT NULL""",
}


def actions_sql(name: str, dialect: str = "duckdb") -> str:
    """The actions query ``(account_id, post_id, object, ts)`` of a co-action
    trace in a SQL dialect (``duckdb`` or ``spark``), from its one template."""
    return ACTION_TEMPLATES[name].format(
        ts=TS_BY_DIALECT[dialect], own=OWN, min_tags=MIN_SEQUENCE_TAGS,
        seq=SEQ_BY_DIALECT[dialect])


def synchronized_actions_sql(window: float, dialect: str = "duckdb") -> str:
    """The actions of ``synchronized``: one per account and time bin of ``window`` s."""
    width = max(float(window), 1.0)
    ts = TS_BY_DIALECT[dialect]
    return f"""
        SELECT p.account_id, min(p.post_id) AS post_id,
               CAST(floor({ts} / {width}) AS BIGINT) AS object,
               floor({ts} / {width}) * {width} AS ts
        FROM posts p WHERE p.created_at IS NOT NULL AND {OWN}
        GROUP BY p.account_id, CAST(floor({ts} / {width}) AS BIGINT), floor({ts} / {width})
    """


def fast_retweet_sql(window: float, dialect: str = "duckdb") -> dict[str, str]:
    """The three queries of ``fast-retweet`` in a dialect: ``rt`` (retweets with
    their delay), then ``evidence`` and ``pairs`` over a relation named ``{rt}``
    and ``stats`` (fast, total, distinct pairs) over it."""
    w = float(window)
    ts_p = TS_BY_DIALECT[dialect]
    ts_o = ts_p.replace("p.created_at", "o.created_at")
    fast = f"delay >= 0 AND delay <= {w}"
    pair_key = ("(least(x, y), greatest(x, y))" if dialect == "duckdb"
                else "least(x, y), greatest(x, y)")
    return {
        "rt": f"""
        SELECT p.account_id AS x, o.account_id AS y, p.post_id AS post_x, o.post_id AS post_y,
               {ts_p} - {ts_o} AS delay
        FROM posts p JOIN posts o ON o.post_id = p.ref_post_id
        WHERE p.kind = 'retweet' AND p.account_id <> o.account_id
          AND p.created_at IS NOT NULL AND o.created_at IS NOT NULL""",
        "evidence": f"""
        SELECT least(x, y) AS a, greatest(x, y) AS b,
               CASE WHEN x < y THEN post_x ELSE post_y END AS post_a,
               CASE WHEN x < y THEN post_y ELSE post_x END AS post_b,
               post_y AS object, delay AS delta_seconds
        FROM {{rt}} WHERE {fast}""",
        "pairs": f"""
        SELECT least(x, y) AS a, greatest(x, y) AS b,
               count(*) FILTER (WHERE {fast}) AS weight,
               count(*) AS n_retweets,
               count(*) FILTER (WHERE {fast} AND x < y) AS a_to_b,
               count(*) FILTER (WHERE {fast} AND x > y) AS b_to_a,
               min(delay) FILTER (WHERE delay >= 0) AS min_delta
        FROM {{rt}} GROUP BY least(x, y), greatest(x, y)
        HAVING count(*) FILTER (WHERE {fast}) > 0""",
        "stats": f"""
        SELECT count(*) FILTER (WHERE {fast}), count(*),
               count(DISTINCT {pair_key}) FROM {{rt}}""",
    }


def _coaction_trace(name: str) -> TraceFn:
    def trace(
        con: duckdb.DuckDBPyConnection, tp: TraceParams, params: DetectParams, seed: int = 0
    ) -> TraceResult:
        return run_coaction(con, name, actions_sql(name), tp.window, tp.max_burst)

    trace.__name__ = name.replace("-", "_")
    trace.__doc__ = f"The {name} trace: co-action on ``{name}`` objects within the window."
    return trace


def synchronized(
    con: duckdb.DuckDBPyConnection, tp: TraceParams, params: DetectParams, seed: int = 0
) -> TraceResult:
    """Synchronized posting: accounts active in the same time bins.

    Each account's own posts (originals, quotes, replies: the timing of
    reposts is co-retweet's business) are binned into bins of ``tp.window``
    seconds; two accounts co-act on a bin when both posted in it. The weight is
    the number of shared bins; busy bins (more than ``max_burst``
    accounts) are skipped, and the null model compares the count with what the
    two accounts' activity levels and the bins' crowding predict (Luceri et al.,
    WWW 2024; Pacheco et al., 2021).
    """
    actions = synchronized_actions_sql(tp.window)
    return run_coaction(con, "synchronized", actions, 0.0, tp.max_burst)


def fast_retweet(
    con: duckdb.DuckDBPyConnection, tp: TraceParams, params: DetectParams, seed: int = 0
) -> TraceResult:
    """Fast retweets: one account reposting another within ``tp.window`` seconds.

    For every retweet whose original is in the store, the delay is the time
    between the original and the retweet. The pair (retweeter, author) has
    weight = number of retweets within the window, with ``n_retweets`` (all
    retweets between the two, either way), ``a_to_b`` and ``b_to_a`` (fast
    retweets by ``a`` of ``b`` and back). The null model tests the fast share
    against the store-wide share of fast retweets (binomial test; "rapid
    retweet" in Graham et al., 2020).
    """
    w = float(tp.window)
    rt, pairs, ev = (temp_name(f"fast_retweet_{s}") for s in ("rt", "p", "ev"))
    sql = fast_retweet_sql(w)
    con.execute(f"CREATE TEMP TABLE {rt} AS {sql['rt']}")
    con.execute(f"CREATE TEMP TABLE {ev} AS {sql['evidence'].format(rt=rt)}")
    con.execute(f"CREATE TEMP TABLE {pairs} AS {sql['pairs'].format(rt=rt)}")
    row = con.execute(sql["stats"].format(rt=rt)).fetchall()[0]
    con.execute(f"DROP TABLE {rt}")
    fast, total, pairs_any = (int(v or 0) for v in row)
    stats = {"fast": fast, "retweets": total, "q": (fast / total) if total else 0.0,
             "pairs_any": pairs_any, "window": w}
    return TraceResult("fast-retweet", pairs, ev, stats, model="binomial")


def text_similarity(
    con: duckdb.DuckDBPyConnection, tp: TraceParams, params: DetectParams, seed: int = 0
) -> TraceResult:
    """Near-duplicate text; see :func:`infoops.detect.textsim.text_similarity`."""
    from infoops.detect.textsim import text_similarity as run

    return run(con, tp, params.text, seed)


TRACES: dict[str, TraceFn] = {
    "co-retweet": _coaction_trace("co-retweet"),
    "fast-retweet": fast_retweet,
    "co-url": _coaction_trace("co-url"),
    "co-domain": _coaction_trace("co-domain"),
    "co-hashtag": _coaction_trace("co-hashtag"),
    "hashtag-sequence": _coaction_trace("hashtag-sequence"),
    "co-mention": _coaction_trace("co-mention"),
    "co-reply": _coaction_trace("co-reply"),
    "text-similarity": text_similarity,
    "synchronized": synchronized,
}


def run_trace(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: DetectParams | None = None,
    tp: TraceParams | None = None,
    seed: int = 0,
) -> TraceResult:
    """Run one trace by name with the given (or default) parameters."""
    check_trace(name)
    params = params or DetectParams()
    return TRACES[name](con, tp or params.traces[name], params, seed)
