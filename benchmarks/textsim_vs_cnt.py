"""Near-duplicate text: infoops text-similarity vs CNT ``co_similar_tweet``.

Takes a seeded random sample of N non-retweet posts from an ingested store,
puts it in a fresh store and in a CNT database, and runs both with the same
time window. CNT compares every pair of posts within the window with a
word-token Jaccard similarity (default threshold 0.9) in Python; infoops uses
character 4-shingles, MinHash/LSH and an exact check at Jaccard >= 0.7.

Recall is measured on CNT's own pairs: of the account pairs CNT links (self
loops dropped), the share infoops also links. Pairs only infoops finds are
counted and, for a random sample of them, checked by brute force (the two
accounts really posted texts with character-shingle Jaccard >= 0.7 within
the window).

Usage::

    .venv/bin/python benchmarks/textsim_vs_cnt.py --db world.duckdb --posts 200000 --window 600
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cnt_helpers import PeakMemory, cnt_load, cnt_pairs

from infoops.detect.params import TextParams
from infoops.detect.textsim import CJK_RANGES, normalize
from infoops.detect.trace_edges import raw_edges
from infoops.store import Store

COLS = "post_id, account_id, created_at, kind, text"


def _cjk(ch: str) -> bool:
    c = ord(ch)
    return any(lo <= c <= hi for lo, hi in CJK_RANGES)


def _shingles(text: str, k: int) -> set[str]:
    """k-grams without CJK characters plus each CJK character (infoops' definition)."""
    grams = {text[i:i + k] for i in range(len(text) - k + 1)
             if not any(_cjk(c) for c in text[i:i + k])}
    return grams | {c for c in text if _cjk(c)}


def check_pair(posts: dict[str, list[tuple[float, str]]], a: str, b: str, window: float,
               tp: TextParams) -> bool:
    """Brute force: did ``a`` and ``b`` post near-duplicate texts within the window?

    Direct pairs only: infoops links texts through chains of near-duplicates
    (connected components), so some of its pairs are near-duplicates only
    through a third text; those count as unconfirmed here.
    """
    for ta, xa in posts.get(a, []):
        for tb, xb in posts.get(b, []):
            if abs(ta - tb) > window or min(len(xa), len(xb)) < tp.min_chars:
                continue
            sa, sb = _shingles(xa, tp.shingle), _shingles(xb, tp.shingle)
            if len(sa & sb) / len(sa | sb) >= tp.threshold:
                return True
    return False


def explain_misses(rows, missed, args, tp, limit: int = 40) -> list[dict]:
    """For a sample of missed CNT pairs: their most similar posts within the window,
    with CNT's word-set similarity and our character-shingle Jaccard."""
    from coordination_network_toolkit.similarity import similarity, tokenize

    by_acc: dict[str, list[tuple[float, str]]] = {}
    for _p, a, x, ts in rows:
        by_acc.setdefault(a, []).append((ts, x))
    out = []
    for a, b in random.Random(args.seed).sample(missed, min(limit, len(missed))):
        best = max(
            ((similarity(tokenize(xa), tokenize(xb)), xa, xb)
             for ta, xa in by_acc[a] for tb, xb in by_acc[b] if abs(ta - tb) <= args.window),
            default=None,
        )
        if best is None:
            continue
        na, nb = normalize(best[1]), normalize(best[2])
        sa, sb = _shingles(na, tp.shingle), _shingles(nb, tp.shingle)
        out.append({"cnt_similarity": round(best[0], 3),
                    "char_jaccard": round(len(sa & sb) / max(len(sa | sb), 1), 3),
                    "a": best[1], "b": best[2], "normalized_a": na, "normalized_b": nb})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="an ingested store to sample from")
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--window", type=float, default=600.0)
    ap.add_argument("--threshold", type=float, default=0.9, help="CNT similarity threshold")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check", type=int, default=200, help="extra pairs to verify by brute force")
    ap.add_argument("--misses", type=Path, help="write examples of CNT pairs infoops misses (JSON)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        sample = Store(tmp / "sample.duckdb")
        sample.con.execute(f"ATTACH '{args.db}' AS src (READ_ONLY)")
        sample.con.execute(
            f"INSERT INTO posts ({COLS}) SELECT {COLS} FROM src.posts "
            f"WHERE kind <> 'retweet' AND text IS NOT NULL AND created_at IS NOT NULL "
            f"ORDER BY hash(post_id || '{args.seed}') LIMIT {int(args.posts)}"
        )
        sample.con.execute("DETACH src")
        rows = sample.con.execute(
            "SELECT post_id, account_id, text, epoch(created_at) FROM posts"
        ).fetchall()
        with PeakMemory() as mem_ours:
            t = time.perf_counter()
            ours = raw_edges(sample, "text-similarity", args.window, 1, max_burst=0,
                             seed=args.seed)
            t_ours = time.perf_counter() - t
        sample.close()
        cnt_db = str(tmp / "cnt.sqlite")
        cnt_load(cnt_db, ((p, a, None, None, x, ts, None) for p, a, x, ts in rows))
        from coordination_network_toolkit.compute_networks import compute_co_similar_tweet

        with PeakMemory() as mem_cnt, contextlib.redirect_stdout(io.StringIO()):
            t = time.perf_counter()
            compute_co_similar_tweet(cnt_db, args.window, n_threads=2,
                                     similarity_threshold=args.threshold, min_edge_weight=1)
            t_cnt = time.perf_counter() - t
        theirs = set(cnt_pairs(cnt_db, "co_similar_tweet_network"))
    mine = set(zip(ours["account_a"], ours["account_b"], strict=False))
    both = mine & theirs
    extra = sorted(mine - theirs)
    by_acc: dict[str, list[tuple[float, str]]] = {}
    for _p, a, x, ts in rows:
        by_acc.setdefault(a, []).append((ts, normalize(x)))
    tp = TextParams()
    rng = random.Random(args.seed)
    checked = rng.sample(extra, min(args.check, len(extra)))
    confirmed = sum(check_pair(by_acc, a, b, args.window, tp) for a, b in checked)
    missed = sorted(theirs - mine)
    if args.misses:
        args.misses.write_text(json.dumps(explain_misses(rows, missed, args, tp), indent=1,
                                          ensure_ascii=False))
    print(json.dumps({
        "posts": len(rows), "window_s": args.window, "cnt_threshold": args.threshold,
        "pairs_cnt": len(theirs), "pairs_infoops": len(mine), "pairs_both": len(both),
        "recall_of_cnt_pairs": round(len(both) / len(theirs), 4) if theirs else None,
        "pairs_only_infoops": len(extra), "extra_checked": len(checked),
        "extra_confirmed_near_duplicates": confirmed,
        "seconds_infoops": round(t_ours, 2), "seconds_cnt": round(t_cnt, 2),
        "speedup": round(t_cnt / t_ours, 1) if t_ours else None,
        "peak_rss_mib_infoops": round(mem_ours.peak), "peak_rss_mib_cnt": round(mem_cnt.peak),
    }, indent=2))


if __name__ == "__main__":
    main()
