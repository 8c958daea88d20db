"""Naive baselines on simulated worlds: simulate → ingest → baseline → evaluate.

    .venv/bin/python benchmarks/baselines.py --scale small --seeds 1 2 3

Prints a Markdown table (one row per seed and detector) and the time each
step took; docs/benchmarks.md ("Simulator") records a run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from infoops.detect.baselines import naive_coretweet, zero_followers
from infoops.ingest import ingest
from infoops.simulate import evaluate, simulate
from infoops.simulate.evaluation import markdown_header, markdown_row
from infoops.store import Store

DETECTORS = {"naive co-retweet (60 s, ≥3)": naive_coretweet, "zero followers": zero_followers}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--work", type=Path, default=None, help="keep worlds and stores here")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="infoops-baselines-"))
    rows, timings = [], []
    for seed in args.seeds:
        world = work / f"world-{seed}"
        t0 = time.perf_counter()
        summary = simulate(world, seed=seed, scale=args.scale)
        t1 = time.perf_counter()
        with Store(work / f"store-{seed}.duckdb") as store:
            ingest(store, [world])
            t2 = time.perf_counter()
            for name, detector in DETECTORS.items():
                t3 = time.perf_counter()
                r = evaluate(world / "truth.csv", flagged=detector(store))
                timings.append(f"seed {seed} {name}: {time.perf_counter() - t3:.1f} s")
                rows.append(markdown_row(seed, name, r))
        timings.append(
            f"seed {seed}: simulate {summary.n_accounts:,} accounts / {summary.n_posts:,} posts "
            f"{t1 - t0:.1f} s, ingest {t2 - t1:.1f} s"
        )
    print(markdown_header())
    print("\n".join(rows))
    print()
    print("\n".join(timings))
    print(f"(worlds and stores in {work})")


if __name__ == "__main__":
    main()
