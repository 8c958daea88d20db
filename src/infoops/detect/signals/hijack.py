"""Hijacked or bought accounts: an earlier life, a gap, then a new owner.

Operations buy or compromise established accounts and repurpose them; the
takeover shows as a switch between the account's life before its longest
silence and after it (Twitter Transparency, 2020, the PRC and Turkey
networks; Elmas et al., 2021, "Dataset of compromised accounts / ephemeral
astroturfing"; Zannettou et al., 2019, "Disinformation warfare" on
repurposed IRA accounts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from infoops.detect.signals.activity import silences
from infoops.detect.signals.scope import finish, scope
from infoops.store import Store
from infoops.store.sql import sql_in

#: Phrases of "new owner" posts (the 2020 PRC network's "test new owner";
#: Chinese, Russian, Turkish equivalents). Matched case-insensitively in text.
NEW_OWNER_PATTERN = (
    r"new owner|new management|account (?:was )?(?:sold|bought)|"
    r"新主人|新号主|新的主人|новый владелец|yeni sahib"
)

#: Profile fields whose change signals a new owner.
IDENTITY_FIELDS = ("screen_name", "display_name", "name", "language", "description", "location")


def _dominant(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Most common value of ``column`` before and after the gap, with its share."""
    sub = frame.dropna(subset=[column])
    if sub.empty:
        return pd.DataFrame(columns=["account_id", "side", column, f"{column}_share"])
    counts = sub.groupby(["account_id", "side", column]).size().rename("n").reset_index()
    totals = counts.groupby(["account_id", "side"])["n"].transform("sum")
    counts[f"{column}_share"] = counts["n"] / totals
    # Ties broken by value so that the result does not depend on row order.
    counts = counts.sort_values(["account_id", "side", "n", column], ascending=[True, True, False, True])
    return counts.drop_duplicates(["account_id", "side"]).drop(columns="n")


def hijack_signals(
    store: Store,
    account_ids: Iterable[str] | None = None,
    groups: pd.DataFrame | None = None,
    *,
    min_gap_days: float = 30.0,
    min_side_posts: int = 5,
    min_rhythm_distance: float = 0.5,
    min_switches: int = 2,
) -> pd.DataFrame:
    """Evidence that an account changed hands after its longest silence.

    For accounts whose longest silence (:func:`~infoops.detect.signals.activity.silences`)
    lasts ``min_gap_days`` or more and has at least ``min_side_posts`` posts
    on each side, compares the two lives:

    - **language**: the dominant post language differs;
    - **client**: the dominant posting client differs;
    - **rhythm**: the hour-of-day histograms are far apart (total variation
      distance ≥ ``min_rhythm_distance``; Chavoshi et al., 2016);
    - **profile**: ``profile_changes`` records a handle, display name or
      language change (any time; a change after the earlier life counts
      even without posts around it);
    - **new owner**: a post after the gap reads like a handover
      (:data:`NEW_OWNER_PATTERN`).

    The signal fires with ``min_switches`` kinds of switch or more (a "new
    owner" post counts double); the value is the number of kinds over 3,
    capped at 1.

    Returns
    -------
    DataFrame
        The standard columns plus ``gap_days``, ``switches`` (comma-separated
        kinds), ``language_before/after``, ``client_before/after``,
        ``rhythm_distance`` and ``profile_changes`` (count).
    """
    base, gaps, changes = _read(store, account_ids, groups)
    gaps, posts, ok = _gaps_and_posts(store, gaps, min_gap_days, min_side_posts)
    frame = base.merge(gaps[["account_id", "gap_days", "gap_end"]], on="account_id", how="left")
    frame.loc[~frame["account_id"].isin(ok), ["gap_days", "gap_end"]] = np.nan
    _compare_lives(frame, posts)
    new_owner = posts[posts["new_owner"].astype(bool)].groupby("account_id").size()
    frame["new_owner_posts"] = frame["account_id"].map(new_owner).fillna(0).astype(int)
    n_changes = changes.groupby("account_id").size()
    frame["profile_changes"] = frame["account_id"].map(n_changes).fillna(0).astype(int)
    described = _describe_changes(changes)

    switches: list[str] = []
    evidence: list[str] = []
    rows: list[Any] = list(frame.itertuples())
    for r in rows:
        kinds, words = _switches(r, described, min_rhythm_distance)
        switches.append(",".join(kinds))
        evidence.append("; ".join(w for w in words if w))
    frame["switches"] = switches
    n_kinds = np.array([len(s.split(",")) if s else 0 for s in switches], dtype=float)
    n_kinds += frame["new_owner_posts"].to_numpy() > 0
    frame["value"] = np.minimum(n_kinds / 3.0, 1.0)
    frame["flagged"] = n_kinds >= min_switches
    frame["evidence"] = np.where(n_kinds > 0, evidence, "")
    return finish(frame.drop(columns=["gap_end"]))


