"""Co-retweet: infoops vs coordination-network-toolkit 1.5.2, side by side.

Checks that both produce the same undirected pair set for the same window and
times both. CNT's network is directed (``weight`` = distinct retweets of
user_1 with a partner) and contains self-loops; we compare its pair set
with self-loops dropped. Our weight is the number of distinct retweeted
posts (CooRTweet's definition), so weights are compared only as a count of
pairs where they differ.

Usage::

    .venv/bin/python benchmarks/coretweet_vs_cnt.py                     # CooRTweet sample
    .venv/bin/python benchmarks/coretweet_vs_cnt.py --db world.duckdb   # an ingested world

Needs the ``bench`` extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cnt_helpers import PeakMemory, cnt_load, cnt_pairs

from infoops.detect.trace_edges import raw_edges
from infoops.store import Store

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "coortweet" / "russian_coord_tweets.csv"


def load_sample(tmp: Path) -> Path:
    """Ingest the CooRTweet sample into a fresh store with infoops' own ingest."""
    from infoops.ingest import ingest

    db = tmp / "coortweet.duckdb"
    with Store(db) as s:
        ingest(s, SAMPLE, format="coortweet")
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", help="an ingested store (default: the CooRTweet sample)")
    ap.add_argument("--window", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=2, help="CNT worker processes")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        db = Path(args.db) if args.db else load_sample(tmp)
        with Store(db, read_only=True) as s:
            s.con.execute("SELECT 1").fetchall()
            n_rt = s.con.execute("SELECT count(*) FROM posts WHERE kind = 'retweet'").fetchall()[0][0]
            t_ours = float("inf")
            with PeakMemory() as mem_ours:
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    ours = raw_edges(s, "co-retweet", args.window, 1, max_burst=0)
                    t_ours = min(t_ours, time.perf_counter() - t)
            rows = s.con.execute(
                "SELECT post_id, account_id, ref_post_id, epoch(created_at) FROM posts "
                "WHERE kind = 'retweet' AND ref_post_id IS NOT NULL AND created_at IS NOT NULL"
            ).fetchall()
        cnt_db = str(tmp / "cnt.sqlite")
        t = time.perf_counter()
        cnt_load(cnt_db, ((m, u, r, None, None, ts, None) for m, u, r, ts in rows))
        t_load = time.perf_counter() - t
        from coordination_network_toolkit.compute_networks import compute_co_retweet_parallel

        t_cnt = float("inf")
        with PeakMemory() as mem_cnt, contextlib.redirect_stdout(io.StringIO()):
            for _ in range(args.repeat):
                t = time.perf_counter()
                compute_co_retweet_parallel(cnt_db, args.window, n_threads=args.threads,
                                            min_edge_weight=1)
                t_cnt = min(t_cnt, time.perf_counter() - t)
        theirs = cnt_pairs(cnt_db, "co_retweet_network")
    mine = {(a, b): int(w) for a, b, w in
            zip(ours["account_a"], ours["account_b"], ours["weight"], strict=False)}
    only_ours = set(mine) - set(theirs)
    only_cnt = set(theirs) - set(mine)
    diff_w = sum(1 for k in set(mine) & set(theirs) if mine[k] != theirs[k])
    print(json.dumps({
        "data": str(args.db or "../shared/data/coortweet/russian_coord_tweets.csv"),
        "retweets": n_rt, "window_s": args.window, "repeat": args.repeat,
        "pairs_infoops": len(mine), "pairs_cnt": len(theirs),
        "only_infoops": len(only_ours), "only_cnt": len(only_cnt),
        "same_pair_set": not only_ours and not only_cnt,
        "pairs_with_different_weight": diff_w,
        "seconds_infoops": round(t_ours, 3), "seconds_cnt": round(t_cnt, 3),
        "seconds_cnt_preprocess": round(t_load, 3),
        "speedup": round(t_cnt / t_ours, 2) if t_ours else None,
        "peak_rss_mib_infoops": round(mem_ours.peak), "peak_rss_mib_cnt": round(mem_cnt.peak),
    }, indent=2))


if __name__ == "__main__":
    main()
