"""Reliability of the network score on zoo worlds: of the networks scored s, how many are operations?

    .venv/bin/python benchmarks/zoo.py --set tune --scales tiny,small --work zoo-work
    .venv/bin/python benchmarks/calibration.py --work zoo-work [--bins 10]

Reads every store the zoo harness left in ``--work`` (its latest completed
detect run), takes every network the run judged — the kept ones
(``networks``) and the rejected ones (``rejected_networks``) — and labels
each by its members' truth: an *operation* network when most of its
members belong to one operation, else *authentic*. Prints, per score bin,
how many networks fell in it and which share were operations (a
reliability diagram as a table; DeGroot & Fienberg, 1983), and for each
candidate threshold the precision and recall at network level, so the
threshold can be read off the zoo instead of guessed. Networks of fewer
than ``--min-size`` members are left out (the rejection of tiny clusters is
a separate rule).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from infoops.store import Store


def judged_networks(work: Path, min_size: int = 3) -> pd.DataFrame:
    """``world, network_id, score, n, op_share, kept`` for every judged network in ``work``."""
    rows = []
    for db in sorted(work.glob("*.duckdb")):
        truth_path = db.with_suffix("") / "truth.csv"
        if not truth_path.exists():
            continue
        truth = pd.read_csv(truth_path, dtype=str).fillna("")
        is_op = dict(zip(truth["userid"], ~truth["operation"].isin(["", "none"]), strict=False))
        op_of = dict(zip(truth["userid"], truth["operation"], strict=False))
        with Store(db, read_only=True) as store:
            try:
                run = store.latest_detect_run()
            except Exception:
                continue
            for table, members, kept, roles in (
                ("networks", "members", True, None),
                ("rejected_networks", "rejected_members", False,
                 "role NOT IN ('bystander', 'outsider', 'recruit')"),
            ):
                nets = store.sql(f"SELECT network_id, score FROM {table} WHERE run_id = $r",
                                 {"r": run})
                mem = store.sql(
                    f"SELECT network_id, account_id FROM {members} WHERE run_id = $r"
                    + (f" AND {roles}" if roles else ""), {"r": run})
                for nid, score in zip(nets["network_id"], nets["score"], strict=False):
                    accs = mem.loc[mem["network_id"] == nid, "account_id"]
                    if len(accs) < min_size:
                        continue
                    ops = pd.Series([op_of.get(a, "") for a in accs])
                    share = float(np.mean([is_op.get(a, False) for a in accs]))
                    top = ops[ops.ne("") & ops.ne("none")].value_counts()
                    rows.append({"world": db.stem, "network_id": nid, "score": float(score or 0.0),
                                 "n": len(accs), "op_share": share, "kept": kept,
                                 "operation": top.index[0] if len(top) else ""})
    return pd.DataFrame(rows)


def reliability(frame: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Per score bin: networks, operation networks (op_share > 0.5) and their share."""
    edges = np.linspace(0, 1, bins + 1)
    frame = frame.assign(is_op=frame["op_share"] > 0.5,
                         bin=pd.cut(frame["score"], edges, include_lowest=True))
    out = frame.groupby("bin", observed=False).agg(networks=("score", "size"),
                                                   operations=("is_op", "sum"))
    out["share_operations"] = (out["operations"] / out["networks"].where(out["networks"] > 0)).round(3)
    return out


def thresholds(frame: pd.DataFrame, candidates: list[float]) -> pd.DataFrame:
    """Network-level precision and recall if the threshold were each candidate."""
    is_op = frame["op_share"] > 0.5
    rows = []
    for t in candidates:
        kept = frame["score"] >= t
        tp = int((kept & is_op).sum())
        rows.append({"threshold": t, "kept": int(kept.sum()), "operations_kept": tp,
                     "precision": round(tp / max(int(kept.sum()), 1), 3),
                     "recall": round(tp / max(int(is_op.sum()), 1), 3)})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("zoo-work"))
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--min-size", type=int, default=3)
    args = ap.parse_args()
    frame = judged_networks(args.work, args.min_size)
    if frame.empty:
        raise SystemExit(f"no judged networks under {args.work}; run benchmarks/zoo.py first")
    print(f"{len(frame)} networks judged in {frame['world'].nunique()} worlds "
          f"({int((frame['op_share'] > 0.5).sum())} operation networks)\n")
    print(reliability(frame, args.bins).to_string())
    print()
    print(thresholds(frame, [0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7]).to_string(index=False))
    authentic_high = frame[(frame["op_share"] <= 0.5) & (frame["score"] >= 0.3)]
    if len(authentic_high):
        print("\nauthentic networks scored >= 0.3:")
        print(authentic_high.sort_values("score", ascending=False).to_string(index=False))


if __name__ == "__main__":
    main()
