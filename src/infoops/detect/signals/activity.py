"""Activity signals from posting times: dormancy then activation, office hours.

:func:`silences` (each account's longest silence, shared with the hijack
signal) and :func:`rhythm_histograms` (posts per hour of the week) are the
building blocks; both are computed in DuckDB with one pass over ``posts``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from infoops.detect.signals.scope import finish, plural, scope
from infoops.store import Store

#: Example places for whole-hour UTC offsets, for evidence text only.
TZ_EXAMPLES = {
    -8: "Los Angeles", -5: "New York", -3: "São Paulo", 0: "London", 1: "Paris, Lagos",
    2: "Cairo, Kyiv", 3: "Moscow, Istanbul, Riyadh", 4: "Dubai, Baku", 5: "Karachi",
    7: "Bangkok, Jakarta", 8: "Beijing, Manila", 9: "Tokyo, Seoul", 10: "Sydney",
}
#: Share of a uniformly random week that falls Mon–Fri 09:00–18:00.
_RANDOM_OFFICE_SHARE = 5 * 9 / 168


def silences(
    store: Store, scope_view: str, active_days: int = 30, from_data_start: bool = True
) -> pd.DataFrame:
    """Each account's longest silence and what came before and after it.

    Events are the account's posts plus its creation. An account created
    before the first post in the store is taken as created when the data
    begins if ``from_data_start`` (right for full account histories such as
    IO archives and simulated worlds; for keyword-sampled collections, where
    an account shows up only when it posts on the topic, pass False and the
    creation then counts only for accounts created inside the data).

    Returns one row per account with posts: ``account_id, group_id,
    gap_start, gap_end, gap_days, after_creation, created_before_data,
    n_posts, n_before, before_first, n_burst`` (posts in the
    ``active_days`` after the gap).
    """
    return store.sql(
        f"""
        WITH ids AS (SELECT DISTINCT account_id FROM {scope_view}),
        t0 AS (SELECT min(created_at) AS t0 FROM posts),
        ev AS (
            SELECT p.account_id, p.created_at AS t, 0 AS is_creation
            FROM posts p JOIN ids USING (account_id) WHERE p.created_at IS NOT NULL
            UNION ALL
            SELECT a.account_id, greatest(a.created_at, t0.t0), 1
            FROM accounts a JOIN ids USING (account_id), t0
            WHERE a.created_at >= t0.t0 OR ({'TRUE' if from_data_start else 'FALSE'} AND a.created_at IS NOT NULL)
        ),
        g AS (
            SELECT account_id, t,
                   lag(t) OVER w AS prev, lag(is_creation) OVER w AS prev_creation
            FROM ev WINDOW w AS (PARTITION BY account_id ORDER BY t, is_creation DESC)
        ),
        best AS (
            SELECT account_id,
                   arg_max(prev, epoch(t) - epoch(prev)) AS gap_start,
                   arg_max(t, epoch(t) - epoch(prev)) AS gap_end,
                   arg_max(prev_creation, epoch(t) - epoch(prev)) = 1 AS after_creation,
                   max(epoch(t) - epoch(prev)) / 86400.0 AS gap_days
            FROM g WHERE prev IS NOT NULL GROUP BY account_id
        ),
        counts AS (
            SELECT b.account_id,
                   count(p.post_id) AS n_posts,
                   count(p.post_id) FILTER (WHERE p.created_at <= b.gap_start AND NOT b.after_creation)
                       AS n_before,
                   min(p.created_at) AS before_first,
                   count(p.post_id) FILTER (
                       WHERE p.created_at >= b.gap_end
                         AND p.created_at < b.gap_end + to_days({int(active_days)})) AS n_burst
            FROM best b JOIN posts p USING (account_id) GROUP BY b.account_id
        )
        SELECT sc.account_id, sc.group_id, b.gap_start, b.gap_end, b.gap_days, b.after_creation,
               coalesce(acc.created_at < (SELECT t0 FROM t0), FALSE) AS created_before_data,
               c.n_posts, c.n_before, c.before_first, c.n_burst
        FROM {scope_view} sc JOIN best b USING (account_id) JOIN counts c USING (account_id)
        LEFT JOIN accounts acc ON acc.account_id = sc.account_id
        """
    )


def dormancy_activation(
    store: Store,
    account_ids: Iterable[str] | None = None,
    groups: pd.DataFrame | None = None,
    *,
    min_gap_days: float = 90.0,
    active_days: int = 30,
    min_burst_posts: int = 20,
    min_rate_ratio: float = 3.0,
    from_data_start: bool = True,
) -> pd.DataFrame:
    """Long silence after creation or after an earlier life, then sudden activity.

    Operations stockpile accounts and switch them on for a campaign
    ("sleeper" accounts: Twitter Transparency, 2020; Linvill & Warren, 2020,
    "Troll factories: manufacturing specialized disinformation on Twitter").
    The signal fires when an account's longest silence (see :func:`silences`)
    lasts at least ``min_gap_days`` and is followed by at least
    ``min_burst_posts`` posts within ``active_days`` — at a daily rate at
    least ``min_rate_ratio`` times that of its earlier life, if it had one.
    The value rises from 0.5 to 1 as the silence grows to a year. For
    accounts created before the data begins, see ``from_data_start`` in
    :func:`silences`.

    Returns
    -------
    DataFrame
        The standard columns plus the columns of :func:`silences`.
    """
    with scope(store, account_ids, groups) as sc:
        frame = silences(store, sc, active_days, from_data_start)
    gap = frame["gap_days"].to_numpy(float)
    burst = frame["n_burst"].to_numpy(float)
    before = frame["n_before"].to_numpy(float)
    life_days = np.array(
        [
            max((gs - bf).total_seconds() / 86400.0, 1.0) if n > 0 else 1.0
            for gs, bf, n in zip(frame["gap_start"], frame["before_first"], before, strict=False)
        ],
        dtype=float,
    ) if len(frame) else np.zeros(0)
    before_rate = np.where(before > 0, before / np.maximum(life_days, active_days), 0.0)
    burst_rate = burst / active_days
    flagged = (gap >= min_gap_days) & (burst >= min_burst_posts) & (
        (before == 0) | (burst_rate >= min_rate_ratio * before_rate)
    )
    frame["value"] = np.where(flagged, 0.5 + 0.5 * np.minimum(gap / 365.0, 1.0), 0.0)
    frame["flagged"] = flagged
    frame["evidence"] = [
        (
            f"silent {g:,.0f} days "
            + (
                ("since the data begins" if early else "after creation") if ac
                else f"after an earlier life of {plural(nb, 'post')}"
            )
            + f" (until {ge:%Y-%m-%d}), then {plural(nu, 'post')} in {active_days} days"
        )
        if f else ""
        for g, ac, early, nb, ge, nu, f in zip(
            gap, frame["after_creation"], frame["created_before_data"], before, frame["gap_end"], burst,
            flagged, strict=False,
        )
    ]
    return finish(frame.drop(columns=["before_first"]))


def rhythm_histograms(store: Store, scope_view: str) -> tuple[list[str], np.ndarray]:
    """Posts per UTC hour of the week (Mon 00h = bin 0) for each account in scope.

    Returns ``(account_ids, counts)`` with ``counts`` of shape ``(n, 168)``.
    """
    rows = store.sql(
        f"""
        SELECT p.account_id, (isodow(p.created_at) - 1) * 24 + hour(p.created_at) AS how,
               count(*) AS n
        FROM posts p JOIN (SELECT DISTINCT account_id FROM {scope_view}) USING (account_id)
        WHERE p.created_at IS NOT NULL GROUP BY ALL
        """
    )
    ids = sorted(rows["account_id"].unique().tolist())
    index = {a: i for i, a in enumerate(ids)}
    counts = np.zeros((len(ids), 168), dtype=float)
    if len(rows):
        np.add.at(
            counts,
            (rows["account_id"].map(index).to_numpy(), rows["how"].to_numpy(int)),
            rows["n"].to_numpy(float),
        )
    return ids, counts


def office_shares(
    counts: np.ndarray, start_hour: int = 9, end_hour: int = 18
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For hour-of-week histograms, the best UTC offset and its office-hours share.

    Tries every whole-hour offset from UTC-12 to UTC+14; returns
    ``(best_offset, office_share, weekend_share)`` per row, where the shares
    are of the row's posts falling Mon–Fri ``start_hour``–``end_hour`` and on
    Saturday/Sunday, in local time at the best offset.
    """
    offsets = np.arange(-12, 15)
    local_office = np.zeros(168, dtype=bool)
    for day in range(5):
        local_office[day * 24 + start_hour: day * 24 + end_hour] = True
    local_weekend = np.zeros(168, dtype=bool)
    local_weekend[5 * 24:] = True
    # UTC bin u is local bin (u + off) mod 168, so the UTC mask is the local one rolled by -off.
    office = np.stack([np.roll(local_office, -o) for o in offsets], axis=1).astype(float)
    weekend = np.stack([np.roll(local_weekend, -o) for o in offsets], axis=1).astype(float)
    totals = counts.sum(axis=1)
    safe = np.where(totals > 0, totals, 1.0)[:, None]
    office_share = (counts @ office) / safe
    weekend_share = (counts @ weekend) / safe
    best = office_share.argmax(axis=1) if len(counts) else np.zeros(0, dtype=int)
    rows = np.arange(len(counts))
    return offsets[best], office_share[rows, best], weekend_share[rows, best]


