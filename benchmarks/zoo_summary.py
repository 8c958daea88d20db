"""Summarise zoo runs by what decides them: which operations are found, and at what price.

Reads the JSON files ``benchmarks/zoo.py --json`` writes and prints one
Markdown table per file and scale: precision over the worlds that flag
anything (a world that flags nothing has no precision, and the zoo table's
0 for it hides the worst real one), pooled precision and recall, the worst
hard-negative group, and operations found (recall ≥ 0.9) or missed (< 0.1),
split by whether the operation uses established personas (ordinary
followers, no creation bursts; issue #11, case 5) — the split that explains
most of the misses.

    python benchmarks/zoo_summary.py tune.json holdout.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _ops(rows: list[dict[str, Any]], established: bool | None) -> tuple[int, int, int]:
    rec = [
        v["recall"]
        for r in rows
        for v in r["operations"].values()
        if established is None or ("established_personas" in v["traits"]) == established
    ]
    return len(rec), sum(x >= 0.9 for x in rec), sum(x < 0.1 for x in rec)


def summary_row(name: str, rows: list[dict[str, Any]]) -> str:
    flagging = [r for r in rows if r["n_flagged"]]
    worst = min(flagging, key=lambda r: (r["precision"], r["seed"])) if flagging else None
    tp = sum(round(r["precision"] * r["n_flagged"]) for r in rows)
    flagged = sum(r["n_flagged"] for r in rows)
    ops = sum(r["n_operation_accounts"] for r in rows)
    hn = max(rows, key=lambda r: (r["worst_group_share"], -r["seed"]))
    cells = [
        name,
        f"{len(flagging)} / {len(rows)}",
        f"{worst['precision']:.3f} ({worst['scale']}-{worst['seed']})" if worst else "–",
        f"{tp / flagged:.4f}" if flagged else "–",
        f"{tp / ops:.3f}" if ops else "–",
        f"{hn['worst_group_share']:.1%} ({hn['worst_group']}, {hn['scale']}-{hn['seed']})",
    ]
    for est in (None, False, True):
        n, found, missed = _ops(rows, est)
        cells.append(f"{n} / {found} / {missed}")
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("json", nargs="+", type=Path, help="files written by benchmarks/zoo.py --json")
    args = ap.parse_args(argv)
    print("| set | worlds flagging | worst P of those | pooled P | pooled R | worst hard negative "
          "| ops: all (n / found / missed) | not established | established personas |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path in args.json:
        rows = json.loads(path.read_text())
        for scale in sorted({r["scale"] for r in rows}, key=["tiny", "small", "medium"].index):
            print(summary_row(f"{path.stem} {scale}", [r for r in rows if r["scale"] == scale]))


if __name__ == "__main__":
    main()
