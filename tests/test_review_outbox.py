"""The enforcement outbox against a local receiver on 127.0.0.1: keys, retries, backoff."""
# ruff: noqa: F811  (pytest fixtures imported from review_fixtures, then used as arguments)

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

import pytest

from infoops.errors import ReviewError
from infoops.review import cases, outbox
from infoops.review.access import StoreAccess
from infoops.review.delivery import Deliverer
from infoops.review.rows import utcnow
from infoops.review.users import User
from infoops.store import Store
from review_fixtures import RUN, hand_db, hand_template  # noqa: F401

ROB, RITA = User("rob", "reviewer"), User("rita", "reviewer")


class Receiver:
    """A platform endpoint that fails the first ``fail`` requests with 503."""

    def __init__(self, fail: int = 0, code: int = 503) -> None:
        self.fail, self.code = fail, code
        self.requests: list[tuple[dict, dict]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append((dict(self.headers), body))
                failing = len(owner.requests) <= owner.fail
                self.send_response(owner.code if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/enforce"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _takedown(con) -> str:
    cid = cases.open_case(con, ROB, RUN, "1")
    cases.decide(con, ROB, cid, "confirm", "fake_accounts", None, 1)
    return cid


def test_batches_and_idempotency_keys(hand_db: Path) -> None:
    with Store(hand_db) as s:
        cid = cases.open_case(s.con, ROB, RUN, "1")
        s.con.execute("BEGIN")
        ids = outbox.enqueue(s.con, "takedown", cid, [f"x{i}" for i in range(7)], {}, batch_size=3)
        s.con.execute("COMMIT")
        assert len(ids) == 3
        rows = outbox.due(s.con)
        payloads = [json.loads(r["payload"]) for r in rows]
        assert [len(p["accounts"]) for p in payloads] == [3, 3, 1]
        assert len({r["idempotency_key"] for r in rows}) == 3
        assert all(p["idempotency_key"] == r["idempotency_key"] for p, r in zip(payloads, rows, strict=False))


def test_retry_with_backoff_until_delivered(hand_db: Path) -> None:
    policy = outbox.RetryPolicy(base_seconds=10, max_seconds=60, max_attempts=5)
    with Store(hand_db) as s, Receiver(fail=2) as rx:
        cid = _takedown(s.con)
        t0 = utcnow()
        assert outbox.deliver_due(s.con, rx.url, policy, now=t0) == {"pending": 1}
        row = outbox.listing(s.con, cid)[0]
        assert row["attempts"] == 1 and row["last_error"] == "HTTP 503"
        # not due yet: the first retry waits base seconds
        assert outbox.deliver_due(s.con, rx.url, policy, now=t0 + timedelta(seconds=5)) == {}
        assert outbox.deliver_due(s.con, rx.url, policy, now=t0 + timedelta(seconds=11)) == {
            "pending": 1}
        # the second retry waits twice as long
        assert outbox.deliver_due(s.con, rx.url, policy, now=t0 + timedelta(seconds=25)) == {}
        assert outbox.deliver_due(s.con, rx.url, policy, now=t0 + timedelta(seconds=40)) == {
            "delivered": 1}
        keys = {h["Idempotency-Key"] for h, _ in rx.requests}
        assert len(rx.requests) == 3 and len(keys) == 1  # the same key on every retry
        body = rx.requests[-1][1]
        assert body["action"] == "takedown" and body["case_id"] == cid
        assert len(body["accounts"]) == 18 and body["policy"] == "fake_accounts"
        assert outbox.listing(s.con, cid)[0]["status"] == "delivered"


def test_gives_up_after_max_attempts_and_can_be_retried(hand_db: Path) -> None:
    policy = outbox.RetryPolicy(base_seconds=1, max_seconds=1, max_attempts=2)
    with Store(hand_db) as s:
        cid = _takedown(s.con)
        t0 = utcnow()
        dead = "http://127.0.0.1:9/nothing-listens-here"
        outbox.deliver_due(s.con, dead, policy, now=t0)
        assert outbox.deliver_due(s.con, dead, policy, now=t0 + timedelta(seconds=2)) == {
            "failed": 1}
        row = outbox.listing(s.con, cid)[0]
        assert row["status"] == "failed" and "Error" in row["last_error"]
        with pytest.raises(ReviewError):
            outbox.retry(s.con, User("ann", "analyst"), row["action_id"])
        outbox.retry(s.con, RITA, row["action_id"])
        assert outbox.listing(s.con, cid)[0]["status"] == "pending"
        with pytest.raises(ReviewError, match="not failed"):
            outbox.retry(s.con, RITA, row["action_id"])


def test_background_deliverer_sends_what_actions_queue(hand_db: Path) -> None:
    access = StoreAccess(str(hand_db), idle_seconds=0.2)
    with Receiver(fail=1) as rx:
        d = Deliverer(access, rx.url, outbox.RetryPolicy(base_seconds=0.1, max_seconds=0.2))
        access.start()
        d.start()
        try:
            access.write(_takedown)
            d.kick()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if access.read(outbox.listing)[0]["status"] == "delivered":
                    break
                time.sleep(0.1)
            assert access.read(outbox.listing)[0]["status"] == "delivered"
            assert len(rx.requests) == 2
        finally:
            d.stop()
            access.stop()
