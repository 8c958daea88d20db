"""Start-up time of the command line, against the interpreter's own and DuckDB's import.

Each command runs ``--repeat`` times, the commands interleaved so that load on
a shared machine hits all of them alike; the table gives the median and the
ratio to ``python -c pass`` measured in the same run.

    python benchmarks/cli_startup.py --repeat 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--before", metavar="SRC",
                    help="another checkout's src/ folder: its --help and status are timed too")
    args = ap.parse_args(argv)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "s.duckdb")
        subprocess.run([py, "-c", f"from infoops.store import Store; Store({db!r}).close()"], check=True)
        cmds = {
            "python -c pass": [py, "-c", "pass"],
            "python -c 'import duckdb'": [py, "-c", "import duckdb"],
            "infoops --help": [py, "-m", "infoops", "--help"],
            "infoops status (empty store)": [py, "-m", "infoops", "status", "--db", db],
        }
        envs: dict[str, dict[str, str] | None] = dict.fromkeys(cmds)
        if args.before:
            before = {**os.environ, "PYTHONPATH": str(Path(args.before).resolve())}
            for name in ("infoops --help", "infoops status (empty store)"):
                cmds[f"{name}, before"] = cmds[name]
                envs[f"{name}, before"] = before
        times: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(args.repeat):
            for name, cmd in cmds.items():
                times[name].append(_timed(cmd, envs[name]))
    base = statistics.median(times["python -c pass"])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) at the end: {load:.2f}; {args.repeat} runs each, interleaved\n")
    print("| command | median s | min s | vs python -c pass |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| {name} | {med:.3f} | {min(ts):.3f} | {med / base:.1f}× |")


if __name__ == "__main__":
    main()
