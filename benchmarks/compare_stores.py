"""Compare every table of two infoops stores, row for row (run bookkeeping aside).

Used to show that a change to ingest stores the same rows: ingest the same
files with the code before and after into two stores, then

    .venv/bin/python benchmarks/compare_stores.py before.duckdb after.duckdb

Each table is compared as a multiset (``EXCEPT ALL`` both ways) on every
column except run ids and run times; ``ingest_runs`` is compared on its
counts. Exit status 1 when any table differs.
"""

from __future__ import annotations

import sys

import duckdb

#: columns that name or time a run, different in every run by design
RUN_COLUMNS = {"run_id", "started_at", "finished_at", "detail", "applied_at"}
#: tables about runs and their owners, not about the data
RUN_TABLES = {"ingest_runs", "run_owners", "schema_migrations"}


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def compare(a: str, b: str) -> bool:
    con = duckdb.connect()
    con.execute(f"ATTACH {_lit(a)} AS a (READ_ONLY)")
    con.execute(f"ATTACH {_lit(b)} AS b (READ_ONLY)")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'a' ORDER BY 1").fetchall()]
    same_all = True
    for t in tables:
        if t in RUN_TABLES:
            if t == "ingest_runs":
                counts = ("SELECT status, rows_read, rows_stored, rows_quarantined, rows_duplicate "
                          "FROM {}.ingest_runs ORDER BY ALL")
                ra, rb = (con.execute(counts.format(db)).fetchall() for db in "ab")
                print(f"ingest_runs (counts): {ra} / {rb} {'SAME' if ra == rb else 'DIFFERENT'}")
                same_all &= ra == rb
            continue
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND table_name = ? "
            "ORDER BY column_index", [t]).fetchall() if r[0] not in RUN_COLUMNS]
        sel = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
        na, nb = (con.execute(f'SELECT count(*) FROM {db}."{t}"').fetchone()[0] for db in "ab")
        d1, d2 = (con.execute(f'SELECT count(*) FROM (SELECT {sel} FROM {x}."{t}" EXCEPT ALL '
                              f'SELECT {sel} FROM {y}."{t}")').fetchone()[0] for x, y in ("ab", "ba"))
        same = na == nb and d1 == 0 and d2 == 0
        same_all &= same
        if na or nb or not same:
            print(f"{t}: {na:,} / {nb:,} rows; only in a {d1}, only in b {d2}: {'SAME' if same else 'DIFFERENT'}")
    print("all tables identical" if same_all else "DIFFERENCES FOUND")
    return same_all


if __name__ == "__main__":
    sys.exit(0 if compare(sys.argv[1], sys.argv[2]) else 1)
