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
``epoch()`` in :data:`TS` (``unix_timestamp`` on Spark) and the ordered
``string_agg`` of ``hashtag-sequence`` (``array_join(array_sort(collect_set(..)))``).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from infoops.detect.coaction import TraceResult, run_coaction, temp_name
from infoops.detect.params import DetectParams, TraceParams

#: Seconds since the epoch of a post (the one dialect-specific expression).
TS = "epoch(p.created_at)"
#: Posts an account authored itself (not plain reposts).
OWN = "p.kind <> 'retweet'"
#: Fewest distinct hashtags a post needs for its hashtag combination to count.
MIN_SEQUENCE_TAGS = 3

TraceFn = Callable[[duckdb.DuckDBPyConnection, TraceParams, DetectParams, int], TraceResult]

ACTIONS: dict[str, str] = {
    "co-retweet": f"""
        SELECT p.account_id, p.post_id, p.ref_post_id AS object, {TS} AS ts
        FROM posts p WHERE p.kind = 'retweet' AND p.ref_post_id IS NOT NULL""",
    "co-url": f"""
        SELECT p.account_id, p.post_id, u.url AS object, {TS} AS ts
        FROM post_urls u JOIN posts p ON p.post_id = u.post_id WHERE {OWN}""",
    "co-domain": f"""
        SELECT p.account_id, p.post_id, lower(u.domain) AS object, {TS} AS ts
        FROM post_urls u JOIN posts p ON p.post_id = u.post_id
        WHERE {OWN} AND u.domain IS NOT NULL AND u.domain <> ''""",
    "co-hashtag": f"""
        SELECT p.account_id, p.post_id, lower(h.tag) AS object, {TS} AS ts
        FROM post_hashtags h JOIN posts p ON p.post_id = h.post_id WHERE {OWN}""",
    "hashtag-sequence": f"""
        SELECT p.account_id, p.post_id, s.object, {TS} AS ts
        FROM (
            SELECT post_id, string_agg(tag, ' ' ORDER BY tag) AS object
            FROM (SELECT DISTINCT post_id, lower(tag) AS tag FROM post_hashtags) t
            GROUP BY post_id HAVING count(*) >= {MIN_SEQUENCE_TAGS}
        ) s JOIN posts p ON p.post_id = s.post_id WHERE {OWN}""",
    "co-mention": f"""
        SELECT p.account_id, p.post_id, m.account_id AS object, {TS} AS ts
        FROM post_mentions m JOIN posts p ON p.post_id = m.post_id
        WHERE {OWN} AND m.account_id <> p.account_id""",
    "co-reply": f"""
        SELECT p.account_id, p.post_id, p.reply_to_post_id AS object, {TS} AS ts
        FROM posts p WHERE p.kind = 'reply' AND p.reply_to_post_id IS NOT NULL""",
}


def _coaction_trace(name: str) -> TraceFn:
    def trace(
        con: duckdb.DuckDBPyConnection, tp: TraceParams, params: DetectParams, seed: int = 0
    ) -> TraceResult:
        return run_coaction(con, name, ACTIONS[name], tp.window, tp.max_burst)

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
    width = max(float(tp.window), 1.0)
    actions = f"""
        SELECT p.account_id, min(p.post_id) AS post_id,
               CAST(floor({TS} / {width}) AS BIGINT) AS object,
               floor({TS} / {width}) * {width} AS ts
        FROM posts p WHERE p.created_at IS NOT NULL AND {OWN}
        GROUP BY p.account_id, CAST(floor({TS} / {width}) AS BIGINT), floor({TS} / {width})
    """
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
    con.execute(
        f"""
        CREATE TEMP TABLE {rt} AS
        SELECT p.account_id AS x, o.account_id AS y, p.post_id AS post_x, o.post_id AS post_y,
               epoch(p.created_at) - epoch(o.created_at) AS delay
        FROM posts p JOIN posts o ON o.post_id = p.ref_post_id
        WHERE p.kind = 'retweet' AND p.account_id <> o.account_id
          AND p.created_at IS NOT NULL AND o.created_at IS NOT NULL
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE {ev} AS
        SELECT least(x, y) AS a, greatest(x, y) AS b,
               CASE WHEN x < y THEN post_x ELSE post_y END AS post_a,
               CASE WHEN x < y THEN post_y ELSE post_x END AS post_b,
               post_y AS object, delay AS delta_seconds
        FROM {rt} WHERE delay >= 0 AND delay <= {w}
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE {pairs} AS
        SELECT least(x, y) AS a, greatest(x, y) AS b,
               count(*) FILTER (WHERE delay >= 0 AND delay <= {w}) AS weight,
               count(*) AS n_retweets,
               count(*) FILTER (WHERE delay >= 0 AND delay <= {w} AND x < y) AS a_to_b,
               count(*) FILTER (WHERE delay >= 0 AND delay <= {w} AND x > y) AS b_to_a,
               min(delay) FILTER (WHERE delay >= 0) AS min_delta
        FROM {rt} GROUP BY least(x, y), greatest(x, y)
        HAVING count(*) FILTER (WHERE delay >= 0 AND delay <= {w}) > 0
        """
    )
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE delay >= 0 AND delay <= {w}), count(*), "
        f"count(DISTINCT (least(x, y), greatest(x, y))) FROM {rt}"
    ).fetchall()[0]
    con.execute(f"DROP TABLE {rt}")
    fast, total, pairs_any = (int(v or 0) for v in row)  # type: ignore[union-attr]
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
    from infoops.errors import DetectionError

    if name not in TRACES:
        raise DetectionError(f"unknown trace {name!r}; choose from {', '.join(TRACES)}")
    params = params or DetectParams()
    return TRACES[name](con, tp or params.traces[name], params, seed)
