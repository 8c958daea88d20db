"""The network layer alone: what clustering hands to the roles stage.

Runs ``detect(..., roles=False)`` on a copy of an ingested simulated world
(traces, null model, fusion, Leiden, nothing after), then labels each cluster
with the truth group most of its members belong to, and prints, per group,
how many clusters it dominates and how many of its accounts sit in any
cluster. The truth file is read only here, after detection.

Usage::

    .venv/bin/python benchmarks/network_layer.py --db world.duckdb --truth world/truth.csv
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from infoops.detect.pipeline import detect
from infoops.simulate.evaluation import HARD_NEGATIVE_GROUPS
from infoops.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="an ingested world (not modified)")
    ap.add_argument("--truth", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.duckdb"
        shutil.copy(args.db, copy)
        with Store(copy) as store:
            run = detect(store, seed=args.seed, roles=False)
            members = store.sql("SELECT network_id, account_id FROM members WHERE run_id = ?", [run])
    truth = pd.read_csv(args.truth, dtype=str)
    m = members.merge(truth, left_on="account_id", right_on="userid", how="left")
    m["group"] = m["group"].fillna("(not in truth)")
    top = m.groupby("network_id")["group"].agg(lambda g: g.value_counts().index[0])
    sizes = truth["group"].value_counts()
    rows = []
    for group in sorted(set(truth["group"]) | set(top)):
        rows.append({
            "group": group,
            "clusters led": int((top == group).sum()),
            "accounts in a cluster": int((m["group"] == group).sum()),
            "accounts": int(sizes.get(group, 0)),
            "hard negative": group in HARD_NEGATIVE_GROUPS,
        })
    print(f"{members['network_id'].nunique()} clusters, {len(members)} accounts")
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for r in rows:
        print("| " + " | ".join(str(v) for v in r.values()) + " |")


if __name__ == "__main__":
    main()
