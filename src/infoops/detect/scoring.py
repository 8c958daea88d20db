"""Member and network scores in [0, 1], with the reason in words.

The maths is in pure functions of frames (:func:`member_scores`,
:func:`behaviour_shares`, :func:`network_scores`); :func:`score_run` is the
thin shell that reads the signals from the store and writes the reasons.

A member's score combines two kinds of evidence with a noisy-OR (Pearl,
1988, *Probabilistic Reasoning in Intelligent Systems*, §4.3): each piece of
evidence alone can make the account suspicious, and independent pieces
reinforce each other.

* **coordination** ``c = 1 - exp(-k / k0)`` where ``k`` is the number of
  distinct members it has a significant coordination edge with, plus the
  members it amplifies and that amplify it;
* **signals** ``s = 1 - Π (1 - w_i v_i)`` over the account signals
  (:mod:`infoops.detect.signals`) with value ``v_i`` and weight ``w_i``;
* ``score = 1 - (1 - c)(1 - s)``.

A network's score asks what sets an operation apart from an organic crowd
that also coordinates (fans, activists, staff, breaking news — the null model
has already judged coordination itself):

* **account signals** ``S = 1 - Π (1 - w_i share_i)``, the share of members
  each signal flags (creation bursts, no followers, dormancy, hijacking,
  engagement only from inside, office hours);
* **behaviour** ``B = 1 - Π (1 - w_k share_k)``, the share of members showing
  coordination that crowds rarely show: posting near-copies of other
  members' texts (``copied_text``; Keller et al., 2020, co-tweeting),
  posting in the same minute again and again (``synchronized``) and
  coordination on at least three kinds of trace at once (``multi_trace``;
  Pacheco et al., 2021; :data:`TRACE_FAMILY`), and the share of a network's cores that repost another
  core both ways, again and again, counted once at least
  ``min_mutual_cores`` cores do (``mutual_cores``: an operation's
  originators boost each other, IRA-style; an organic community's hubs
  draw engagement from their members, and two organisers boosting each
  other is ordinary). Activity devoted to the network is *not* such evidence:
  an organisation's staff retweeting its account all day and a fandom's
  update accounts are as devoted as an operation's amplifiers. These
  hold for established personas too (the IRA's accounts had real followers
  and no creation bursts), so such operations are scored on behaviour
  rather than punished for ordinary profiles;
* **self-amplification** ``A``: operations boost their own originators,
  many of them (``m`` owned cores among ``n`` members, ``A = min(1, m /
  (full_core_share · n))`` for ``m ≥ 2``) — but authentic communities have
  owned hubs too (fan-update accounts, an organisation's official account),
  so ``A`` only strengthens the other evidence, never replaces it:
  with ``E = 1 - (1 - S)(1 - B)``, ``score = E + (1 - E) · w_A · A · E``.
  Self-amplification alone scores 0.

Reasons list the member's role behaviour, its coordination, then the
signals that fired, strongest first, e.g. "97% of 240 posts are
reposts/replies of 12 network members, median 4 min after the original;
coordinated with 35 members (co-retweet, fast-retweet); created within 3
days of 1,240 other members; 0 followers".
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from infoops.detect.params import RoleParams
from infoops.detect.roles import owned, tied_share
from infoops.detect.signals import REGISTRY, SIGNALS, compute_signals
from infoops.detect.signals.activity import describe_offset, office_shares, rhythm_histograms
from infoops.detect.signals.scope import plural, scope
from infoops.store import Store

#: Words for the share of a network's members showing each behaviour.
BEHAVIOUR_WORDS: dict[str, str] = {
    "copied_text": "post near-copies of other members' texts",
    "synchronized": "post in the same minutes again and again",
    "multi_trace": "coordinate on three or more traces",
    "mutual_cores": "of its cores repost one another, both ways, again and again",
}
#: Distinct traces at which a member counts as coordinating on many traces.
MULTI_TRACES = 3
#: Traces that record one kind of coordination count once towards :data:`MULTI_TRACES`:
#: retweeting, fast-retweeting and replying to the same posts are all engaging with the
#: same posts (an organisation's staff do all three with its account); a shared link and
#: its domain, a hashtag and a hashtag sequence are one act each.
TRACE_FAMILY = {
    "co-retweet": "same posts", "fast-retweet": "same posts", "co-reply": "same posts",
    "co-url": "same links", "co-domain": "same links",
    "co-hashtag": "same hashtags", "hashtag-sequence": "same hashtags",
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


def member_scores(features: pd.DataFrame, signal_values: pd.DataFrame,
                  params: RoleParams) -> pd.DataFrame:
    """Each member's coordination, signal strength and score (module docstring).

    Parameters
    ----------
    features:
        One row per member with ``n_partners``, ``n_amp_targets`` and
        ``n_amplifiers`` (:func:`infoops.detect.roles.role_features`).
    signal_values:
        Same rows, one column per signal in ``params.signal_weights`` holding
        its value in [0, 1] (missing: 0).
    params:
        ``k0`` and ``signal_weights``.

    Returns
    -------
    DataFrame
        ``coordination``, ``signal_strength`` and ``score``, aligned with ``features``.
    """
    survival = np.ones(len(features))
    for name, weight in params.signal_weights.items():
        if name in signal_values:
            survival *= 1.0 - weight * signal_values[name].fillna(0).to_numpy(float)
    k = (features["n_partners"].to_numpy(float) + features["n_amp_targets"].to_numpy(float)
         + features["n_amplifiers"].to_numpy(float))
    coord = 1.0 - np.exp(-k / params.k0)
    sig = 1.0 - survival
    return pd.DataFrame({"coordination": coord, "signal_strength": sig,
                         "score": np.clip(1.0 - (1.0 - coord) * (1.0 - sig), 0.0, 1.0)},
                        index=features.index)


def behaviour_flags(features: pd.DataFrame, params: RoleParams) -> pd.DataFrame:
    """Which members show each behaviour of :data:`BEHAVIOUR_WORDS` (booleans).

    Read from ``behaviour_traces`` when present: near-copies and same
    minutes explained by sharing one link (the link's title, a feed's
    schedule: feed bots, share buttons) are link sharing, not behaviour.
    """
    column = "behaviour_traces" if "behaviour_traces" in features else "traces"
    traces = features[column].fillna("").astype(str)
    n_traces = traces.map(lambda t: len({TRACE_FAMILY.get(x, x) for x in t.split(",") if x}))
    return pd.DataFrame({
        "copied_text": traces.str.contains("text-similarity", regex=False).to_numpy(),
        "synchronized": traces.str.contains("synchronized", regex=False).to_numpy(),
        "multi_trace": (n_traces >= MULTI_TRACES).to_numpy(),
    }, index=features.index)


def mutual_core_flags(features: pd.DataFrame, mutual: pd.DataFrame | None) -> np.ndarray:
    """Which members are cores that repost another core of their network both ways.

    ``mutual`` is :func:`mutual_pairs` (``network_id, a, b``).
    """
    if mutual is None or mutual.empty:
        return np.zeros(len(features), dtype=bool)
    core = features.loc[features["role"] == "core", ["network_id", "account_id"]]
    pairs = mutual.merge(core.rename(columns={"account_id": "a"}), on=["network_id", "a"])
    pairs = pairs.merge(core.rename(columns={"account_id": "b"}), on=["network_id", "b"])
    hit = set(zip(pairs["network_id"], pairs["a"], strict=False))
    return np.array([(n, a) in hit for n, a in zip(features["network_id"], features["account_id"],
                                                     strict=False)], dtype=bool)


def network_scores(features: pd.DataFrame, flagged: pd.DataFrame,
                   params: RoleParams, mutual: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evidence and score of each network (module docstring), one row per network.

    Parameters
    ----------
    features:
        One row per member: :func:`infoops.detect.roles.role_features`
        columns plus ``role``.
    flagged:
        Same rows, one boolean column per signal (whether it flags the member).
    params:
        Weights and thresholds (:class:`infoops.detect.params.RoleParams`).
    mutual:
        Pairs of members reposting each other both ways
        (:func:`mutual_pairs`); ``None``: none.

    Returns
    -------
    DataFrame indexed by ``network_id`` with ``signal_evidence`` (S),
    ``behaviour_evidence`` (B), ``self_amplification`` (A), ``owned_cores``,
    ``score``, ``n_accounts``, ``n_core``, ``n_amplifier``, ``traces``,
    ``profile_coverage`` and one ``share:NAME`` column per signal and
    behaviour.
    """
    net = features["network_id"].to_numpy()
    sig_shares = flagged.astype(float).groupby(net).mean()
    beh = behaviour_flags(features, params)
    beh_shares = beh.astype(float).groupby(net).mean()
    is_core = pd.Series((features["role"] == "core").to_numpy(), index=features.index)
    n_cores = is_core.groupby(net).sum()
    mutual_n = pd.Series(mutual_core_flags(features, mutual), index=features.index).groupby(net).sum()
    beh_shares["mutual_cores"] = np.where(mutual_n >= max(2, params.min_mutual_cores),
                                          mutual_n / n_cores.clip(lower=1), 0.0)
    sw = pd.Series(params.signal_weights)
    sw = sw[[c for c in sw.index if c in sig_shares.columns]]
    bw = pd.Series(params.behaviour_weights)
    signal_part = 1.0 - (1.0 - sig_shares[sw.index] * sw).prod(axis=1)
    behaviour_part = 1.0 - (1.0 - beh_shares[bw.index] * bw).prod(axis=1)
    role = features["role"].to_numpy()
    is_owned_core = (role == "core") & (features["n_amplifiers"].to_numpy() >= 2) & owned(
        features, params.owned_share)
    grouped = features.groupby(net)
    size = grouped.size()
    n_owned = pd.Series(is_owned_core, index=features.index).groupby(net).sum()
    self_amp = pd.Series(np.where(n_owned >= 2,
                                  np.minimum(1.0, n_owned / (params.full_core_share * size)), 0.0),
                         index=size.index)
    evidence = 1.0 - (1.0 - signal_part) * (1.0 - behaviour_part)
    score = evidence + (1.0 - evidence) * params.self_amplification_weight * self_amp * evidence
    profiled = (features["created_at"].notna() | features["followers"].notna()).to_numpy()
    out = pd.DataFrame({
        "signal_evidence": signal_part,
        "behaviour_evidence": behaviour_part,
        "self_amplification": self_amp,
        "owned_cores": n_owned.astype(int),
        "score": score.clip(0.0, 1.0),
        "n_accounts": size.astype(int),
        "n_core": pd.Series(role == "core", index=features.index).groupby(net).sum().astype(int),
        "n_amplifier": pd.Series(role == "amplifier", index=features.index).groupby(net).sum()
        .astype(int),
        "traces": grouped["traces"].agg(
            lambda t: ",".join(sorted({x for v in t for x in str(v).split(",") if x}))),
        "profile_coverage": pd.Series(profiled, index=features.index).groupby(net).mean(),
    })
    for name in sig_shares.columns:
        out[f"share:{name}"] = sig_shares[name]
    for name in beh_shares.columns:
        out[f"share:{name}"] = beh_shares[name]
    out.index.name = "network_id"
    return out


