"""Per-network figures computed in DuckDB from the canonical tables.

Counts, account-creation months against the background population, follower
distributions, engagement (and where it comes from) and client apps — the
descriptive statistics every published takedown analysis opens with (Stanford
Internet Observatory 2020; ASPI 2020). ``members`` is the name of a relation with
``account_id`` and ``role`` columns (see :func:`infoops.report.build.register_members`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
from scipy.stats import poisson

from infoops.store.sql import first_row


def counts(con: duckdb.DuckDBPyConnection, members: str) -> dict[str, Any]:
    """Accounts (core / amplifier), posts, posts per account, shares by kind and content."""
    acc = first_row(con.execute(
        f"SELECT count(*), count(*) FILTER (role = 'core'), count(*) FILTER (role = 'amplifier') "
        f"FROM {members}"
    ))
    row = first_row(con.execute(
        f"""
        SELECT count(*),
               count(*) FILTER (p.kind = 'original'), count(*) FILTER (p.kind = 'retweet'),
               count(*) FILTER (p.kind = 'reply'), count(*) FILTER (p.kind = 'quote'),
               count(*) FILTER (p.has_media), count(*) FILTER (u.post_id IS NOT NULL),
               count(*) FILTER (h.post_id IS NOT NULL), count(DISTINCT p.account_id)
        FROM posts p JOIN {members} m USING (account_id)
        LEFT JOIN (SELECT DISTINCT post_id FROM post_urls) u ON u.post_id = p.post_id
        LEFT JOIN (SELECT DISTINCT post_id FROM post_hashtags) h ON h.post_id = p.post_id
        """
    ))
    assert acc is not None and row is not None
    n_acc, n_core, n_amp = (int(v) for v in acc)
    posts = int(row[0])

    def share(v: int) -> float:
        return v / posts if posts else 0.0

    return {
        "accounts": n_acc, "core": n_core, "amplifier": n_amp,
        "other_role": n_acc - n_core - n_amp,
        "posts": posts, "posting_accounts": int(row[8]),
        "posts_per_account": posts / n_acc if n_acc else 0.0,
        "share_original": share(row[1]), "share_retweet": share(row[2]),
        "share_reply": share(row[3]), "share_quote": share(row[4]),
        "share_media": share(row[5]), "share_links": share(row[6]),
        "share_hashtags": share(row[7]),
    }


@dataclass
class CreationHistogram:
    """Accounts created per month: the network, the background expectation, bursts."""

    months: list[str]
    network: list[int]
    expected: list[float]
    burst: list[bool]
    p_values: list[float]
    undated: int


def creation_histogram(
    con: duckdb.DuckDBPyConnection, members: str, alpha: float = 1e-3, min_accounts: int = 3
) -> CreationHistogram:
    """Account-creation months of the network against the background population.

    The expected count for a month is the network's size times the background's
    share of creations in that month (add-one smoothed over the months the store
    spans). A month is a **burst** when at least ``min_accounts`` network accounts
    were created in it, at least twice the expectation, and the Poisson upper tail
    ``P(X >= observed | expected)`` is below ``alpha`` — an excess-over-base-rate
    test in the spirit of Kleinberg's burst detection (2002), as used for the
    creation waves of the 2020 takedowns.
    """
    net = dict(con.execute(
        f"SELECT strftime(date_trunc('month', a.created_at), '%Y-%m'), count(*) FROM {members} m "
        f"JOIN accounts a USING (account_id) WHERE a.created_at IS NOT NULL GROUP BY ALL"
    ).fetchall())
    undated_row = first_row(con.execute(
        f"SELECT count(*) FROM {members} m LEFT JOIN accounts a USING (account_id) "
        f"WHERE a.created_at IS NULL"
    ))
    undated = int(undated_row[0]) if undated_row else 0
    if not net:
        return CreationHistogram([], [], [], [], [], undated)
    bg = dict(con.execute(
        f"SELECT strftime(date_trunc('month', a.created_at), '%Y-%m'), count(*) FROM accounts a "
        f"WHERE a.created_at IS NOT NULL AND NOT a.is_stub "
        f"AND a.account_id NOT IN (SELECT account_id FROM {members}) GROUP BY ALL"
    ).fetchall())
    span = first_row(con.execute(
        "SELECT date_diff('month', min(created_at), max(created_at)) + 1 FROM accounts "
        "WHERE created_at IS NOT NULL"
    ))
    n_months = int(span[0]) if span and span[0] else 1
    lo, hi = min(net), max(net)
    months = _month_range(lo, hi)
    n_net, n_bg = sum(net.values()), sum(bg.values())
    counts = [int(net.get(m, 0)) for m in months]
    expected = [n_net * (bg.get(m, 0) + 1) / (n_bg + n_months) for m in months]
    pvals = [float(poisson.sf(c - 1, e)) if c else 1.0 for c, e in zip(counts, expected, strict=True)]
    burst = [
        c >= min_accounts and c >= 2 * e and p < alpha
        for c, e, p in zip(counts, expected, pvals, strict=True)
    ]
    return CreationHistogram(months, counts, expected, burst, pvals, undated)


def _month_range(lo: str, hi: str) -> list[str]:
    y, m = int(lo[:4]), int(lo[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= hi:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


#: Follower-count buckets: (label, lower bound inclusive, upper bound exclusive).
FOLLOWER_BUCKETS = (
    ("0", 0, 1), ("1–7", 1, 8), ("8–31", 8, 32), ("32–127", 32, 128),
    ("128–1k", 128, 1024), ("1k–10k", 1024, 10_000), ("10k+", 10_000, 2**62),
)


def follow_distribution(con: duckdb.DuckDBPyConnection, members: str) -> dict[str, Any]:
    """Followers and following of the network's accounts against the background.

    Returns shares per :data:`FOLLOWER_BUCKETS` for network and background, the
    share with 0 followers and with fewer than 8 (the 2020 PRC network: 78.5 %
    with zero followers), medians, and how many accounts lack the numbers.
    """
    out: dict[str, Any] = {"buckets": [b[0] for b in FOLLOWER_BUCKETS]}
    for col in ("followers", "following"):
        cases = ", ".join(
            f"count(*) FILTER (a.{col} >= {lo} AND a.{col} < {hi})" for _, lo, hi in FOLLOWER_BUCKETS
        )
        base = (f"count(a.{col}), count(*) FILTER (a.{col} = 0), count(*) FILTER (a.{col} < 8), "
                f"median(a.{col}), {cases}")
        net = first_row(con.execute(
            f"SELECT {base} FROM {members} m LEFT JOIN accounts a USING (account_id)"
        ))
        bg = first_row(con.execute(
            f"SELECT {base} FROM accounts a WHERE NOT a.is_stub "
            f"AND a.account_id NOT IN (SELECT account_id FROM {members})"
        ))
        assert net is not None and bg is not None
        for name, row in (("network", net), ("background", bg)):
            known = int(row[0])
            out[f"{col}_{name}_known"] = known
            out[f"{col}_{name}_zero"] = row[1] / known if known else 0.0
            out[f"{col}_{name}_lt8"] = row[2] / known if known else 0.0
            out[f"{col}_{name}_median"] = float(row[3]) if row[3] is not None else None
            out[f"{col}_{name}_shares"] = [v / known if known else 0.0 for v in row[4:]]
    return out


def engagement(con: duckdb.DuckDBPyConnection, members: str) -> dict[str, Any]:
    """Engagement totals, anomalies, and how much observed engagement comes from outside.

    Totals are the platform counters on the network's own (non-retweet) posts.
    Anomaly: likes on posts from accounts with zero followers (nobody should see
    them). Observed engagement is every retweet, quote or reply in the store aimed
    at a network account; "outside" is the share made by non-members — a network
    whose engagement is almost all internal is talking to itself.
    """
    row = first_row(con.execute(
        f"""
        SELECT count(*), coalesce(sum(p.like_count), 0), coalesce(sum(p.retweet_count), 0),
               coalesce(sum(p.reply_count), 0), coalesce(sum(p.quote_count), 0),
               count(*) FILTER (a.followers = 0 AND p.like_count > 0),
               coalesce(sum(p.like_count) FILTER (a.followers = 0), 0),
               count(*) FILTER (a.followers = 0)
        FROM posts p JOIN {members} m USING (account_id)
        LEFT JOIN accounts a USING (account_id)
        WHERE p.kind <> 'retweet'
        """
    ))
    obs = first_row(con.execute(
        f"""
        WITH tgt AS (
            SELECT q.account_id AS actor, q.kind,
                   CASE WHEN q.kind = 'reply' THEN q.reply_to_account_id ELSE q.ref_account_id END
                   AS target
            FROM posts q WHERE q.kind IN ('retweet', 'quote', 'reply'))
        SELECT count(*), count(*) FILTER (actor NOT IN (SELECT account_id FROM {members})),
               count(DISTINCT actor) FILTER (actor NOT IN (SELECT account_id FROM {members}))
        FROM tgt WHERE target IN (SELECT account_id FROM {members}) AND actor <> target
        """
    ))
    assert row is not None and obs is not None
    total_obs, outside = int(obs[0]), int(obs[1])
    return {
        "own_posts": int(row[0]), "likes": int(row[1]), "retweets": int(row[2]),
        "replies": int(row[3]), "quotes": int(row[4]),
        "zero_follower_posts": int(row[7]),
        "zero_follower_liked_posts": int(row[5]), "zero_follower_likes": int(row[6]),
        "observed": total_obs, "observed_outside": outside,
        "observed_outside_accounts": int(obs[2]),
        "share_outside": outside / total_obs if total_obs else 0.0,
    }


def clients(con: duckdb.DuckDBPyConnection, members: str, limit: int = 12) -> list[tuple[str, int, int]]:
    """``(client app, posts, accounts)`` for the network, most posts first."""
    return [
        (str(c), int(p), int(a))
        for c, p, a in con.execute(
            f"SELECT coalesce(nullif(p.client, ''), '(unknown)') AS c, count(*) AS n, "
            f"count(DISTINCT p.account_id) FROM posts p JOIN {members} m USING (account_id) "
            f"GROUP BY c ORDER BY n DESC, c LIMIT {int(limit)}"
        ).fetchall()
    ]
