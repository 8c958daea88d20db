"""Latency of the review app's heaviest pages and a loopback load test.

Builds (or takes) a store with a detect run, adds a user, starts ``infoops
serve`` in its own process on 127.0.0.1, then measures on the largest network:

1. the network page: the first (cold) request, then ``--samples`` warm ones
   after the report's analysis for it is cached (its HTML is embedded);
2. the members page (first page of 50, sorted by score): cold and warm;
3. ``--clients`` concurrent signed-in clients for ``--seconds`` seconds, each
   looping over the index, the network, members pages, evidence pages,
   account pages, the case list and a search; every non-200 answer counts as
   an error.

Traffic goes only to the loopback server this script started; the loop is
bounded in time and stops by itself.

    python benchmarks/review_pages.py --scale small --seed 1 --out bench-output/review
    python benchmarks/review_pages.py --db existing.duckdb --clients 20 --seconds 60
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import httpx

PASSWORD = "bench-password-1"


def _run(args: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "infoops", *args], check=True)


def build(out: Path, scale: str, seed: int) -> Path:
    db = out / f"{scale}-{seed}.duckdb"
    if not db.exists():
        _run(["simulate", "--scale", scale, "--seed", str(seed), "--out", str(out / "world"),
              "--quiet"])
        _run(["ingest", str(out / "world"), "--db", str(db), "--quiet"])
        _run(["detect", "--db", str(db), "--quiet"])
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def login(client: httpx.Client) -> str:
    token = client.get("/api/login").json()["csrf_token"]
    r = client.post("/api/login", json={"username": "bench", "password": PASSWORD},
                    headers={"X-CSRF-Token": token})
    r.raise_for_status()
    return str(r.json()["csrf_token"])


def timed(client: httpx.Client, path: str) -> float:
    t = time.perf_counter()
    r = client.get(path)
    dt = time.perf_counter() - t
    if r.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {r.status_code}: {r.text[:200]}")
    return dt * 1000


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="an existing store with a detect run (copied, not changed)")
    ap.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="bench-output/review")
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    source = Path(args.db) if args.db else build(out, args.scale, args.seed)
    db = out / "served.duckdb"
    shutil.copyfile(source, db)
    env = {**os.environ, "INFOOPS_PASSWORD": PASSWORD}
    subprocess.run([sys.executable, "-m", "infoops", "users", "add", "bench", "--role", "reviewer",
                    "--db", str(db)], check=True, env=env, stdout=subprocess.DEVNULL)
    con = duckdb.connect(str(db), read_only=True)
    run = con.execute("SELECT run_id FROM detect_runs WHERE status = 'completed' "
                      "ORDER BY started_at DESC LIMIT 1").fetchall()[0][0]
    net, size = con.execute("SELECT network_id, n_accounts FROM networks WHERE run_id = ? "
                            "ORDER BY n_accounts DESC LIMIT 1", [run]).fetchall()[0]
    posts = con.execute("SELECT count(*) FROM posts").fetchall()[0][0]
    accounts = [r[0] for r in con.execute(
        "SELECT account_id FROM members WHERE run_id = ? AND network_id = ? ORDER BY account_id "
        "LIMIT 200", [run, net]).fetchall()]
    con.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "infoops", "serve", "--db", str(db),
                               "--port", str(port)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        results: dict[str, float | str] = {"store posts": f"{posts:,}",
                                           "largest network": f"{net} ({size:,} accounts)"}
        with httpx.Client(base_url=base, timeout=120) as c:
            login(c)
            results["network page, cold (ms)"] = timed(c, f"/networks/{net}")
            results["members page 1, cold (ms)"] = timed(c, f"/networks/{net}/members")
            t = time.perf_counter()
            while "analysis-pending" in c.get(f"/networks/{net}").text:
                time.sleep(0.2)
            results["report analysis of the network, background (s)"] = time.perf_counter() - t
            warm = [timed(c, f"/networks/{net}") for _ in range(args.samples)]
            members = [timed(c, f"/networks/{net}/members") for _ in range(args.samples)]
            results["network page, warm p50 / p99 (ms)"] = f"{pct(warm, .5):.0f} / {pct(warm, .99):.0f}"
            results["members page 1, warm p50 / p99 (ms)"] = (
                f"{pct(members, .5):.0f} / {pct(members, .99):.0f}")

        paths = ["/", f"/networks/{net}", f"/networks/{net}/members",
                 f"/networks/{net}/members?page=3", f"/networks/{net}/evidence",
                 "/cases", "/search?q=a"] + [f"/accounts/{a}" for a in accounts[:50]]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def client(i: int) -> None:
            rng = random.Random(i)
            with httpx.Client(base_url=base, timeout=60) as c:
                try:
                    login(c)
                except Exception as exc:
                    with lock:
                        errors.append(f"login: {exc}")
                    return
                while time.monotonic() < stop:
                    path = rng.choice(paths)
                    t0 = time.perf_counter()
                    try:
                        code = c.get(path).status_code
                    except httpx.HTTPError as exc:
                        code = -1
                        path += f" ({exc})"
                    dt = (time.perf_counter() - t0) * 1000
                    with lock:
                        latencies.append(dt)
                        if code != 200:
                            errors.append(f"{path}: {code}")

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        results[f"{args.clients} clients × {args.seconds:.0f} s: requests"] = f"{len(latencies):,}"
        results["load: errors"] = f"{len(errors)}" + (f" (first: {errors[0]})" if errors else "")
        results["load: p50 / p99 (ms)"] = (f"{statistics.median(latencies):.0f} / "
                                           f"{pct(latencies, .99):.0f}")
        results["load: throughput (requests/s)"] = f"{len(latencies) / wall:.1f}"
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("| measure | value |\n|---|---|")
    for k, v in results.items():
        print(f"| {k} | {v:.0f} |" if isinstance(v, float) and "(s)" not in k else
              f"| {k} | {v:.1f} |" if isinstance(v, float) else f"| {k} | {v} |")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