def keep_networks(networks: pd.DataFrame, params: RoleParams) -> tuple[pd.Series, pd.Series]:
    """Which networks are kept, and why each rejected one is not.

    A network is kept with at least ``params.min_members`` members and a
    score of at least ``params.min_network_score``. Returns ``(keep,
    reason)``, both indexed like ``networks``; ``reason`` is empty for kept
    networks.
    """
    small = networks["n_accounts"] < params.min_members
    weak = networks["score"] < params.min_network_score
    keep = ~small & ~weak
    reasons = []
    row: Any  # a named tuple of the networks frame
    for row, is_small, is_weak in zip(networks.itertuples(), small, weak, strict=False):
        if is_small:
            reasons.append(f"{int(row.n_accounts)} member(s) after roles and membership "
                           f"(fewer than {params.min_members})")
        elif is_weak:
            reasons.append(
                f"score {row.score:.2f} below {params.min_network_score:.2f}: account signals "
                f"{row.signal_evidence:.2f}, behaviour {row.behaviour_evidence:.2f}, "
                f"self-amplification {row.self_amplification:.2f}"
                + (" (self-amplification alone flags nothing)"
                   if row.self_amplification > 0 and row.signal_evidence + row.behaviour_evidence == 0
                   else ""))
        else:
            reasons.append("")
    return keep, pd.Series(reasons, index=networks.index)


