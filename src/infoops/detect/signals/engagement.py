"""Engagement that comes only from inside the network."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from infoops.detect.signals.scope import finish, plural, scope
from infoops.store import Store


def internal_engagement(
    store: Store,
    account_ids: Iterable[str] | None = None,
    groups: pd.DataFrame | None = None,
    *,
    min_received: int = 5,
    min_share: float = 0.9,
) -> pd.DataFrame:
    """Share of the reposts, quotes and replies an account receives from its own group.

    Inauthentic accounts get their reach from each other: the engagement they
    receive comes from the operation, not from an organic audience (Keller
    et al., 2020, "Political astroturfing on Twitter: how to coordinate a
    disinformation campaign"; Twitter Transparency, 2020). For each account,
    counts the retweets, quotes and replies in the store that target it
    (``ref_account_id`` / ``reply_to_account_id``), and how many of them
    come from members of its group. Fires with at least ``min_received``
    received and a group share of ``min_share`` or more; the value is the
    share when ``received >= min_received``, else 0.
    Without ``groups`` there is no inside, and every value is 0.

    Returns
    -------
    DataFrame
        The standard columns plus ``received``, ``from_group``,
        ``group_engagers`` (distinct members engaging) and ``group_share``.
    """
    with scope(store, account_ids, groups) as sc:
        frame = store.sql(
            f"""
            WITH targets AS (
                SELECT p.account_id AS engager, t.account_id, t.group_id
                FROM posts p
                JOIN {sc} t ON t.account_id = coalesce(p.ref_account_id, p.reply_to_account_id)
                WHERE p.kind IN ('retweet', 'quote', 'reply') AND p.account_id <> t.account_id
            ),
            agg AS (
                SELECT tg.account_id, tg.group_id, count(*) AS received,
                       count(g.account_id) AS from_group,
                       count(DISTINCT g.account_id) AS group_engagers
                FROM targets tg
                LEFT JOIN {sc} g ON g.account_id = tg.engager AND g.group_id = tg.group_id
                GROUP BY ALL
            )
            SELECT sc.account_id, sc.group_id,
                   coalesce(agg.received, 0) AS received,
                   coalesce(agg.from_group, 0) AS from_group,
                   coalesce(agg.group_engagers, 0) AS group_engagers
            FROM {sc} sc LEFT JOIN agg
              ON agg.account_id = sc.account_id AND agg.group_id IS NOT DISTINCT FROM sc.group_id
            """
        )
    received = frame["received"].to_numpy(float)
    share = np.where(received > 0, frame["from_group"].to_numpy(float) / np.maximum(received, 1), 0.0)
    enough = received >= min_received
    frame["group_share"] = share
    frame["value"] = np.where(enough, share, 0.0)
    frame["flagged"] = enough & (share >= min_share)
    frame["evidence"] = [
        (
            ("all " if s >= 1 else f"{s:.0%} of the ")
            + f"{int(r):,} reposts/quotes/replies it received came from {plural(e, 'network member')}"
        )
        if f else ""
        for s, r, e, f in zip(share, received, frame["group_engagers"], frame["flagged"], strict=False)
    ]
    return finish(frame)
