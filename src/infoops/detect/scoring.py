"""Member and network scores in [0, 1], with the reason in words.

A member's score combines two kinds of evidence with a noisy-OR (Pearl,
1988, *Probabilistic Reasoning in Intelligent Systems*, §4.3): each piece of
evidence alone can make the account suspicious, and independent pieces
reinforce each other.

* **coordination** ``c = 1 - exp(-k / k0)`` where ``k`` is the number of
  distinct members it has a significant coordination edge with, plus the
  members it amplifies and that amplify it (``k0`` = :data:`K0`);
* **signals** ``s = 1 - Π (1 - w_i v_i)`` over the account signals
  (:mod:`infoops.detect.signals`) with value ``v_i`` and weight
  ``w_i`` (:data:`SIGNAL_WEIGHTS`);
* ``score = 1 - (1 - c)(1 - s)``.

A network's score combines, again by noisy-OR, the share of its members each
signal flags (``S = 1 - Π (1 - w_i share_i)``) and its *self-amplification*
``A``: operations boost their own originators, so several cores draw all
their engagement from the network, whereas an organic crowd boosts one
outside hub (an idol, an organisation, a news outlet). With ``m`` owned
cores (core, amplified by at least 2 members, ≥ 60% of its engagement from
the network) among ``n`` members, ``A = 0`` for ``m < 2`` and
``min(1, m / (0.1 n))`` otherwise — operations have many originators (the
2020 PRC network: 23,750 cores to ~150,000 amplifiers, 14%), an organic
movement a handful of leaders; ``score = 1 - (1 - S)(1 - 0.6 A)``. Coordination
alone does not make a high network score: organic crowds coordinate too
(fans, staff, breaking news), and the null model has already judged it.
Reasons list the
member's role behaviour, its coordination, then the signals that fired,
strongest first, e.g. "97% of 240 posts are reposts/replies of 12 network
members, median 4 min after the original; coordinated with 35 members
(co-retweet, fast-retweet); created within 3 days of 1,240 other members;
0 followers".
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from infoops.detect.signals import SIGNALS, compute_signals
from infoops.detect.signals.activity import describe_offset, office_shares, rhythm_histograms
from infoops.detect.signals.scope import plural, scope
from infoops.store import Store

#: Weight of each signal in the noisy-OR (how strongly it alone suggests inauthenticity).
SIGNAL_WEIGHTS: dict[str, float] = {
    "creation_burst": 0.6,
    "low_followers": 0.4,
    "dormancy": 0.5,
    "hijacked": 0.7,
    "internal_engagement": 0.5,
    # also the rhythm of an organisation's staff, so weaker evidence on its own
    "office_hours": 0.3,
}
#: Coordination partners at which the coordination component reaches 1 - 1/e.
K0 = 10.0
#: Weight of self-amplification in the network score.
SELF_AMPLIFICATION_WEIGHT = 0.6
#: Share of owned cores among members at which self-amplification is full.
FULL_CORE_SHARE = 0.1
#: Share of its engagement a core must get from its network to count as owned.
OWNED_SHARE = 0.6
#: Detail columns of each signal kept in ``members.signals`` for display.
DETAIL_COLUMNS: dict[str, tuple[str, ...]] = {
    "creation_burst": ("created", "n_window", "ratio", "n_group_window"),
    "low_followers": ("followers", "following"),
    "dormancy": ("gap_days", "n_burst"),
    "hijacked": ("switches", "gap_days"),
    "internal_engagement": ("received", "group_share"),
    "office_hours": ("n_posts", "utc_offset", "office_share", "weekend_share"),
}
#: Words for the share of a network's members flagged by each signal.
NETWORK_WORDS: dict[str, str] = {
    "creation_burst": "created in bursts",
    "low_followers": "with almost no followers",
    "dormancy": "dormant, then switched on",
    "hijacked": "show a change of owner",
    "internal_engagement": "get their engagement only from the network",
    "office_hours": "post only in office hours",
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).isoformat()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return round(float(value), 4)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def behaviour_reason(row: Any) -> str:
    """Role behaviour in words, from one row of role features."""
    if row.role == "core":
        return (
            f"{plural(row.n_authored, 'own post')}, amplified by {plural(row.n_amplifiers, 'member')}"
            f" ({int(row.received_internal):,} reposts/replies)"
        )
    if row.n_posts and row.n_amp_internal:
        text = (
            f"{row.n_amp_internal / row.n_posts:.0%} of {plural(row.n_posts, 'post')} are reposts/replies of "
            f"{plural(row.n_amp_targets, 'network member')}"
        )
        if pd.notna(row.median_delay):
            text += f", median {_minutes(float(row.median_delay))} after the original"
        return text
    return f"{plural(row.n_posts, 'post')}, none aimed at other members"


def score_run(store: Store, features: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Signals, scores and reasons for the members in ``features`` (one run).

    ``features`` is :func:`infoops.detect.roles.role_features` with a
    ``role`` column. Returns ``(members, networks)``: members with
    ``network_id, account_id, role, score, signals`` (JSON text) and
    ``reason``; networks with ``network_id, score, n_accounts, n_core,
    n_amplifier, traces, reason, detail`` (a dict).
    """
    groups = features[["account_id", "network_id"]].rename(columns={"network_id": "group_id"})
    results = compute_signals(store, groups=groups)
    frame = features.copy()
    key = ["account_id", "network_id"]
    survival = np.ones(len(frame))
    per_signal: dict[str, pd.DataFrame] = {}
    for name, res in results.items():
        res = res.rename(columns={"group_id": "network_id"})
        res = frame[key].merge(res, on=key, how="left")
        per_signal[name] = res
        survival *= 1.0 - SIGNAL_WEIGHTS[name] * res["value"].fillna(0).to_numpy(float)
    sig = 1.0 - survival
    k = (
        frame["n_partners"].to_numpy(float)
        + frame["n_amp_targets"].to_numpy(float)
        + frame["n_amplifiers"].to_numpy(float)
    )
    coord = 1.0 - np.exp(-k / K0)
    frame["coordination"] = coord
    frame["signal_strength"] = sig
    frame["score"] = np.clip(1.0 - (1.0 - coord) * (1.0 - sig), 0.0, 1.0)

    signals_json, reasons = [], []
    rows: list[Any] = list(frame.itertuples(index=False))
    columns = {name: {c: res[c].to_numpy() for c in ("value", "flagged", "evidence", *DETAIL_COLUMNS[name])
                      if c in res} for name, res in per_signal.items()}
    order = sorted(SIGNALS, key=lambda n: -SIGNAL_WEIGHTS[n])
    for i, row in enumerate(rows):
        doc: dict[str, Any] = {}
        fired: list[tuple[float, int, str]] = []
        for name in SIGNALS:
            cols = columns[name]
            entry = {c: _jsonable(v[i]) for c, v in cols.items()}
            doc[name] = entry
            if entry.get("evidence") and (entry.get("flagged") or name == "creation_burst"):
                weight = SIGNAL_WEIGHTS[name] * (entry.get("value") or 0) + (1 if entry.get("flagged") else 0)
                fired.append((-weight, order.index(name), str(entry["evidence"])))
        doc["behaviour"] = {
            c: _jsonable(getattr(row, c))
            for c in ("n_posts", "n_original", "n_authored", "n_amplify", "n_amp_internal",
                      "n_amp_targets", "median_delay", "received", "received_internal",
                      "n_amplifiers", "n_partners", "n_active_partners", "traces")
        }
        doc["coordination"] = round(float(coord[i]), 4)
        doc["signal_strength"] = round(float(sig[i]), 4)
        signals_json.append(json.dumps(doc, ensure_ascii=False))
        parts = [behaviour_reason(row)]
        if row.n_partners:
            parts.append(
                f"coordinated with {plural(row.n_partners, 'member')} ({row.traces.replace(',', ', ')})"
            )
        parts += [ev for *_, ev in sorted(fired)]
        reasons.append("; ".join(parts))
    frame["signals"] = signals_json
    frame["reason"] = reasons
    networks = _network_summaries(store, frame, per_signal)
    members = frame[["network_id", "account_id", "role", "score", "signals", "reason"]]
    return members, networks


