"""Stores for the review app's tests: the report's hand-built world and a tiny simulated one.

:func:`hand_store` copies a store built once from :mod:`report_fixtures` (run
``run-2``: network "1" of 19 accounts, "2" of 4, "3" of 2, with hostile text
planted), with three users added. :func:`simulated_store` builds a tiny
simulated world once per session (``simulate --scale tiny --seed 3``, ingest,
detect), for the browser test.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Self

from click.testing import CliRunner

from infoops.cli import cli
from infoops.review import users
from infoops.store import Store
from report_fixtures import (
    BIDI,
    HOSTILE_LOCATION,
    HOSTILE_NAME,
    HOSTILE_TAG,
    HOSTILE_URL,
    SCRIPT,
    build_world,
    load_world,
)

RUN = "run-2"
PASSWORDS = {"ann": "analyst-pass-1", "rob": "reviewer-pass-1", "rita": "reviewer-pass-2",
             "ada": "admin-pass-123"}
ROLES = {"ann": "analyst", "rob": "reviewer", "rita": "reviewer", "ada": "admin"}
#: Every hostile string of the report's corpus, planted in names, posts, notes, statements.
HOSTILE = (SCRIPT, HOSTILE_NAME, HOSTILE_TAG, HOSTILE_URL, HOSTILE_LOCATION)


def make_hand_store(path: Path) -> Path:
    """Build the hand-made world with users and hostile text everywhere (slow-ish: once)."""
    s = Store(path)
    load_world(s, build_world())
    con = s.con
    con.execute("UPDATE posts SET text = ? || ' ' || post_id || ? WHERE account_id LIKE 'c%' "
                "OR account_id LIKE 'a%'", [SCRIPT, BIDI])
    con.execute("UPDATE accounts SET screen_name = ?, display_name = ?, location = ?, "
                "description = ? WHERE account_id = 'c1'",
                [HOSTILE_NAME, HOSTILE_TAG, HOSTILE_LOCATION, SCRIPT])
    con.execute("UPDATE members SET reason = ? WHERE account_id = 'c1'", [SCRIPT + HOSTILE_URL])
    for name, role in ROLES.items():
        users.add_user(con, name, role, PASSWORDS[name])
    s.close()
    return path


def copy_of(template: Path, dest: Path) -> Path:
    shutil.copyfile(template, dest)
    return dest


def make_simulated_store(folder: Path) -> Path:
    """``simulate --scale tiny --seed 3``, ingest, detect; users added (about 20 s)."""
    runner = CliRunner()
    world, db = folder / "world", folder / "sim.duckdb"
    for args in (["simulate", "--scale", "tiny", "--seed", "3", "--out", str(world), "--quiet"],
                 ["ingest", str(world), "--db", str(db), "--quiet"],
                 ["detect", "--db", str(db), "--quiet"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, (args, result.output)
    s = Store(db)
    for name, role in ROLES.items():
        users.add_user(s.con, name, role, PASSWORDS[name])
    s.close()
    return db


# -- pytest fixtures (import them into a test module to use them) -----------------------
import pytest


@pytest.fixture(scope="session")
def hand_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hand_store(tmp_path_factory.mktemp("review-hand") / "hand.duckdb")


@pytest.fixture
def hand_db(hand_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the hand-built world with users, per test."""
    return copy_of(hand_template, tmp_path / "review.duckdb")


@pytest.fixture(scope="session")
def sim_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_simulated_store(tmp_path_factory.mktemp("review-sim"))


# -- a real server in another process ----------------------------------------------------------
import socket
import subprocess
import sys
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServeProcess:
    """``infoops serve`` in a subprocess on a free loopback port; a context manager."""

    def __init__(self, db: Path, *args: str, timeout: float = 60.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, "-m", "infoops", "serve", "--db", str(db),
                     "--port", str(self.port), *args]
        self.timeout = timeout
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        import httpx

        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode() if self.proc.stdout else ""
                raise RuntimeError(f"infoops serve exited: {out}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("infoops serve did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def http_login(client, name: str) -> str:  # client: httpx.Client with base_url
    token = client.get("/api/login").json()["csrf_token"]
    r = client.post("/api/login", json={"username": name, "password": PASSWORDS[name]},
                    headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])