def score_run(store: Store, features: pd.DataFrame,
              params: RoleParams | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Signals, scores and reasons for the members in ``features`` (one run).

    ``features`` is :func:`infoops.detect.roles.role_features` with a
    ``role`` column. Returns ``(members, networks)``: members with
    ``network_id, account_id, role, score, signals`` (JSON text) and
    ``reason``; networks with ``network_id, score, n_accounts, n_core,
    n_amplifier, traces, reason, detail`` (a dict) and the evidence columns
    of :func:`network_scores`.
    """
    params = params or RoleParams()
    groups = features[["account_id", "network_id"]].rename(columns={"network_id": "group_id"})
    results = compute_signals(store, groups=groups)
    frame = features.reset_index(drop=True).copy()
    key = ["account_id", "network_id"]
    per_signal: dict[str, pd.DataFrame] = {}
    for name, res in results.items():
        res = res.rename(columns={"group_id": "network_id"})
        per_signal[name] = frame[key].merge(res, on=key, how="left")
    values = pd.DataFrame({n: r["value"].to_numpy() for n, r in per_signal.items()})
    flagged = pd.DataFrame({n: r["flagged"].fillna(False).astype(bool).to_numpy()
                            for n, r in per_signal.items()})
    frame[["coordination", "signal_strength", "score"]] = member_scores(frame, values, params)
    frame["signals"], frame["reason"] = _member_documents(frame, per_signal, params)
    networks = network_scores(frame, flagged, params, mutual_pairs(store, frame))
    rhythm = _network_rhythm(store, frame)
    reasons, details = _network_documents(frame, networks, rhythm, params)
    networks["reason"] = reasons
    networks["detail"] = pd.Series(details, index=networks.index, dtype="object")
    members = frame[["network_id", "account_id", "role", "score", "signals", "reason"]].assign(
        signal_strength=frame["signal_strength"])
    return members, networks.reset_index()


def _member_documents(frame: pd.DataFrame, per_signal: dict[str, pd.DataFrame],
                      params: RoleParams) -> tuple[list[str], list[str]]:
    """``members.signals`` JSON and the reason in words, per member."""
    weights = params.signal_weights
    columns = {name: {c: res[c].to_numpy()
                      for c in ("value", "flagged", "evidence", *REGISTRY[name].detail) if c in res}
               for name, res in per_signal.items()}
    order = sorted(SIGNALS, key=lambda n: -weights[n])
    share = tied_share(frame, params.owned_share)
    signals_json, reasons = [], []
    row: Any  # a named tuple of the members frame
    for i, row in enumerate(frame.itertuples(index=False)):
        doc: dict[str, Any] = {}
        fired: list[tuple[float, int, str]] = []
        for name in SIGNALS:
            entry = {c: _jsonable(v[i]) for c, v in columns.get(name, {}).items()}
            doc[name] = entry
            if entry.get("evidence") and (entry.get("flagged") or name == "creation_burst"):
                weight = weights[name] * (entry.get("value") or 0) + (1 if entry.get("flagged") else 0)
                fired.append((-weight, order.index(name), str(entry["evidence"])))
        doc["behaviour"] = {
            c: _jsonable(getattr(row, c))
            for c in ("n_posts", "n_original", "n_authored", "n_amplify", "n_amp_internal",
                      "n_amp_targets", "median_delay", "received", "received_internal",
                      "n_amplifiers", "n_partners", "n_active_partners", "traces",
                      "n_tied", "n_tied_acting")
        }
        doc["behaviour"]["tied_share"] = round(float(share[i]), 4)
        doc["coordination"] = round(float(row.coordination), 4)
        doc["signal_strength"] = round(float(row.signal_strength), 4)
        signals_json.append(json.dumps(doc, ensure_ascii=False))
        parts = [behaviour_reason(row)]
        if row.n_partners:
            parts.append(
                f"coordinated with {plural(row.n_partners, 'member')} ({row.traces.replace(',', ', ')})"
            )
        parts += [ev for *_, ev in sorted(fired)]
        reasons.append("; ".join(parts))
    return signals_json, reasons


def _network_documents(frame: pd.DataFrame, networks: pd.DataFrame,
                       rhythm: dict[str, dict[str, Any]],
                       params: RoleParams) -> tuple[list[str], list[dict[str, Any]]]:
    """Each network's reason in words and its ``detail`` document."""
    coordination = frame.groupby("network_id")["coordination"].mean()
    member_score = frame.groupby("network_id")["score"].mean()
    reasons: list[str] = []
    details: list[dict[str, Any]] = []
    words = {**{n: s.words for n, s in REGISTRY.items()}, **BEHAVIOUR_WORDS}
    for nid, row in networks.iterrows():
        traces = str(row["traces"] or "")
        parts = [
            f"{plural(row['n_accounts'], 'account')} ({int(row['n_core']):,} core, "
            f"{plural(row['n_amplifier'], 'amplifier')})"
            + (f" linked by {traces.replace(',', ', ')}" if traces else "")
        ]
        shares = {c.split(":", 1)[1]: float(row[c]) for c in networks.columns
                  if c.startswith("share:")}
        for name in sorted(shares, key=lambda n: -shares[n]):
            if shares[name] >= 0.1:
                parts.append(f"{shares[name]:.0%} {words[name]}")
        r = rhythm.get(str(nid))
        if r and r["office_share"] >= 0.6:
            parts.append(f"{r['office_share']:.0%} of its posts fall Mon–Fri 09:00–18:00 "
                         f"{describe_offset(r['utc_offset'])}")
        if row["owned_cores"] >= 2:
            parts.insert(1, f"{int(row['owned_cores']):,} cores draw ≥{params.owned_share:.0%} "
                            "of their engagement from the network")
        reasons.append("; ".join(parts))
        details.append({
            "signal_evidence": round(float(row["signal_evidence"]), 4),
            "behaviour_evidence": round(float(row["behaviour_evidence"]), 4),
            "self_amplification": round(float(row["self_amplification"]), 4),
            "owned_cores": int(row["owned_cores"]),
            "profile_coverage": round(float(row["profile_coverage"]), 4),
            "mean_member_score": round(float(member_score.get(nid, 0.0)), 4),
            "signal_shares": {k: round(v, 4) for k, v in shares.items() if k in REGISTRY},
            "behaviour_shares": {k: round(v, 4) for k, v in shares.items()
                                 if k in BEHAVIOUR_WORDS},
            "rhythm": r,
            "mean_coordination": round(float(coordination.get(nid, 0.0)), 4),
        })
    return reasons, details


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
    for g, o, s, w, tot in zip(names, offset, share, weekend, sums.sum(axis=1), strict=False):
        out[g] = {"utc_offset": int(o), "office_share": round(float(s), 4),
                  "weekend_share": round(float(w), 4), "n_posts": int(tot)}
    return out


def mutual_pairs(store: Store, members: pd.DataFrame, min_each_way: int = 2) -> pd.DataFrame:
    """Pairs of ``members`` (``network_id, account_id``) of one network that repost or
    quote each other, both ways.

    One row per ordered pair (``network_id, a, b``; every pair appears as
    ``(a, b)`` and ``(b, a)``) where each of the two reposted or quoted the
    other at least ``min_each_way`` times. Operations' originators boost one
    another (Linvill & Warren, 2020: IRA accounts retweeted each other's posts
    routinely; the June 2020 PRC cores were amplified by other cores as well as
    by amplifiers); an organic community's hubs draw engagement from their
    members without returning it to each other, so repeated two-way
    amplification among a network's cores is behaviour rather than audience.
    Replies do not count (a conversation is not amplification).
    """
    with store.registered("_mutual_members", members[["network_id", "account_id"]]):
        return store.sql(
            """
        WITH m AS (SELECT DISTINCT network_id, account_id FROM _mutual_members),
        amp_1 AS MATERIALIZED (
            SELECT ms.network_id, p.account_id AS src, p.ref_account_id AS dst
            FROM posts p JOIN m ms ON ms.account_id = p.account_id
            WHERE p.kind IN ('retweet', 'quote') AND p.ref_account_id IS NOT NULL
              AND p.ref_account_id <> p.account_id
        ),
        amp AS (
            SELECT a.network_id, a.src, a.dst, count(*) AS n
            FROM amp_1 a JOIN m mt ON mt.account_id = a.dst AND mt.network_id = a.network_id
            GROUP BY ALL HAVING count(*) >= $k
        )
        SELECT x.network_id, x.src AS a, x.dst AS b
        FROM amp x JOIN amp y ON y.network_id = x.network_id AND y.src = x.dst AND y.dst = x.src
        ORDER BY 1, 2, 3
            """,
            {"k": int(min_each_way)},
        )
