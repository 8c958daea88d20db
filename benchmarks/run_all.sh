#!/usr/bin/env bash
# `make bench`: every benchmark script once, at a small size (a few minutes on
# 2 cores). The numbers are a smoke run, not the ones docs/benchmarks.md
# records: those use the sizes each script's --help and docstring give.
set -euo pipefail
BIN=${BIN:-.venv/bin}
OUT=${BENCH_DIR:-bench-output}
PY="$BIN/python"
rm -rf "$OUT"
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "command-line start-up"
"$PY" benchmarks/cli_startup.py --repeat 3

step "ingest throughput (20k rows)"
"$PY" benchmarks/ingest.py --rows 20000 --out "$OUT/ingest"

step "a tiny simulated world, ingested"
"$BIN/infoops" simulate --out "$OUT/world" --seed 11 --scale tiny > /dev/null
"$BIN/infoops" ingest "$OUT/world/users.csv" "$OUT/world/tweets.csv" "$OUT/world/profile_changes.csv" \
    --db "$OUT/world.duckdb" > /dev/null 2>&1

step "full detect: time, memory, accuracy"
"$PY" benchmarks/detect_scale.py --db "$OUT/world.duckdb" --seed 11 --truth "$OUT/world/truth.csv"
step "the network layer alone"
"$PY" benchmarks/network_layer.py --db "$OUT/world.duckdb" --truth "$OUT/world/truth.csv" --seed 11
step "co-retweet vs coordination-network-toolkit"
"$PY" benchmarks/coretweet_vs_cnt.py --db "$OUT/world.duckdb" --repeat 1
step "near-duplicate text vs coordination-network-toolkit (3,000 posts)"
"$PY" benchmarks/textsim_vs_cnt.py --db "$OUT/world.duckdb" --posts 3000 --check 20
step "disclosure: release, leak check, round trip"
INFOOPS_DISCLOSE_SECRET=bench-only-secret "$PY" benchmarks/disclose.py --db "$OUT/world.duckdb" \
    --out "$OUT/release" --round-trip
step "review app pages and a short load test"
"$PY" benchmarks/review_pages.py --db "$OUT/world.duckdb" --out "$OUT/review" --samples 3 --clients 2 --seconds 3

step "naive baselines and held-out accuracy (one tiny world each)"
"$PY" benchmarks/baselines.py --scale tiny --seeds 1 --work "$OUT/baselines"
"$PY" benchmarks/roles_holdout.py --scale tiny --seeds 11 --work "$OUT/holdout"
step "world zoo (one tiny world) and score calibration"
"$PY" benchmarks/zoo.py --seeds 900 --scales tiny --work "$OUT/zoo" --json "$OUT/zoo.json"
"$PY" benchmarks/zoo_summary.py "$OUT/zoo.json"
"$PY" benchmarks/calibration.py --work "$OUT/zoo"

if [ -d ../shared/data/hongkong2019 ]; then
  step "profile signals on the shared real data"
  "$PY" benchmarks/signals_real_data.py
else
  step "profile signals on real data: skipped (no ../shared/data)"
fi
# Spark local takes minutes even on a tiny world: on request (BENCH_SPARK=1), with Java
if [ -n "${BENCH_SPARK:-}" ] && command -v java > /dev/null 2>&1; then
  step "DuckDB vs Spark local"
  "$BIN/infoops" export parquet --db "$OUT/world.duckdb" --out "$OUT/parquet" > /dev/null
  "$PY" benchmarks/spark_vs_duckdb.py --db "$OUT/world.duckdb" --parquet "$OUT/parquet" \
      --master 'local[2]' --driver-memory 2g --partitions 4
else
  step "DuckDB vs Spark: skipped (make bench BENCH_SPARK=1 runs it; needs Java 17)"
fi
printf '\nbenchmark outputs are under %s\n' "$OUT"
