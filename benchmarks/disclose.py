"""Disclosure of a detected network: release, leak check and round trip, timed.

Usage::

    .venv/bin/infoops simulate --out world --seed 7 --scale small
    .venv/bin/infoops ingest world --db world.duckdb
    .venv/bin/infoops detect --db world.duckdb
    INFOOPS_DISCLOSE_SECRET=... .venv/bin/python benchmarks/disclose.py --db world.duckdb \
        --out release [--network N2] [--round-trip]

Without ``--network`` it releases the largest network of the latest detect
run. ``--round-trip`` ingests the release into a fresh store next to it,
compares the co-retweet graphs (raw edges, no burst cap) up to the hashing and
runs detection on the release.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cnt_helpers import PeakMemory

from infoops.detect.pipeline import detect
from infoops.detect.trace_edges import raw_edges
from infoops.disclose import Hasher, check_release, load_secret, select_network, write_release
from infoops.ingest import ingest
from infoops.store import Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True, help="new folder for the release")
    ap.add_argument("--network", help="network id (default: the largest of the latest run)")
    ap.add_argument("--name", default="bench")
    ap.add_argument("--round-trip", action="store_true")
    args = ap.parse_args()
    secret = load_secret()
    out: dict[str, object] = {"db": args.db}
    with Store(args.db, read_only=True) as store:
        run = store.latest_detect_run()
        net = args.network or store.execute(
            "SELECT network_id FROM networks WHERE run_id = ? ORDER BY n_accounts DESC LIMIT 1", [run]
        ).fetchall()[0][0]
        sel = select_network(store, net, run)
        with PeakMemory() as mem:
            rel = write_release(store, sel, args.name, args.out, secret)
        out.update(network=net, accounts=rel.stats.accounts, anonymised=rel.stats.anonymised,
                   posts=rel.stats.posts, release_seconds=round(rel.seconds, 2),
                   release_peak_rss_mib=round(mem.peak))
        t0 = time.perf_counter()
        with PeakMemory() as mem:
            res = check_release(store, args.out)
        out.update(check_seconds=round(time.perf_counter() - t0, 2), check_peak_rss_mib=round(mem.peak),
                   check_cells=res.cells, leaks=len(res.leaks))
        if args.round_trip:
            public = dict(store.execute(
                "SELECT account_id, coalesce(followers, 0) >= 5000 FROM accounts WHERE account_id IN "
                "(SELECT account_id FROM members WHERE run_id = ? AND network_id = ?)", [run, net]
            ).fetchall())
            token = Hasher(secret).token
            mapped = {a: (a if p else token(a)) for a, p in public.items()}
            before = raw_edges(store, "co-retweet", None, 1, max_burst=0)
    if args.round_trip:
        back_db = Path(args.out).with_suffix(".duckdb")
        t0 = time.perf_counter()
        with Store(back_db) as back:
            ingest(back, [str(Path(args.out) / f) for f in rel.manifest["files"] if f.endswith(".csv")])
            after = raw_edges(back, "co-retweet", None, 1, max_burst=0)
            run_b = detect(back, seed=0)
            found = {r[0] for r in back.execute(
                "SELECT account_id FROM members WHERE run_id = ?", [run_b]).fetchall()}
        expected = {(*sorted((mapped[a], mapped[b])), w) for a, b, w in
                    before[["account_a", "account_b", "weight"]].itertuples(index=False)
                    if a in mapped and b in mapped}
        got = set(after[["account_a", "account_b", "weight"]].itertuples(index=False, name=None))
        released = set(mapped.values())
        out.update(round_trip_seconds=round(time.perf_counter() - t0, 1),
                   co_retweet_edges=len(expected), co_retweet_identical=expected == got,
                   detected_members=len(found), detected_of_released=len(found & released),
                   detected_outside_release=len(found - released))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
