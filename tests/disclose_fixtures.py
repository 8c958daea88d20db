"""Hand-built stores for the disclosure tests, and the review tables of the shared contract."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from infoops.store import Store

T0 = datetime(2020, 3, 1, 9, 0)
SECRET = b"test secret, 32 characters long!"
OTHER_SECRET = b"another secret of enough length!"


def add_accounts(store: Store, accounts: Iterable[dict[str, Any]]) -> None:
    """Insert accounts: dicts with account_id, screen_name, display_name, followers, ..."""
    cols = ("account_id", "screen_name", "display_name", "followers", "following", "created_at",
            "language", "location", "description", "profile_url")
    rows = [tuple(a.get(c) for c in cols) for a in accounts]
    store.con.executemany(
        f"INSERT INTO accounts ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)


def add_posts(store: Store, posts: Iterable[dict[str, Any]]) -> None:
    """Insert posts (``minute`` after T0) with their hashtags, urls and mentions (lists)."""
    cols = ("post_id", "account_id", "created_at", "kind", "text", "language", "client",
            "ref_post_id", "ref_account_id", "reply_to_post_id", "reply_to_account_id",
            "like_count", "retweet_count")
    for p in posts:
        row = {**p, "created_at": T0 + timedelta(minutes=p.get("minute", 0)),
               "kind": p.get("kind", "original")}
        store.con.execute(
            f"INSERT INTO posts ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [row.get(c) for c in cols])
        for tag in p.get("hashtags", ()):
            store.con.execute("INSERT INTO post_hashtags VALUES (?, ?)", [p["post_id"], tag])
        for url in p.get("urls", ()):
            store.con.execute("INSERT INTO post_urls VALUES (?, ?, NULL)", [p["post_id"], url])
        for acc in p.get("mentions", ()):
            store.con.execute("INSERT INTO post_mentions VALUES (?, ?)", [p["post_id"], acc])


def add_network(store: Store, members: Sequence[tuple[str, str]], run_id: str = "run-1",
                network_id: str = "N1", minutes_ago: int = 0) -> None:
    """A completed detect run with one network of ``members`` ((account_id, role) pairs)."""
    store.con.execute(
        "INSERT INTO detect_runs (run_id, started_at, finished_at, status) "
        "VALUES (?, now() - to_minutes(CAST(? AS BIGINT)), now(), 'completed')", [run_id, minutes_ago])
    store.con.execute(
        "INSERT INTO networks (run_id, network_id, score, n_accounts, traces, reason) "
        "VALUES (?, ?, 0.9, ?, 'co-retweet', 'a test network')", [run_id, network_id, len(members)])
    store.con.executemany(
        "INSERT INTO members (run_id, network_id, account_id, role, score) VALUES (?, ?, ?, ?, 0.9)",
        [(run_id, network_id, a, r) for a, r in members])


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def line_of(path: Path, index: int) -> int:
    """The 1-based file line where data row ``index`` (0-based) starts."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        start = reader.line_num + 1
        for i, _ in enumerate(reader):
            if i == index:
                return start
            start = reader.line_num + 1
    raise IndexError(index)
