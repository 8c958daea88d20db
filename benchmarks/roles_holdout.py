"""Whole-system accuracy on held-out simulated worlds, with the naive baselines.

    .venv/bin/python benchmarks/roles_holdout.py --scale small --seeds 11 12 13

simulate → ingest → ``detect`` (traces, null model, clustering, then roles,
recruitment, campaign merging and scoring from :mod:`infoops.detect.roles`)
→ ``evaluate``; the same store is also scored with the two naive baselines
of :mod:`infoops.detect.baselines`. Role assignment was tuned on seeds 1–3
only; the default seeds here were never used for tuning. Prints a Markdown
table (one row per seed and detector), per-operation recall, hard negatives
flagged, and the time of each step. docs/signals.md records a run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from infoops.detect.baselines import naive_coretweet, zero_followers
from infoops.detect.pipeline import detect
from infoops.ingest import ingest
from infoops.simulate import evaluate, simulate
from infoops.simulate.config import VARIANTS
from infoops.simulate.evaluation import markdown_header, markdown_row
from infoops.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small")
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    ap.add_argument("--variant", default="standard", choices=VARIANTS,
                    help="tactics of the PRC-like operation (see infoops simulate --variant)")
    ap.add_argument("--work", type=Path, default=None, help="keep worlds and stores here")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse a world and ingested store already in --work (detect again)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="infoops-holdout-"))
    rows, timings = [], []
    for seed in args.seeds:
        world = work / f"world-{seed}"
        db = work / f"store-{seed}.duckdb"
        reuse = args.reuse and (world / "truth.csv").exists() and db.exists()
        t0 = time.perf_counter()
        if not reuse:
            simulate(world, seed=seed, scale=args.scale, variant=args.variant)
        t1 = time.perf_counter()
        with Store(db) as store:
            if not reuse or store.count("posts") == 0:
                ingest(store, [world])
            t2 = time.perf_counter()
            n_accounts, n_posts = store.count("accounts"), store.count("posts")
            run = detect(store, seed=0)
            t3 = time.perf_counter()
            rows.append(markdown_row(seed, "infoops detect", evaluate(world / "truth.csv", store=store, run_id=run)))
            for name, detector in (("naive co-retweet", naive_coretweet), ("zero followers", zero_followers)):
                rows.append(markdown_row(seed, name, evaluate(world / "truth.csv", flagged=detector(store))))
        timings.append(
            f"seed {seed}: {n_accounts:,} accounts / {n_posts:,} posts; simulate "
            f"{t1 - t0:.0f} s, ingest {t2 - t1:.0f} s, detect (incl. roles) {t3 - t2:.0f} s"
        )
    print(markdown_header())
    print("\n".join(rows))
    print()
    print("\n".join(timings))
    print(f"(worlds and stores in {work})")


if __name__ == "__main__":
    main()
