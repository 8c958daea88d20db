"""Shared helpers for benchmarks against coordination-network-toolkit (CNT) 1.5.2.

CNT is a benchmark-only dependency (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from typing import Self

import psutil


def cnt_load(db_path: str, rows: Iterable[tuple]) -> None:
    """Preprocess rows ``(message_id, user_id, repost_id, reply_id, text, ts, urls)`` into CNT."""
    from coordination_network_toolkit.preprocess import preprocess_data

    msgs = ((m, u, u, rp or "", rr or "", text or "", ts, urls or [])
            for m, u, rp, rr, text, ts, urls in rows)
    with contextlib.redirect_stdout(io.StringIO()):
        preprocess_data(db_path, msgs)


def cnt_pairs(db_path: str, table: str) -> dict[tuple[str, str], int]:
    """CNT's directed network as undirected pairs (self-loops dropped, max weight kept)."""
    con = sqlite3.connect(db_path)
    out: dict[tuple[str, str], int] = {}
    for u1, u2, w in con.execute(f"SELECT user_1, user_2, weight FROM {table}"):
        if u1 == u2:
            continue
        key = (min(u1, u2), max(u1, u2))
        out[key] = max(out.get(key, 0), int(w))
    con.close()
    return out


class PeakMemory:
    """Peak RSS (MiB) of this process and its children while the block runs."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()

    def _rss(self) -> float:
        p = psutil.Process(os.getpid())
        total = p.memory_info().rss
        for c in p.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += c.memory_info().rss
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.interval)

    def __enter__(self) -> Self:
        self.peak = self._rss()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self._rss())
