"""A tweets CSV with broken rows, to compare quarantine before and after a change.

Takes the first ROWS records of a clean IO-archive tweets file (one line
each, as the simulator writes them) and breaks about 1 in 55 of them, each
in one of nine ways: a bad timestamp, a list cut short, invalid UTF-8, a
blank line before it, a stray quote, a negative count, an exact duplicate,
a NUL byte, too few fields. Seeded, so both code versions read the same file.

    .venv/bin/python benchmarks/dirty_tweets.py world/tweets.csv dirty/tweets.csv --rows 30000
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path


def dirty(src: Path, dest: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with src.open("rb") as f:
        lines = [f.readline().rstrip(b"\n") for _ in range(rows + 1)]
    out = [lines[0]]
    for line in lines[1:]:
        r = rng.random()
        if r < 0.002:
            line = line.replace(b"2020-", b"20x0-", 1)
        elif r < 0.004:
            line = line.replace(b",[]", b",['a',", 1)
        elif r < 0.006:
            line = line + b"\xff\xfe"
        elif r < 0.008:
            out.append(b"")
        elif r < 0.010:
            line = line.replace(b",", b',"', 1)
        elif r < 0.012:
            line = line.replace(b",0,", b",-3,", 1)
        elif r < 0.014:
            out.append(line)
        elif r < 0.016:
            line = line.replace(b",", b",\x00", 1)
        elif r < 0.018:
            line = line.rsplit(b",", 3)[0]
        out.append(line)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(b"\n".join(out))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--rows", type=int, default=30_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    dirty(a.src, a.dest, a.rows, a.seed)