def describe_offset(offset: int) -> str:
    """``UTC+8 (e.g. Beijing, Manila)``."""
    name = f"UTC{offset:+d}" if offset else "UTC"
    return name + (f" (e.g. {TZ_EXAMPLES[offset]})" if offset in TZ_EXAMPLES else "")


def office_hours(
    store: Store,
    account_ids: Iterable[str] | None = None,
    groups: pd.DataFrame | None = None,
    *,
    min_posts: int = 20,
    min_share: float = 0.7,
    max_weekend_share: float = 0.1,
    start_hour: int = 9,
    end_hour: int = 18,
) -> pd.DataFrame:
    """Posting confined to working hours, Monday to Friday, in one time zone.

    Staff of troll farms and state media post on a shift schedule: the 2020
    PRC-linked network posted in Beijing office hours on weekdays (Stanford
    Internet Observatory, 2020), the IRA's accounts on St Petersburg shifts
    (Linvill & Warren, 2020). The rhythm test follows the circadian analysis
    of Ferrara et al., 2016 and Chavoshi et al., 2016 ("DeBot"): for every
    whole-hour offset, the share of the account's posts that fall Mon–Fri
    ``start_hour``–``end_hour`` local time; the best offset is reported.
    A uniformly random week puts 27% there, and people post evenings and
    weekends, so the signal fires at ``min_share`` or more with at most
    ``max_weekend_share`` on weekends, for accounts with ``min_posts`` posts.
    The value is the share's excess over random, scaled to [0, 1].

    Returns
    -------
    DataFrame
        The standard columns plus ``n_posts``, ``utc_offset``,
        ``office_share`` and ``weekend_share``.
    """
    with scope(store, account_ids, groups) as sc:
        members = store.sql(f"SELECT account_id, group_id FROM {sc}")
        ids, counts = rhythm_histograms(store, sc)
    offset, share, weekend = office_shares(counts, start_hour, end_hour)
    rhythm = pd.DataFrame(
        {
            "account_id": ids,
            "n_posts": counts.sum(axis=1),
            "utc_offset": offset,
            "office_share": share,
            "weekend_share": weekend,
        }
    )
    frame = members.merge(rhythm, on="account_id", how="left")
    n = frame["n_posts"].fillna(0).to_numpy(float)
    share_v = frame["office_share"].fillna(0).to_numpy(float)
    weekend_v = frame["weekend_share"].fillna(1).to_numpy(float)
    enough = n >= min_posts
    frame["flagged"] = enough & (share_v >= min_share) & (weekend_v <= max_weekend_share)
    frame["value"] = np.where(
        enough, np.clip((share_v - _RANDOM_OFFICE_SHARE) / (1 - _RANDOM_OFFICE_SHARE), 0, 1), 0.0
    ) * (1.0 - np.clip(weekend_v, 0, 1))
    frame["evidence"] = [
        f"{s:.0%} of {plural(k, 'post')} fall Mon–Fri {start_hour:02d}:00–{end_hour:02d}:00 "
        f"{describe_offset(int(o))}; {wk:.0%} on weekends"
        if f else ""
        for s, k, o, wk, f in zip(
            share_v, n, frame["utc_offset"].fillna(0), weekend_v, frame["flagged"], strict=False
        )
    ]
    return finish(frame)
