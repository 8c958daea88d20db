"""Full ``detect`` on an ingested world: wall time, peak memory, per-trace seconds.

Usage::

    .venv/bin/infoops simulate --out world --seed 11 --scale medium
    .venv/bin/infoops ingest world --db world.duckdb
    .venv/bin/python benchmarks/detect_scale.py --db world.duckdb [--truth world/truth.csv]

With ``--truth`` it also prints ``infoops evaluate``'s scores (the truth file is
read only by the evaluation, never by detection).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cnt_helpers import PeakMemory

from infoops.detect.pipeline import detect, run_summary
from infoops.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--truth", help="truth.csv of a simulated world, for evaluation only")
    args = ap.parse_args()
    stages: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    with Store(args.db) as store:
        posts = store.count("posts")
        with PeakMemory() as mem:
            run_id = detect(store, seed=args.seed,
                            progress=lambda m: stages.append((m, time.perf_counter() - t0)))
        wall = time.perf_counter() - t0
        summary = run_summary(store, run_id)
    out = {
        "db": args.db, "posts": posts, "run_id": run_id, "seconds": round(wall, 1),
        "peak_rss_mib": round(mem.peak), "networks": summary.get("networks"),
        "accounts": summary.get("accounts"),
        "trace_seconds": {k: v["seconds"] for k, v in summary["traces"].items()},
        "trace_edges": {k: [v["pairs"], v["tested"], v["significant"]]
                        for k, v in summary["traces"].items()},
        "stages": [(m, round(t, 1)) for m, t in stages],
    }
    print(json.dumps(out, indent=2))
    if args.truth:
        from click.testing import CliRunner

        from infoops.cli import cli

        res = CliRunner().invoke(cli, ["evaluate", "--truth", args.truth, "--db", args.db])
        print(res.output)


if __name__ == "__main__":
    main()
