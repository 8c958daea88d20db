"""Ingest throughput and peak memory on large IO-archive tweets files.

Writes a synthetic IO-archive tweets CSV (31-column layout, hashed ids,
list-string entities, ~30% retweets, some without ``retweet_userid``) of N
rows, then measures in fresh subprocesses:

- ``infoops``: ``infoops.ingest.ingest`` into a new store;
- ``ceiling``: a plain DuckDB ``CREATE TABLE AS SELECT * FROM read_csv(...)``
  of the same file (no parsing of times/lists, no dedup, no entities).

Both timings include closing the database (its last checkpoint), so that
neither leaves work behind the clock.

Peak memory is the child's peak resident set size (``VmHWM``).

    .venv/bin/python benchmarks/ingest.py --rows 1000000 5000000 --out /tmp/bench

``--file PATH --repeat N`` times one existing file instead (a simulated
world's ``tweets.csv``, say): infoops and the ceiling alternate, N times
each, and every pair gives a ratio (ceiling seconds / infoops seconds)
measured under the same load; the load average is printed with each run.
``--head ROWS`` first copies the file's header and first ROWS rows (for
memory at several sizes), ``--src DIR`` runs another checkout's ``src``
(the code before a change, in the same run):

    .venv/bin/python benchmarks/ingest.py --file w/tweets.csv --repeat 3 --src ../main/src
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from infoops.ioarchive import TWEET_COLUMNS_31

TAGS = np.array(["HongKong", "香港", "COVID19", "Taiwan", "郭文贵", "news", "China", "USA"])
DOMAINS = np.array(["example.com", "news.cn", "youtu.be", "t.co", "bit.ly"])


def write_file(path: Path, rows: int, seed: int = 0, chunk: int = 200_000) -> None:
    """A synthetic IO-archive tweets CSV of ``rows`` rows (streamed in chunks)."""
    rng = np.random.default_rng(seed)
    n_users = max(100, rows // 20)
    users = np.array([f"{h:032x}" for h in rng.integers(0, 2**62, n_users)])
    names = np.array([f"user{i}" for i in range(n_users)])
    with pacsv.CSVWriter(path, pa.schema([(c, pa.string()) for c in TWEET_COLUMNS_31])) as w:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            u = rng.integers(0, n_users, n)
            rt = rng.random(n) < 0.3
            ru = rng.integers(0, n_users, n)
            minute = rng.integers(0, 60 * 24 * 365, n)
            t = np.datetime64("2019-06-01T00:00") + minute.astype("timedelta64[m]")
            ids = np.char.mod("%d", np.arange(start, start + n) + 10**15)
            tags = rng.integers(0, len(TAGS), (n, 2))
            has_tag = rng.random(n) < 0.4
            has_url = rng.random(n) < 0.2
            text = np.where(rt, np.char.add(np.char.add("RT @", names[ru]), ": 香港 news, \"quoted\" text"),
                            "Original post about Hong Kong, with a comma and 中文")
            cols = {
                "tweetid": ids, "userid": users[u], "user_display_name": names[u],
                "user_screen_name": names[u], "user_reported_location": np.full(n, ""),
                "user_profile_description": np.full(n, "desc"), "user_profile_url": np.full(n, ""),
                "follower_count": np.char.mod("%d", rng.integers(0, 50, n)),
                "following_count": np.char.mod("%d", rng.integers(0, 50, n)),
                "account_creation_date": np.full(n, "2019-05-01"), "account_language": np.full(n, "zh-cn"),
                "tweet_language": np.full(n, "zh"), "tweet_text": text,
                "tweet_time": np.datetime_as_string(t, unit="m").astype(str),
                "tweet_client_name": np.full(n, "Twitter Web App"),
                "in_reply_to_tweetid": np.full(n, ""), "in_reply_to_userid": np.full(n, ""),
                "quoted_tweet_tweetid": np.full(n, ""),
                "is_retweet": np.where(rt, "True", "False"),
                "retweet_userid": np.where(rt & (rng.random(n) < 0.8), users[ru], ""),
                "retweet_tweetid": np.where(rt, np.char.mod("%d", rng.integers(10**15, 10**15 + rows, n)), ""),
                "latitude": np.full(n, ""), "longitude": np.full(n, ""),
                "quote_count": np.full(n, "0"), "reply_count": np.full(n, "0"),
                "like_count": np.char.mod("%d", rng.integers(0, 5, n)), "retweet_count": np.full(n, "0"),
                "hashtags": np.where(has_tag, np.char.add(np.char.add("['", TAGS[tags[:, 0]]),
                                     np.char.add("', '", np.char.add(TAGS[tags[:, 1]], "']"))), "[]"),
                "urls": np.where(has_url, np.char.add(np.char.add("['https://", DOMAINS[tags[:, 0] % 5]),
                                 "/a?b=1,2']"), "[]"),
                "user_mentions": np.where(rt, np.char.add(np.char.add("['", users[ru]), "']"), "[]"),
                "poll_choices": np.full(n, ""),
            }
            cols["tweet_time"] = np.char.replace(cols["tweet_time"], "T", " ")
            w.write_table(pa.table({c: pa.array(cols[c].tolist(), pa.string()) for c in TWEET_COLUMNS_31}))


# peak RSS of this process (VmHWM; ru_maxrss would include the parent's, kept across exec)
_HWM = (
    "def hwm():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            return int(line.split()[1])\n"
)
_CHILD = {
    "infoops": (
        _HWM + "import sys, time; from infoops.store import Store; from infoops.ingest import ingest\n"
        "s = Store(sys.argv[2]); t = time.perf_counter(); r = ingest(s, [sys.argv[1]])\n"
        "s.close(); dt = time.perf_counter() - t\n"
        "print(dt, r.rows_read, r.rows_stored, r.reconciles, "
        "hwm())"
    ),
    "ceiling": (
        _HWM + "import sys, time, duckdb; con = duckdb.connect(sys.argv[2]); t = time.perf_counter()\n"
        "con.execute(\"CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar=true)\", [sys.argv[1]])\n"
        "n = con.execute('SELECT count(*) FROM t').fetchone()[0]; con.close(); dt = time.perf_counter() - t\n"
        "print(dt, n, n, True, hwm())"
    ),
}


def measure(kind: str, csv_path: Path, db: Path, src: Path | None = None) -> dict[str, float]:
    db.unlink(missing_ok=True)
    Path(str(db) + ".wal").unlink(missing_ok=True)
    env = dict(os.environ)
    if src is not None:  # another checkout's code (the code before a change)
        env["PYTHONPATH"] = str(src.resolve())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", _CHILD[kind], str(csv_path), str(db)],
                         capture_output=True, text=True, check=True, env=env).stdout.strip().splitlines()[-1].split()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the whole child (start-up included): less at the mercy of
    # other jobs on a shared machine than the wall clock
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    seconds, read, stored, ok, rss_kb = float(out[0]), int(out[1]), int(out[2]), out[3], int(out[4])
    db.unlink(missing_ok=True)
    return {"seconds": round(seconds, 2), "rows": read, "stored": stored, "reconciles": ok == "True",
            "rows_per_second": round(read / seconds), "peak_rss_mib": round(rss_kb / 1024),
            "cpu_seconds": round(cpu, 1)}


def head(path: Path, rows: int, out: Path, copies: int = 1) -> Path:
    """A copy of ``path`` with its header and first ``rows`` records (DuckDB's CSV writer).

    With ``copies`` > 1, those rows are written that many times, every id of
    copy ``k`` prefixed with ``k``, so that each copy holds new posts and
    accounts: a larger file of the same shape.
    """
    import duckdb

    dest = out / (f"{path.stem}_head{rows}.csv" if copies == 1 else f"{path.stem}_head{rows}x{copies}.csv")
    if dest.exists():
        return dest
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    src = f"(SELECT * FROM read_csv({_lit(str(path))}, all_varchar=true, header=true) LIMIT {int(rows)})"
    names = [r[0] for r in con.execute(f"DESCRIBE {src}").fetchall()]
    parts = []
    for k in range(copies):
        cols = []
        for c in names:
            qc = '"' + c + '"'
            if k and c.endswith(("tweetid", "userid")):
                cols.append(f"CASE WHEN {qc} <> '' THEN '{k}' || {qc} END AS {qc}")
            elif k and c == "user_mentions":  # ['id', ...]: each id gets the prefix
                cols.append(f"regexp_replace({qc}, {_lit(chr(39) + '([0-9a-f])')}, "
                            f"{_lit(chr(39) + str(k) + chr(92) + '1')}, 'g') AS {qc}")
            else:
                cols.append(qc)
        parts.append(f"SELECT {', '.join(cols)} FROM {src}")
    con.execute(f"COPY ({' UNION ALL '.join(parts)}) TO {_lit(str(dest))} (HEADER, DELIMITER ',')")
    con.close()
    return dest


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def compare_file(path: Path, repeat: int, out: Path, src: Path | None) -> None:
    """infoops and the ceiling on one file, alternating; a ratio per pair."""
    ratios, cpu_ratios = [], []
    for i in range(repeat):
        pair = {}
        for kind in ("infoops", "ceiling"):
            load = os.getloadavg()[0]
            r = measure(kind, path, out / f"{kind}.duckdb", src if kind == "infoops" else None)
            pair[kind] = r
            print(json.dumps({"file": path.name, "run": i + 1, "reader": kind, "load_before": round(load, 2),
                              "load_after": round(os.getloadavg()[0], 2), **r}), flush=True)
        ratios.append(pair["ceiling"]["seconds"] / pair["infoops"]["seconds"])
        cpu_ratios.append(pair["ceiling"]["cpu_seconds"] / pair["infoops"]["cpu_seconds"])
    print(f"{path.name}: ratio (read_csv s / infoops s) per pair {[round(x, 2) for x in ratios]}, "
          f"median {statistics.median(ratios):.2f}; CPU-seconds ratio median "
          f"{statistics.median(cpu_ratios):.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    ap.add_argument("--out", type=Path, default=Path("/tmp/infoops-bench"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--file", type=Path, help="time this file (e.g. a simulated world's tweets.csv)")
    ap.add_argument("--head", type=int, nargs="+", help="with --file: its first ROWS rows, at each size")
    ap.add_argument("--copies", type=int, default=1,
                    help="with --head: repeat those rows this many times, ids made new in each copy")
    ap.add_argument("--repeat", type=int, default=1, help="with --file: pairs of runs")
    ap.add_argument("--src", type=Path, help="the infoops src folder to run (default: this checkout's)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.file is not None:
        files = [head(args.file, n, args.out, args.copies) for n in args.head] if args.head else [args.file]
        for f in files:
            compare_file(f, args.repeat, args.out, args.src)
        return
    results = []
    for rows in args.rows:
        path = args.out / f"tweets_{rows}.csv"
        if not path.exists():
            t = time.perf_counter()
            write_file(path, rows, args.seed)
            print(f"wrote {path} ({path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.0f}s",
                  file=sys.stderr)
        for kind in ("infoops", "ceiling"):
            r = {"rows_in_file": rows, "reader": kind, **measure(kind, path, args.out / f"{kind}.duckdb")}
            print(json.dumps(r), flush=True)
            results.append(r)
    for rows in args.rows:
        a, c = (next(r for r in results if r["rows_in_file"] == rows and r["reader"] == k)
                for k in ("infoops", "ceiling"))
        print(f"{rows:,} rows: infoops {a['rows_per_second']:,}/s, {a['peak_rss_mib']} MiB peak; "
              f"duckdb read_csv {c['rows_per_second']:,}/s, {c['peak_rss_mib']} MiB; "
              f"ratio {a['rows_per_second'] / c['rows_per_second']:.2f}")


if __name__ == "__main__":
    main()
