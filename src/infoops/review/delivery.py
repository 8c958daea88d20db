"""The background deliverer of ``infoops serve``: sends due outbox rows to ``--enforce-url``.

It touches the store only when there is work: after an action queues rows
(:meth:`Deliverer.kick`) and when the earliest retry falls due, so an idle
server still releases the store for other commands.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from infoops.review import outbox
from infoops.review.access import StoreAccess
from infoops.review.rows import utcnow
from infoops.store.sql import scalar


def _next_due(con: Any) -> datetime | None:
    value = scalar(con, "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'")
    return value if isinstance(value, datetime) else None


class Deliverer:
    """One thread that POSTs due outbox rows, with the retry policy's backoff."""

    def __init__(self, access: StoreAccess, url: str, policy: outbox.RetryPolicy | None = None,
                 post: outbox.Poster = outbox.http_post) -> None:
        self.access = access
        self.url = url
        self.policy = policy or outbox.RetryPolicy()
        self.post = post
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()
        self.kick()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def kick(self) -> None:
        """Look at the outbox now (an action just queued rows)."""
        self._wake.set()

    def run_once(self) -> float | None:
        """Send every due row once; return seconds until the next retry is due (None: none)."""
        due = self.access.read(outbox.due)
        for row in due:
            ok, err = outbox.send(row, self.url, self.policy, self.post)
            self.access.write(outbox.record, row["action_id"], ok, err, self.policy)
        nxt = self.access.read(_next_due)
        self.passes += 1
        return None if nxt is None else max((nxt - utcnow()).total_seconds(), 0.05)

    def _run(self) -> None:
        wait: float | None = None
        while not self._stop.is_set():
            self._wake.wait(timeout=wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                wait = self.run_once()
                self.last_error = None
            except Exception as exc:
                self.last_error = str(exc)
                wait = 5.0
