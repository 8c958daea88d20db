"""Account signals: why each account is believed inauthentic.

Each signal is a function ``f(store, account_ids=None, groups=None, **params)``
returning one row per account with ``account_id, value, flagged, evidence``
and detail columns (see :mod:`infoops.detect.signals.scope`). They read only
the canonical input tables (never simulator truth, never ids or names), so
they run on any store, including profile-only real data. The organic base
rate always comes from every account in the store.

=====================  ==========================================  ============
signal                 what                                        needs
=====================  ==========================================  ============
creation_burst         created in a window far above base rate     accounts
low_followers          zero / few followers                        accounts
dormancy               long silence, then sudden activity          posts
hijacked               language/client/rhythm/profile switch       posts, profile_changes
internal_engagement    engagement received only from the group     posts, groups
office_hours           Mon–Fri working hours in one time zone      posts
=====================  ==========================================  ============
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from infoops.detect.signals.activity import dormancy_activation, office_hours
from infoops.detect.signals.engagement import internal_engagement
from infoops.detect.signals.hijack import hijack_signals
from infoops.detect.signals.profile import creation_bursts, low_followers
from infoops.store import Store

SignalFunction = Callable[..., pd.DataFrame]

#: Every signal, by the name used in ``members.signals`` and in reports.
SIGNALS: dict[str, SignalFunction] = {
    "creation_burst": creation_bursts,
    "low_followers": low_followers,
    "dormancy": dormancy_activation,
    "hijacked": hijack_signals,
    "internal_engagement": internal_engagement,
    "office_hours": office_hours,
}

#: Signals that need only profiles.
PROFILE_SIGNALS = ("creation_burst", "low_followers")


def compute_signals(
    store: Store,
    account_ids: Iterable[str] | None = None,
    groups: pd.DataFrame | None = None,
    names: Iterable[str] | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run several signals (default: all) over the same accounts.

    ``params`` maps a signal name to keyword arguments for it. Returns a
    mapping from signal name to its result frame.
    """
    chosen = list(names) if names is not None else list(SIGNALS)
    unknown = [n for n in chosen if n not in SIGNALS]
    if unknown:
        from infoops.errors import DetectionError

        raise DetectionError(f"unknown signal(s) {unknown}; choose from {sorted(SIGNALS)}")
    ids = list(account_ids) if account_ids is not None else None
    params = params or {}
    return {n: SIGNALS[n](store, ids, groups, **params.get(n, {})) for n in chosen}


__all__ = [
    "PROFILE_SIGNALS",
    "SIGNALS",
    "compute_signals",
    "creation_bursts",
    "dormancy_activation",
    "hijack_signals",
    "internal_engagement",
    "low_followers",
    "office_hours",
]