def _network_summaries(
    store: Store, frame: pd.DataFrame, per_signal: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    flagged = pd.DataFrame({name: res["flagged"].fillna(False).astype(bool).to_numpy()
                            for name, res in per_signal.items()})
    flagged["network_id"] = frame["network_id"].to_numpy()
    shares = flagged.groupby("network_id").mean()
    grouped = frame.groupby("network_id")
    received = frame["received"].to_numpy(float)
    owned = (
        (frame["role"].to_numpy() == "core")
        & (frame["n_amplifiers"].to_numpy() >= 2)
        & (frame["received_internal"].to_numpy(float) >= OWNED_SHARE * np.maximum(received, 1))
    )
    n_owned = pd.Series(owned, index=frame.index).groupby(frame["network_id"]).sum()
    size = grouped.size()
    self_amp = np.where(n_owned >= 2, np.minimum(1.0, n_owned / (FULL_CORE_SHARE * size)), 0.0)
    weights = pd.Series(SIGNAL_WEIGHTS)
    signal_part = 1.0 - (1.0 - shares[weights.index] * weights).prod(axis=1)
    out = pd.DataFrame(
        {
            "signal_evidence": signal_part,
            "self_amplification": pd.Series(self_amp, index=size.index),
            "owned_cores": n_owned,
            "member_score": grouped["score"].mean(),
            "n_accounts": grouped.size(),
            "n_core": grouped["role"].apply(lambda r: int((r == "core").sum())),
            "n_amplifier": grouped["role"].apply(lambda r: int((r == "amplifier").sum())),
            "traces": grouped["traces"].apply(
                lambda t: ",".join(sorted({x for s in t for x in s.split(",") if x}))
            ),
        }
    )
    profiled = frame["created_at"].notna() | frame["followers"].notna()
    out["profile_coverage"] = profiled.groupby(frame["network_id"]).mean()
    out["score"] = 1.0 - (1.0 - out["signal_evidence"]) * (
        1.0 - SELF_AMPLIFICATION_WEIGHT * out["self_amplification"])
    rhythm = _network_rhythm(store, frame)
    coordination = grouped["coordination"].mean()
    reasons: list[str] = []
    details: list[dict[str, Any]] = []
    share_rows: dict[str, dict[str, float]] = {
        str(k): {str(n): float(v) for n, v in d.items()} for k, d in shares.to_dict("index").items()
    }
    records: list[Any] = out.rename_axis("network_id").reset_index().to_dict("records")
    for row in records:
        nid = str(row["network_id"])
        traces = str(row["traces"] or "")
        parts = [
            f"{plural(row['n_accounts'], 'account')} ({int(row['n_core']):,} core, "
            f"{plural(row['n_amplifier'], 'amplifier')})"
            + (f" linked by {traces.replace(',', ', ')}" if traces else "")
        ]
        sh = share_rows.get(nid, {})
        for name in sorted(sh, key=lambda n: -sh[n]):
            if sh[name] >= 0.1:
                parts.append(f"{sh[name]:.0%} {NETWORK_WORDS[name]}")
        r = rhythm.get(nid)
        if r and r["office_share"] >= 0.6:
            parts.append(
                f"{r['office_share']:.0%} of its posts fall Mon–Fri 09:00–18:00 {describe_offset(r['utc_offset'])}"
            )
        if row["owned_cores"] >= 2:
            parts.insert(1, f"{int(row['owned_cores']):,} cores draw ≥{OWNED_SHARE:.0%} of their engagement from the network")
        reasons.append("; ".join(parts))
        details.append({
            "signal_evidence": round(float(row["signal_evidence"]), 4),
            "self_amplification": round(float(row["self_amplification"]), 4),
            "owned_cores": int(row["owned_cores"]),
            "profile_coverage": round(float(row["profile_coverage"]), 4),
            "mean_member_score": round(float(row["member_score"]), 4),
            "signal_shares": {k: round(v, 4) for k, v in sh.items()},
            "rhythm": r,
            "mean_coordination": round(float(coordination.get(nid, 0.0)), 4),
        })
    out["reason"] = reasons
    out["detail"] = pd.Series(details, index=out.index, dtype=object)
    return out.rename_axis("network_id").reset_index()


def _network_rhythm(store: Store, frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Office-hours share of each network's posts as a whole (best UTC offset)."""
    groups = frame[["account_id", "network_id"]].rename(columns={"network_id": "group_id"})
    with scope(store, groups=groups) as sc:
        ids, counts = rhythm_histograms(store, sc)
    if not ids:
        return {}
    index = pd.Series(np.arange(len(ids)), index=ids)
    net = groups.assign(row=groups["account_id"].map(index)).dropna(subset=["row"])
    out: dict[str, dict[str, Any]] = {}
    names = sorted(net["group_id"].unique())
    code = pd.Categorical(net["group_id"], categories=names).codes
    sums = np.zeros((len(names), counts.shape[1]))
    np.add.at(sums, code, counts[net["row"].astype(int).to_numpy()])
    offset, share, weekend = office_shares(sums)
    for g, o, s, w, tot in zip(names, offset, share, weekend, sums.sum(axis=1)):
        out[g] = {"utc_offset": int(o), "office_share": round(float(s), 4),
                  "weekend_share": round(float(w), 4), "n_posts": int(tot)}
    return out


def write_scores(store: Store, run_id: str, members: pd.DataFrame, networks: pd.DataFrame) -> None:
    """Write roles, scores and reasons; delete bystanders and dropped networks.

    ``networks`` carries a boolean ``keep``; members absent from ``members``
    (bystanders) and every member of a network with ``keep`` false are
    deleted, and so are those networks. Existing ``networks.detail`` JSON is
    kept and gains a ``roles`` key.
    """
    con = store.con
    kept_ids = set(networks.loc[networks["keep"], "network_id"])
    mem = members[members["network_id"].isin(kept_ids)].copy()
    nets = networks[networks["keep"]].copy()
    old = store.sql("SELECT network_id, detail FROM networks WHERE run_id = $run", {"run": run_id})
    old_detail = {r.network_id: r.detail for r in old.itertuples()}

    def merged(nid: str, roles: dict[str, Any]) -> str:
        base = old_detail.get(nid)
        try:
            doc = json.loads(base) if isinstance(base, str) and base else (base or {})
        except ValueError:
            doc = {"pipeline": base}
        if not isinstance(doc, dict):
            doc = {"pipeline": doc}
        doc["roles"] = roles
        return json.dumps(doc, ensure_ascii=False)

    nets["detail"] = [merged(n, d) for n, d in zip(nets["network_id"], nets["detail"])]
    mem["run_id"] = run_id
    nets["run_id"] = run_id
    con.register("_roles_members", mem[["run_id", "network_id", "account_id", "role", "score", "signals", "reason"]])
    con.register("_roles_networks", nets[["run_id", "network_id", "score", "n_accounts", "n_core",
                                          "n_amplifier", "traces", "reason", "detail"]])
    try:
        with store.transaction():
            con.execute(
                """
                DELETE FROM members WHERE run_id = $run AND NOT EXISTS (
                    SELECT 1 FROM _roles_members r
                    WHERE r.network_id = members.network_id AND r.account_id = members.account_id)
                """,
                {"run": run_id},
            )
            con.execute(
                """
                UPDATE members SET role = r.role, score = r.score, signals = CAST(r.signals AS JSON),
                       reason = r.reason
                FROM _roles_members r
                WHERE members.run_id = $run AND members.network_id = r.network_id
                  AND members.account_id = r.account_id
                """,
                {"run": run_id},
            )
            con.execute(
                "DELETE FROM networks WHERE run_id = $run AND network_id NOT IN "
                "(SELECT network_id FROM _roles_networks)",
                {"run": run_id},
            )
            con.execute(
                """
                UPDATE networks SET score = r.score, n_accounts = r.n_accounts, n_core = r.n_core,
                       n_amplifier = r.n_amplifier,
                       traces = CASE WHEN r.traces = '' THEN networks.traces ELSE r.traces END,
                       reason = r.reason, detail = CAST(r.detail AS JSON)
                FROM _roles_networks r
                WHERE networks.run_id = $run AND networks.network_id = r.network_id
                """,
                {"run": run_id},
            )
    finally:
        con.unregister("_roles_members")
        con.unregister("_roles_networks")
