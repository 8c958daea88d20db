"""`make demo`: the whole job on the built-in simulated world.

simulate a small world (fixed seed) -> ingest it -> detect -> write the flagged
accounts and the HTML report -> score against the world's truth.

Run as ``python -m infoops.demo --out DIR [--seed N] [--scale small]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from infoops.errors import InfoopsError


def run_demo(out: Path, seed: int = 7, scale: str = "small") -> dict[str, Path]:
    """Run every stage on a fresh simulated world in ``out``; return the files written."""
    from infoops.detect.pipeline import detect
    from infoops.export.flagged import write_flagged
    from infoops.ingest import ingest
    from infoops.report import write_report
    from infoops.simulate import evaluate, format_evaluation, simulate
    from infoops.store import Store

    out.mkdir(parents=True, exist_ok=True)
    world = out / "world"
    db = out / "demo.duckdb"
    for stale in (db, Path(str(db) + ".wal")):
        stale.unlink(missing_ok=True)

    def step(msg: str) -> float:
        print(f"[demo] {msg}", flush=True)
        return time.perf_counter()

    t = step(f"simulating a {scale} world (seed {seed}) into {world}")
    simulate(world, seed=seed, scale=scale)
    print(f"       {time.perf_counter() - t:.1f}s")
    with Store(db) as store:
        t = step(f"ingesting it into {db}")
        # truth.csv stays out of the store: detection never sees the labels.
        sources = [world / "users.csv", world / "tweets.csv", world / "profile_changes.csv"]
        result = ingest(store, sources)
        print(
            f"       read {result.rows_read:,} = stored {result.rows_stored:,} + quarantined "
            f"{result.rows_quarantined:,} + duplicates {result.rows_duplicate:,} "
            f"({time.perf_counter() - t:.1f}s)"
        )
        t = step("detecting coordination networks")
        run_id = detect(store, seed=seed)
        print(f"       run {run_id} ({time.perf_counter() - t:.1f}s)")
        flagged = out / "flagged.csv"
        write_flagged(store, run_id, flagged)
        t = step("writing the report")
        report = write_report(store, out / "report.html", run_id=run_id, seed=seed)
        print(f"       {time.perf_counter() - t:.1f}s")
    print("[demo] scoring the flagged accounts against the simulator's truth")
    print(format_evaluation(evaluate(world / "truth.csv", flagged=flagged)))
    print(f"\nReport:  {report.resolve()}")
    print(f"Flagged: {flagged.resolve()}")
    print(f"Store:   {db.resolve()}  (try: .venv/bin/infoops status --db {db})")
    return {"report": report, "flagged": flagged, "db": db, "world": world}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infoops.demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"])
    args = parser.parse_args(argv)
    try:
        run_demo(args.out, seed=args.seed, scale=args.scale)
    except InfoopsError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
