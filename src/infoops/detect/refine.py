"""The after-clustering stage: from Leiden's clusters to networks an analyst can act on.

Clustering groups accounts that coordinate; not every such group is an
operation, and not every account in a cluster belongs to it. This stage,
run by :func:`infoops.detect.pipeline.detect` after clustering, decides:

1. **who is a member** — bystanders (accounts the network only touches: a
   celebrity it retweets) and peripheral members are removed
   (:class:`infoops.detect.roles.RoleClassifier`), and so are *outsiders*,
   accounts whose own activity does not tie them to the network
   (:func:`infoops.detect.roles.outsiders`: an ordinary user who agrees with
   the operation, a broadcaster it amplifies), and members whose tie is
   thin and who neither coordinate with much of the network nor carry
   account signals (:func:`infoops.detect.roles.weak_members`);
2. **roles and scores** — core / amplifier, member and network scores
   (:mod:`infoops.detect.scoring`); networks too small or scored below the
   threshold are **rejected**, and kept with the reason in
   ``rejected_networks`` / ``rejected_members`` (an analyst sees near
   misses);
3. **recruitment and merging** — the owned cores and the amplifiers
   clustering missed join the networks (a cluster of amplifiers whose cores
   clustering left out is judged with its cores), teams of one operation
   merge — only networks kept on their own evidence merge, so a crowd never
   joins an operation it agrees with —
   (:mod:`infoops.detect.recruit`, :mod:`infoops.detect.campaigns`),
   then steps 1–2 run again. A network kept before recruitment is never
   lost because of it (if its recruits pull it under the threshold they are
   sent back; a merge of parts that were each kept stays kept);
4. everything is written: members' ``role``, ``score``, ``signals`` and
   ``reason``; networks' ``score``, ``reason``, ``traces``, counts and
   ``detail`` (with the evidence components and, for merges, the parts).

Every threshold is a field of :class:`infoops.detect.params.RoleParams`,
recorded with the run.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from infoops.detect.params import RoleParams
from infoops.detect.roles import (
    RoleClassifier,
    outsiders,
    role_features,
    tied_share,
    weak_members,
)
from infoops.detect.scoring import keep_networks, score_run
from infoops.store import Store

_REMOVED_COLUMNS = ["network_id", "account_id", "role", "score", "reason"]


class _Stage:
    """State of one run's after-clustering stage (see the module docstring)."""

    def __init__(self, store: Store, run_id: str, params: RoleParams) -> None:
        self.store, self.run_id, self.params = store, run_id, params
        self.clf = RoleClassifier.from_params(params)
        self.removed: list[pd.DataFrame] = []
        self.rejected: list[pd.DataFrame] = []

    def judge(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """Membership, roles, scores and the keep decision for the run as it stands."""
        features = role_features(self.store, self.run_id)
        if features.empty:
            return None
        gone = self.clf.fit(features).bystanders(features)
        out = outsiders(features, self.params) & ~gone
        if gone.any() or out.any():
            share = tied_share(features, self.params.owned_share)
            reasons = np.where(
                gone, "bystander: the network only touches it (no coordination of its own)",
                [f"outsider: {s:.0%} of its {int(n):,} posts tie it to the network "
                 f"(needs {self.params.min_member_share:.0%})"
                 for s, n in zip(share, features["n_posts"], strict=False)])
            rows = features.loc[gone | out, ["network_id", "account_id"]].assign(
                role=np.where(gone, "bystander", "outsider")[gone | out], score=np.nan,
                reason=reasons[gone | out])
            self.removed.append(rows[_REMOVED_COLUMNS])
            _delete_members(self.store, self.run_id, rows[["network_id", "account_id"]])
            features = role_features(self.store, self.run_id)
            if features.empty:
                return None
        features["role"] = self.clf.fit_predict(features)
        kept = features[features["role"] != "bystander"].reset_index(drop=True)
        if kept.empty:
            return None
        members, networks = score_run(self.store, kept, self.params)
        weak = weak_members(kept.assign(signal_strength=members["signal_strength"].to_numpy()),
                            self.params)
        if weak.any():
            share = tied_share(kept, self.params.owned_share)
            rows = kept.loc[weak, ["network_id", "account_id"]].assign(
                role="outsider", score=np.nan,
                reason=[f"outsider: {s:.0%} of its {int(n):,} posts tie it to the network, it "
                        f"coordinates with {int(p):,} of its members and shows no account signal"
                        for s, n, p in zip(share[weak], kept.loc[weak, "n_posts"],
                                           kept.loc[weak, "n_partners"], strict=False)])
            self.removed.append(rows[_REMOVED_COLUMNS])
            _delete_members(self.store, self.run_id, rows[["network_id", "account_id"]])
            kept = kept[~weak].reset_index(drop=True)
            if kept.empty:
                return None
            members, networks = score_run(self.store, kept, self.params)
        networks["keep"], networks["reject_reason"] = keep_networks(networks, self.params)
        return members, networks

    def reject(self, members: pd.DataFrame, networks: pd.DataFrame) -> None:
        """Record the networks with ``keep`` false as rejected and delete them from the run."""
        weak = networks[~networks["keep"]]
        if weak.empty:
            return
        self.rejected.append(weak)
        mem = members[members["network_id"].isin(set(weak["network_id"]))]
        self.removed.append(mem.assign(reason="member of a rejected network: " + mem["reason"])
                            [_REMOVED_COLUMNS])
        _delete_networks(self.store, self.run_id, weak["network_id"])


def refine(store: Store, run_id: str, params: RoleParams | None = None) -> dict[str, Any]:
    """Run the after-clustering stage on ``run_id`` (module docstring).

    Returns a summary: networks kept and rejected, accounts removed as
    bystanders / outsiders, recruited, and merges.
    """
    from infoops.detect.campaigns import merge_campaigns
    from infoops.detect.recruit import recruit

    params = params or RoleParams()
    stage = _Stage(store, run_id, params)
    summary: dict[str, Any] = {"recruited": 0, "merged": 0}
    result = stage.judge()
    if result is None:
        _write_removed(store, run_id, stage)
        return {**summary, "kept": 0, "rejected": 0}
    members, networks = result
    merged: dict[str, str] = {}
    if params.recruit or params.merge_similarity is not None:
        before = dict(zip(networks.loc[networks["keep"], "network_id"],
                          networks.loc[networks["keep"], "score"], strict=False))
        recruits = pd.DataFrame(columns=["network_id", "account_id", "kind"])
        if params.recruit:
            recruits, merged = recruit(store, run_id, params, set(before))
        if params.merge_similarity is not None:
            more = merge_campaigns(store, run_id, params.merge_similarity,
                                   {merged.get(n) or n for n in before})
            merged = {old: more.get(new, new) for old, new in merged.items()}
            merged.update(more)
            recruits = recruits.assign(network_id=recruits["network_id"].map(
                lambda n: more.get(n, n)))
        summary["recruited"], summary["merged"] = len(recruits), len(merged)
        if len(recruits) or merged:
            result = stage.judge()
            if result is None:
                _write_removed(store, run_id, stage)
                return {**summary, "kept": 0, "rejected": len(stage.rejected)}
            members, networks = result
            networks = _never_lost(stage, networks, recruits, before, merged)
    if merged:
        for detail, nid in zip(networks["detail"], networks["network_id"], strict=False):
            parts = sorted(old for old, new in merged.items() if new == nid)
            if parts:
                detail["merged"] = parts
    stage.reject(members, networks)
    _write(store, run_id, members, networks[networks["keep"]])
    _write_removed(store, run_id, stage)
    summary.update(kept=int(networks["keep"].sum()),
                   rejected=int(sum(len(r) for r in stage.rejected)),
                   removed=int(sum(len(r) for r in stage.removed)))
    return summary


def _never_lost(stage: _Stage, networks: pd.DataFrame, recruits: pd.DataFrame,
                before: dict[str, float], merged: dict[str, str]) -> pd.DataFrame:
    """Keep every network that was kept before recruitment (module docstring, step 3)."""
    heads = {merged.get(n, n) for n in before}
    flipped = networks[~networks["keep"] & networks["network_id"].isin(heads)]
    if flipped.empty:
        return networks
    back = recruits[recruits["network_id"].isin(set(flipped["network_id"]))]
    if len(back):
        stage.removed.append(back.assign(
            role="recruit", score=np.nan,
            reason="recruit sent back: it pulled a kept network under the threshold")
            [_REMOVED_COLUMNS])
        _delete_members(stage.store, stage.run_id, back[["network_id", "account_id"]])
        result = stage.judge()
        if result is None:
            return networks.iloc[0:0]
        _, networks = result
    still = ~networks["keep"] & networks["network_id"].isin(heads)
    networks.loc[still, "keep"] = True
    networks.loc[still, "reject_reason"] = ""
    for detail in networks.loc[still, "detail"]:
        detail["kept_because"] = "each part was kept before recruitment and merging"
    return networks


def _delete_networks(store: Store, run_id: str, network_ids: pd.Series) -> None:
    if network_ids.empty:
        return
    weak = pd.DataFrame({"network_id": list(network_ids)}, dtype="object")
    with store.registered("_refine_weak", weak), store.transaction():
        for table in ("members", "networks"):
            store.execute(
                f"DELETE FROM {table} WHERE run_id = $run AND network_id IN "
                "(SELECT network_id FROM _refine_weak)",
                {"run": run_id},
            )


def _delete_members(store: Store, run_id: str, rows: pd.DataFrame) -> None:
    with store.registered("_refine_gone", rows), store.transaction():
        store.execute(
            "DELETE FROM members WHERE run_id = $run AND EXISTS (SELECT 1 FROM _refine_gone g "
            "WHERE g.network_id = members.network_id AND g.account_id = members.account_id)",
            {"run": run_id},
        )


def _detail_json(old: object, extra: dict[str, Any]) -> str:
    try:
        doc = json.loads(old) if isinstance(old, str) and old else (old or {})
    except ValueError:
        doc = {"pipeline": old}
    if not isinstance(doc, dict):
        doc = {"pipeline": doc}
    doc["roles"] = extra
    return json.dumps(doc, ensure_ascii=False)


def _write(store: Store, run_id: str, members: pd.DataFrame, networks: pd.DataFrame) -> None:
    """Write roles, scores and reasons of the kept networks; delete everything else."""
    kept_ids = set(networks["network_id"])
    mem = members[members["network_id"].isin(kept_ids)].assign(run_id=run_id)
    old = store.sql("SELECT network_id, detail FROM networks WHERE run_id = $run", {"run": run_id})
    old_detail = dict(zip(old["network_id"], old["detail"], strict=False))
    nets = networks.assign(
        run_id=run_id,
        detail=[_detail_json(old_detail.get(n), d)
                for n, d in zip(networks["network_id"], networks["detail"], strict=False)])
    con = store.con
    with store.registered("_roles_members", mem[["run_id", "network_id", "account_id", "role",
                                                 "score", "signals", "reason"]]), \
            store.registered("_roles_networks", nets[["run_id", "network_id", "score",
                                                      "n_accounts", "n_core", "n_amplifier",
                                                      "traces", "reason", "detail"]]), \
            store.transaction():
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


def _write_removed(store: Store, run_id: str, stage: _Stage) -> None:
    """Store the rejected networks and the accounts removed from networks, with reasons."""
    rows = []
    r: Any  # a named tuple of a rejected-networks frame
    for frame in stage.rejected:
        for r in frame.itertuples(index=False):
            detail = dict(r.detail) if isinstance(r.detail, dict) else {}
            detail["network_reason"] = r.reason
            rows.append((run_id, r.network_id, float(r.score), int(r.n_accounts), r.traces,
                         r.reject_reason, json.dumps(detail, ensure_ascii=False)))
    removed = (pd.concat(stage.removed, ignore_index=True) if stage.removed
               else pd.DataFrame(columns=_REMOVED_COLUMNS))
    removed = removed.drop_duplicates(["network_id", "account_id"], keep="last")
    with store.registered("_refine_removed", removed.assign(run_id=run_id)), \
            store.transaction():
        if rows:
            store.con.executemany(
                "INSERT INTO rejected_networks VALUES (?, ?, ?, ?, ?, ?, CAST(? AS JSON))", rows)
        if len(removed):
            store.execute(
                "INSERT INTO rejected_members SELECT run_id, network_id, account_id, role, "
                "CAST(score AS DOUBLE), reason FROM _refine_removed")
