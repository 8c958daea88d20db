"""Detection over the world zoo: worst case and distribution, not the mean.

    .venv/bin/python benchmarks/zoo.py --set tune --scales tiny,small --work zoo-work --jobs 2
    .venv/bin/python benchmarks/zoo.py --seeds 900 901 902 --scales medium --work zoo-work

For each seed and scale: ``infoops simulate --zoo`` (worlds cached under
``--work`` and reused), ingest (the store is cached too), ``detect`` (always
re-run, so a changed detector is measured), ``evaluate``. Prints a Markdown
table per world (worst precision first), the worst case and quantiles of
every metric, and the worst case per family. ``--set tune`` (seeds 100–129)
is for choosing rules; ``--set holdout`` (500–529) is for reporting, on
worlds nobody tuned on. ``--json FILE`` keeps every row.

From Python::

    from benchmarks.zoo import run_world       # or infoops.simulate.zoo_bench
    row = run_world(100, "tiny", "zoo-work")   # dict of metrics for one world
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from infoops.simulate.zoo_bench import (
    SEED_SETS,
    by_family,
    family_table,
    run_world,
    summarize,
    summary_table,
    worlds_table,
)

__all__ = ["main", "run_world"]


def _one(job: tuple[int, str, str]) -> dict[str, Any]:
    seed, scale, work = job
    try:
        return run_world(seed, scale, work)
    except Exception as exc:
        return {"seed": seed, "scale": scale, "error": f"{type(exc).__name__}: {exc}"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", dest="seed_set", choices=sorted(SEED_SETS), default="tune")
    ap.add_argument("--seeds", type=int, nargs="+", help="seeds to run (instead of --set)")
    ap.add_argument("--scales", default="tiny,small", help="comma-separated: tiny,small,medium")
    ap.add_argument("--work", type=Path, default=Path("zoo-work"),
                    help="folder for cached worlds and stores (default: zoo-work)")
    ap.add_argument("--jobs", type=int, default=1, help="worlds run in parallel")
    ap.add_argument("--json", type=Path, help="write every world's row to this JSON file")
    args = ap.parse_args(argv)
    seeds = args.seeds or SEED_SETS[args.seed_set]
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    jobs = [(seed, scale, str(args.work)) for scale in scales for seed in seeds]
    t0 = time.perf_counter()
    rows: list[dict[str, Any]] = []
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            for row in pool.map(_one, jobs):
                rows.append(row)
                _progress(row)
    else:
        for job in jobs:
            rows.append(_one(job))
            _progress(rows[-1])
    ok = [r for r in rows if "error" not in r]
    failed = [r for r in rows if "error" in r]
    for scale in scales:
        part = [r for r in ok if r["scale"] == scale]
        if not part:
            continue
        print(f"\n## {scale}: {len(part)} worlds "
              f"(seeds {min(r['seed'] for r in part)}–{max(r['seed'] for r in part)})\n")
        print("Worst case and distribution (for 'lower is better' metrics the q-columns "
              "are the upper quantiles: q10 = the value 10 % of worlds exceed):\n")
        print(summary_table(summarize(part)))
        print("\nWorst case per family:\n")
        print(family_table(by_family(part)))
        print("\nEvery world, worst precision first:\n")
        print(worlds_table(part))
    for r in failed:
        print(f"\nFAILED {r['scale']}-{r['seed']}: {r['error']}")
    total = sum(r.get("simulate_s", 0) + r.get("ingest_s", 0) + r.get("detect_s", 0) for r in ok)
    print(f"\n{len(ok)} worlds in {time.perf_counter() - t0:.0f} s wall ({total:.0f} s of work; "
          f"jobs {args.jobs}; worlds and stores in {args.work})")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 1 if failed else 0


def _progress(row: dict[str, Any]) -> None:
    if "error" in row:
        msg = f"{row['scale']}-{row['seed']}: FAILED {row['error']}"
    else:
        msg = (f"{row['scale']}-{row['seed']}: P {row['precision']:.3f} R {row['recall']:.3f} "
               f"min-op {row['min_op_recall']:.3f} worst group {row['worst_group']} "
               f"{100 * row['worst_group_share']:.0f}% (simulate {row['simulate_s']} s, ingest "
               f"{row['ingest_s']} s, detect {row['detect_s']} s)")
    print(msg, file=sys.stderr, flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
