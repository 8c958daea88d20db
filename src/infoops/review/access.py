"""Sharing one DuckDB store between ``infoops serve`` and the other commands.

DuckDB lets one process write a database file at a time. The web app holds
the store only while it works: :class:`StoreAccess` opens it on the first
request, hands each request its own cursor (one writer thread at a time, as
many readers as there are requests), and closes it once no request has used
it for ``idle_seconds``. Between bursts of requests other ``infoops``
commands can open the same file. While another process holds it, a request
waits up to ``wait_seconds`` and then fails with :class:`StoreBusyError`,
which tells the user what to do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from infoops.errors import StoreBusyError, StoreError
from infoops.store import Store

T = TypeVar("T")


def open_with_retry(path: str, wait_seconds: float = 10.0, read_only: bool = False) -> Store:
    """Open the store, retrying while another process holds its lock (e.g. ``serve``).

    Past ``wait_seconds`` the :class:`~infoops.errors.StoreBusyError` goes up:
    its message names the process that holds the store.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return Store(path, read_only=read_only)
        except StoreBusyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


class StoreAccess:
    """Open-on-demand, close-when-idle access to the store for a multi-threaded server."""

    def __init__(self, path: str, idle_seconds: float = 2.0, wait_seconds: float = 5.0) -> None:
        if path != ":memory:" and not Path(path).parent.exists():
            raise StoreError(f"{path}: the folder does not exist")
        self.path = path
        self.idle_seconds = idle_seconds
        self.wait_seconds = wait_seconds
        self.write_lock = threading.RLock()
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._users = 0
        self._last = time.monotonic()
        self.opened = 0  # how many times the file was opened (for tests and /healthz)
        self._stop = threading.Event()
        self._closer: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> None:
        """Start the background thread that closes the store when idle."""
        if self._closer is None and self.idle_seconds > 0:
            self._closer = threading.Thread(target=self._close_when_idle, name="store-idle",
                                            daemon=True)
            self._closer.start()

    def stop(self) -> None:
        self._stop.set()
        if self._closer is not None:
            self._closer.join(timeout=5)
            self._closer = None
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def _close_when_idle(self) -> None:
        while not self._stop.wait(min(0.5, self.idle_seconds / 2)):
            self.release_if_idle()

    def release_if_idle(self) -> bool:
        """Close the store if no request has used it for ``idle_seconds``; True if closed."""
        with self._lock:
            if (self._store is not None and self._users == 0
                    and time.monotonic() - self._last >= self.idle_seconds):
                self._store.close()
                self._store = None
                return True
        return False

    @property
    def is_open(self) -> bool:
        return self._store is not None

    # -- use ---------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one request; the store stays open meanwhile."""
        with self._lock:
            if self._store is None:
                self._store = open_with_retry(self.path, self.wait_seconds)
                self.opened += 1
            self._users += 1
            store = self._store
        cur = store.con.cursor()
        try:
            yield cur
        finally:
            cur.close()
            with self._lock:
                self._users -= 1
                self._last = time.monotonic()

    def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(cursor, *args, **kwargs)`` on a cursor of its own."""
        with self.cursor() as cur:
            return fn(cur, *args, **kwargs)

    def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like :meth:`read`, one writer at a time (the library opens the transaction)."""
        with self.write_lock, self.cursor() as cur:
            return fn(cur, *args, **kwargs)
