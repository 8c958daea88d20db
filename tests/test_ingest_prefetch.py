"""The reader thread that parses the next batch while one is written."""

from __future__ import annotations

import threading
import time

import pytest

from infoops.ingest.prefetch import prefetch


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "infoops-ingest-reader"]


def test_items_in_order():
    assert list(prefetch(range(100))) == list(range(100))
    assert list(prefetch([], ahead=3)) == []
    assert not _readers()


def test_error_raised_at_its_item():
    def items():
        yield 1
        yield 2
        raise ValueError("bad row")

    got: list[int] = []
    with pytest.raises(ValueError, match="bad row"):
        got.extend(prefetch(items()))
    assert got == [1, 2]
    assert not _readers()


def test_early_exit_stops_and_closes_the_source():
    produced = []
    closed = threading.Event()

    def items():
        try:
            for i in range(1000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    gen = prefetch(items(), ahead=2)
    for x in gen:
        if x == 3:
            break
    gen.close()
    assert closed.is_set()
    assert not _readers()
    # the reader stays at most `ahead` items (plus the one it holds) ahead
    assert len(produced) <= 3 + 1 + 2 + 1


def test_consumer_error_stops_the_reader():
    def slow():
        for i in range(10):
            time.sleep(0.01)
            yield i

    with pytest.raises(RuntimeError):
        for x in prefetch(slow()):
            if x == 1:
                raise RuntimeError("store failed")
    assert not _readers()


def test_ahead_must_be_positive():
    with pytest.raises(ValueError):
        list(prefetch([1], ahead=0))


def test_ingest_restores_the_checkpoint_setting_and_ends_its_reader(tmp_path):
    from pathlib import Path

    from infoops.ingest import ingest
    from infoops.store import Store

    fix = Path(__file__).parent / "fixtures" / "ingest"
    with Store(tmp_path / "s.duckdb") as s:
        before = s.con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
        r = ingest(s, [fix / "io_tweets_31.csv", fix / "bad_tweets.csv"], batch_size=2)
        assert r.reconciles and r.rows_read == 13
        assert s.con.execute("SELECT current_setting('checkpoint_threshold')").fetchone() == before
        with pytest.raises(Exception):  # noqa: B017 - a source that cannot be read stops the run
            ingest(s, [tmp_path / "missing.csv"])
        assert s.con.execute("SELECT current_setting('checkpoint_threshold')").fetchone() == before
    assert not _readers()
