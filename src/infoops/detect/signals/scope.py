"""Which accounts a signal is computed for, and the shape every signal returns.

Every signal function takes the store, an optional set of ``account_ids`` and,
where the signal is relative to a group (a detected network), an optional
``groups`` frame with columns ``account_id, group_id``. It returns one row per
account in scope with at least these columns:

``account_id``
    the account.
``value``
    strength of the signal in [0, 1] (0: nothing unusual).
``flagged``
    whether the signal fires under its documented thresholds.
``evidence``
    the evidence in words, for display ("" when there is nothing to say).

plus signal-specific detail columns (counts, dates, rates) kept for display.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pandas as pd

from infoops.errors import DetectionError
from infoops.store import Store
from infoops.store.sql import registered

RESULT_COLUMNS = ("account_id", "value", "flagged", "evidence")

_counter = itertools.count()


@contextmanager
def scope(
    store: Store,
    account_ids: Iterable[str] | None = None,
    groups: pd.DataFrame | None = None,
) -> Iterator[str]:
    """Register the accounts in scope as a DuckDB view; yield its name.

    The view has columns ``account_id`` (TEXT) and ``group_id`` (TEXT, NULL
    when no groups are given). Without ``account_ids`` or ``groups`` the scope
    is every account in the store that is not a stub.
    """
    if groups is not None:
        missing = {"account_id", "group_id"} - set(groups.columns)
        if missing:
            raise DetectionError(
                f"groups frame lacks column(s) {sorted(missing)}; pass account_id, group_id"
            )
        frame = groups[["account_id", "group_id"]].astype({"account_id": str, "group_id": str})
        if account_ids is not None:
            frame = frame[frame["account_id"].isin(set(map(str, account_ids)))]
    elif account_ids is not None:
        ids = pd.Series(list(dict.fromkeys(map(str, account_ids))), dtype="object")
        frame = pd.DataFrame({"account_id": ids, "group_id": pd.Series([None] * len(ids), dtype="object")})
    else:
        frame = None
    name = f"_signal_scope_{next(_counter)}"
    con = store.con
    if frame is None:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS "
            "SELECT account_id, NULL::TEXT AS group_id FROM accounts WHERE NOT is_stub"
        )
        try:
            yield name
        finally:
            con.execute(f"DROP VIEW IF EXISTS {name}")
        return
    frame = frame.drop_duplicates().reset_index(drop=True)
    with registered(con, name + "_df", frame):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS "
            f"SELECT account_id::TEXT AS account_id, group_id::TEXT AS group_id FROM {name}_df"
        )
        try:
            yield name
        finally:
            con.execute(f"DROP VIEW IF EXISTS {name}")


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Order the standard columns first and sort rows by account id."""
    frame["value"] = frame["value"].astype(float).fillna(0.0).clip(0.0, 1.0)
    frame["flagged"] = frame["flagged"].fillna(False).astype(bool)
    frame["evidence"] = frame["evidence"].fillna("").astype(str)
    rest = [c for c in frame.columns if c not in RESULT_COLUMNS]
    return frame[list(RESULT_COLUMNS) + rest].sort_values("account_id", kind="stable").reset_index(drop=True)


def plural(n: float, word: str) -> str:
    """``"1 post"`` / ``"1,240 posts"``."""
    n_int = int(n)
    return f"{n_int:,} {word}" if n_int == 1 else f"{n_int:,} {word}s"
