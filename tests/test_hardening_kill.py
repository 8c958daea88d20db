"""kill -9 at random moments: the run shows as interrupted and leaves no partial rows.

Issue 13, item 5. The moments are drawn from a seeded generator, so a failure
can be replayed; several runs per test, in the slow suite.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infoops.cli import main
from infoops.ingest import ingest
from infoops.store import Store
from infoops.store.schema import RESULT_TABLES

pytestmark = pytest.mark.slow


def _status(db: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    main(["status", "--db", str(db), "--json"])
    return json.loads(capsys.readouterr().out)


def _kill_after(cmd: list[str], seconds: float) -> bool:
    """Run ``cmd``, kill -9 it after ``seconds``; True when it was killed (not finished)."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        return True


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kill")
    subprocess.run([sys.executable, "-m", "infoops", "simulate", "--out", str(folder / "w"),
                    "--scale", "tiny", "--seed", "5"], check=True, capture_output=True)
    (folder / "w" / "truth.csv").unlink()
    with Store(folder / "base.duckdb") as s:
        ingest(s, folder / "w")
    return folder


def _kill_at_stage(cmd: list[str], stage: str, delay: float) -> bool:
    """Run ``cmd``; kill -9 it ``delay`` seconds after it reports ``stage`` on stderr."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert p.stderr is not None
    for line in p.stderr:
        if stage in line:
            time.sleep(delay)
            break
    if p.poll() is not None:
        return False
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    return True


def test_kill_9_during_detect(world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(13)
    killed = 0
    # during roles (networks, members, edges and evidence already committed), while
    # writing them, and in a trace
    for k, stage in enumerate(["roles", "writing results", rng.choice(["co-retweet", "co-url", "co-hashtag"])]):
        db = tmp_path / f"d{k}.duckdb"
        db.write_bytes((world / "base.duckdb").read_bytes())
        delay = rng.uniform(0.0, 0.5)
        if not _kill_at_stage([sys.executable, "-m", "infoops", "detect", "--db", str(db)], stage, delay):
            continue
        killed += 1
        status = _status(db, capsys)
        assert status["detect_runs_by_status"] == {"interrupted": 1}, (stage, status)
        with Store(db, read_only=True) as s:
            for table in RESULT_TABLES:
                if table != "detect_runs":
                    assert s.count(table) == 0, (stage, delay, table)
    assert killed >= 2


_INGEST = """
import sys
from infoops.ingest import ingest
from infoops.store import Store
s = Store(sys.argv[1])
ingest(s, sys.argv[2], batch_size=500)
"""


def test_kill_9_during_ingest(world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(7)
    killed = 0
    for k in range(3):
        db = tmp_path / f"i{k}.duckdb"
        when = rng.uniform(2.5, 5.0)
        started = time.monotonic()
        if not _kill_after([sys.executable, "-c", _INGEST, str(db), str(world / "w" / "tweets.csv")], when):
            continue
        assert time.monotonic() - started >= when
        killed += 1
        status = _status(db, capsys)
        last = status["last_ingest"]
        if last is None:  # killed before the run row was written
            continue
        assert last["status"] == "interrupted"
        # whole batches only: the run's counters and the rows were committed together
        assert status["posts"] == last["rows_stored"]
        assert last["rows_read"] % 500 == 0
    assert killed >= 2
