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
from dataclasses import dataclass
from typing import Any

import pandas as pd

from infoops.detect.signals.activity import dormancy_activation, office_hours
from infoops.detect.signals.engagement import internal_engagement
from infoops.detect.signals.hijack import hijack_signals
from infoops.detect.signals.profile import creation_bursts, low_followers
from infoops.store import Store

SignalFunction = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Signal:
    """One account signal and everything the scoring and display need about it.

    Attributes
    ----------
    name:
        The key used in ``members.signals`` and in reports.
    function:
        ``f(store, account_ids=None, groups=None, **params)`` (module docstring).
    weight:
        Default weight in the member and network noisy-OR: how strongly the
        signal alone suggests inauthenticity (overridable per run through
        ``RoleParams.signal_weights``).
    detail:
        Result columns kept in ``members.signals`` for display.
    words:
        The network-level phrase for the share of members it flags.
    profile_only:
        Needs only the ``accounts`` table.
    """

    name: str
    function: SignalFunction
    weight: float
    detail: tuple[str, ...]
    words: str
    profile_only: bool = False


#: The one registry of account signals, in display order.
REGISTRY: dict[str, Signal] = {
    s.name: s
    for s in (
        Signal("creation_burst", creation_bursts, 0.6,
               ("created", "n_window", "ratio", "n_group_window"), "created in bursts",
               profile_only=True),
        Signal("low_followers", low_followers, 0.4, ("followers", "following"),
               "with almost no followers", profile_only=True),
        Signal("dormancy", dormancy_activation, 0.5, ("gap_days", "n_burst"),
               "dormant, then switched on"),
        Signal("hijacked", hijack_signals, 0.7, ("switches", "gap_days"),
               "show a change of owner"),
        Signal("internal_engagement", internal_engagement, 0.5, ("received", "group_share"),
               "get their engagement only from the network"),
        # also the rhythm of an organisation's staff or a party's branches (who run owned
        # hubs too), so it only supports other evidence: on zoo worlds 0.3 plus their
        # self-amplification put staff and party networks over the threshold
        Signal("office_hours", office_hours, 0.15,
               ("n_posts", "utc_offset", "office_share", "weekend_share"),
               "post only in office hours"),
    )
}

#: Every signal function, by name (a view of :data:`REGISTRY`).
SIGNALS: dict[str, SignalFunction] = {n: s.function for n, s in REGISTRY.items()}

#: Signals that need only profiles.
PROFILE_SIGNALS = tuple(n for n, s in REGISTRY.items() if s.profile_only)


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
    "REGISTRY",
    "SIGNALS",
    "Signal",
    "compute_signals",
    "creation_bursts",
    "dormancy_activation",
    "hijack_signals",
    "internal_engagement",
    "low_followers",
    "office_hours",
]
