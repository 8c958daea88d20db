"""The canonical tables as Parquet: the layout the Spark engine reads.

``posts`` is written as a Hive-partitioned folder (``posts/day=YYYY-MM-DD/``),
so a cluster job that needs a date range reads only those files; the other
tables are one Parquet file each. pandas, polars and DuckDB read the folder
directly (``read_parquet('posts/**/*.parquet', hive_partitioning=true)``).
Timestamps are written as stored (UTC instants without a zone).
"""

from __future__ import annotations

from pathlib import Path

from infoops.errors import StoreError
from infoops.store import Store
from infoops.store.sql import quote_ident, quote_literal

#: Tables exported one file each (``posts`` is partitioned by day).
FLAT_TABLES = ("accounts", "post_hashtags", "post_urls", "post_mentions", "profile_changes")


def export_parquet(store: Store, out: str | Path) -> dict[str, int]:
    """Write the canonical tables under ``out`` as Parquet.

    Parameters
    ----------
    store:
        The store to read.
    out:
        Output folder; created if missing. Existing files of the same tables
        are replaced.

    Returns
    -------
    dict
        Rows written per table.
    """
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root}: exists and is not a folder; pass --out a folder")
    root.mkdir(parents=True, exist_ok=True)
    con = store.con
    counts: dict[str, int] = {}
    posts = root / "posts"
    if posts.exists():
        import shutil

        shutil.rmtree(posts)
    con.execute(
        "COPY (SELECT *, CAST(created_at AS DATE) AS day FROM posts) "
        f"TO {quote_literal(posts)} (FORMAT PARQUET, PARTITION_BY (day))"
    )
    counts["posts"] = store.count("posts")
    for table in FLAT_TABLES:
        target = root / f"{table}.parquet"
        con.execute(f"COPY (SELECT * FROM {quote_ident(table)}) TO {quote_literal(target)} (FORMAT PARQUET)")
        counts[table] = store.count(table)
    return counts