def _read(store: Store, account_ids: Iterable[str] | None,
          groups: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The accounts in scope, their silences and their identity changes."""
    with scope(store, account_ids, groups) as sc:
        base = store.sql(f"SELECT account_id, group_id FROM {sc}")
        gaps = silences(store, sc)
        changes = store.sql(
            f"""
            SELECT pc.account_id, pc.changed_at, pc.field, pc.old_value, pc.new_value
            FROM profile_changes pc JOIN (SELECT DISTINCT account_id FROM {sc}) USING (account_id)
            WHERE pc.field IN {sql_in(IDENTITY_FIELDS)}
            ORDER BY pc.account_id, pc.changed_at, pc.field, pc.old_value, pc.new_value
            """
        )
    return base, gaps, changes


def _gaps_and_posts(store: Store, gaps: pd.DataFrame, min_gap_days: float,
                    min_side_posts: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Index]:
    """Long silences after creation, the posts on each side, and the accounts with enough of both."""
    gaps = gaps[(gaps["gap_days"] >= min_gap_days) & ~gaps["after_creation"].astype(bool)]
    gaps = gaps.drop_duplicates("account_id")
    if len(gaps):
        with store.registered("_hijack_gaps", gaps[["account_id", "gap_start", "gap_end"]]):
            posts = store.sql(
                """
                SELECT p.account_id,
                       CASE WHEN p.created_at <= g.gap_start THEN 'before' ELSE 'after' END AS side,
                       p.language, p.client, hour(p.created_at) AS hour,
                       regexp_matches(lower(coalesce(p.text, '')), $pat) AND p.created_at >= g.gap_end
                           AS new_owner
                FROM posts p JOIN _hijack_gaps g USING (account_id)
                WHERE p.created_at IS NOT NULL
                """,
                {"pat": NEW_OWNER_PATTERN},
            )
    else:
        posts = pd.DataFrame(columns=["account_id", "side", "language", "client", "hour", "new_owner"])
    sides = posts.groupby(["account_id", "side"]).size().unstack(fill_value=0)
    for side in ("before", "after"):
        if side not in sides:
            sides[side] = 0
    ok = sides[(sides["before"] >= min_side_posts) & (sides["after"] >= min_side_posts)].index
    return gaps, posts[posts["account_id"].isin(ok)], ok


def _compare_lives(frame: pd.DataFrame, posts: pd.DataFrame) -> None:
    """Add the dominant language and client on each side and the rhythm distance to ``frame``."""
    for column in ("language", "client"):
        dom = _dominant(posts, column)
        wide = dom.pivot(index="account_id", columns="side", values=column) if len(dom) else None
        for side in ("before", "after"):
            values = wide[side] if wide is not None and side in wide else pd.Series(dtype=object)
            frame[f"{column}_{side}"] = frame["account_id"].map(values)
    hours = posts.groupby(["account_id", "side", "hour"]).size().unstack(fill_value=0)
    hours = hours.reindex(columns=range(24), fill_value=0)
    hours = hours.div(hours.sum(axis=1), axis=0)
    if len(hours):
        before = pd.DataFrame(hours.xs("before", level="side"))
        after = pd.DataFrame(hours.xs("after", level="side")).reindex(before.index)
        tvd = pd.Series(0.5 * np.nansum(np.abs(before.to_numpy() - after.to_numpy()), axis=1),
                        index=before.index)
    else:
        tvd = pd.Series(dtype=float)
    frame["rhythm_distance"] = frame["account_id"].map(tvd)


def _describe_changes(changes: pd.DataFrame) -> dict[str, str]:
    """Each account's first change of each identity field, in words."""
    first_change = changes.drop_duplicates(["account_id", "field"])
    change_rows: list[Any] = list(first_change.itertuples())
    described: dict[str, str] = {}
    for c in change_rows:
        text = (f"{c.field} changed {_short(c.old_value)} → {_short(c.new_value)}"
                + (f" on {c.changed_at:%Y-%m-%d}" if pd.notna(c.changed_at) else ""))
        described[str(c.account_id)] = "; ".join(x for x in (described.get(str(c.account_id)), text) if x)
    return described


def _switches(r: Any, described: dict[str, str], min_rhythm_distance: float) -> tuple[list[str], list[str]]:
    """The kinds of switch one account shows, and the words that say so."""
    kinds: list[str] = []
    words: list[str] = []
    if pd.notna(r.language_before) and pd.notna(r.language_after) and r.language_before != r.language_after:
        kinds.append("language")
        words.append(f"posts switched from {r.language_before} to {r.language_after}")
    if pd.notna(r.client_before) and pd.notna(r.client_after) and r.client_before != r.client_after:
        kinds.append("client")
        words.append(f"client switched from {_short(r.client_before)} to {_short(r.client_after)}")
    if pd.notna(r.rhythm_distance) and r.rhythm_distance >= min_rhythm_distance:
        kinds.append("rhythm")
        words.append(f"daily rhythm changed (distance {r.rhythm_distance:.2f})")
    if r.profile_changes > 0:
        kinds.append("profile")
        words.append(described.get(r.account_id, ""))
    if r.new_owner_posts > 0:
        kinds.append("new-owner")
        words.append(f"{r.new_owner_posts} 'new owner'-style post(s)")
    if kinds and pd.notna(r.gap_days):
        words.insert(0, f"after {r.gap_days:,.0f} days of silence")
    return kinds, words

def _short(value: object, limit: int = 40) -> str:
    missing = value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA
    text = "∅" if missing else re.sub(r"\s+", " ", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
