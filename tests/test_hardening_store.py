"""Issue 13, the store and the CLI's edges: dead runs, foreign files, busy stores,
outputs that cannot be written, option values. Each failed before the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from hardening_fixtures import tweets, write_tweets
from infoops.cli import main
from infoops.errors import NotAStoreError, OptionValueError, RunNotCompletedError, StoreBusyError
from infoops.ingest import ingest
from infoops.store import Store
from infoops.store.schema import RESULT_TABLES
from report_fixtures import build_world, load_world


def _run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    # progress lines ("... network N3 (1 of 3, ...)") may come first; the error is one line
    err = [x for x in capsys.readouterr().err.strip().splitlines() if not x.startswith("... ")]
    assert len(err) == 1 and err[0].startswith("Error: "), err  # one line, no traceback
    return int(e.value.code or 0), err[0]


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@pytest.fixture
def world_db(tmp_path: Path) -> Path:
    path = tmp_path / "world.duckdb"
    with Store(path) as s:
        load_world(s, build_world())
    return path


# -- item 5: dead runs ----------------------------------------------------------------
def _fake_dead_detect(path: Path, run_id: str = "run-dead") -> None:
    with Store(path) as s:
        s.execute("INSERT INTO detect_runs (run_id, started_at, status) VALUES (?, now(), 'running')", [run_id])
        s.execute("INSERT INTO run_owners VALUES (?, 'detect', ?, ?, 'detect')",
                  [run_id, _dead_pid(), os.uname().nodename])
        for table in RESULT_TABLES:
            if table == "detect_runs":
                continue
            cols = s.execute(f"SELECT * FROM {table} LIMIT 0").description
            values = ["?"] * len(cols)
            row = [run_id if c[0] == "run_id" else ("x" if c[0] in ("trace", "a", "b", "network_id",
                                                                        "account_id") else None)
                   for c in cols]
            if table == "edges":
                row[[c[0] for c in cols].index("weight")] = 1.0
            s.execute(f"INSERT INTO {table} VALUES ({', '.join(values)})", row)


def test_dead_detect_run_is_marked_interrupted_and_its_rows_removed(world_db: Path) -> None:
    _fake_dead_detect(world_db)
    with Store(world_db, read_only=True) as s:  # a reader cleans up too
        assert s.execute("SELECT status FROM detect_runs WHERE run_id = 'run-dead'").fetchall() == [
            ("interrupted",)]
        for table in RESULT_TABLES:
            if table != "detect_runs":
                n = s.execute(f"SELECT count(*) FROM {table} WHERE run_id = 'run-dead'").fetchall()[0][0]
                assert n == 0, table
        assert s.recovered == [("detect", "run-dead")]


def test_live_run_of_this_process_is_left_alone(store: Store) -> None:
    store.execute("INSERT INTO detect_runs (run_id, started_at, status) VALUES ('r', now(), 'running')")
    store.claim_run("r", "detect")
    with Store(store.path) as again:  # same process, still running
        assert again.recovered == []


def test_dead_ingest_run_is_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        s.execute("INSERT INTO ingest_runs (run_id, started_at, status) VALUES ('i1', now(), 'running')")
    with Store(path) as s:  # no owner row: started before migration 4, or killed at once
        assert s.execute("SELECT status FROM ingest_runs").fetchall() == [("interrupted",)]


def test_show_report_and_export_refuse_a_run_that_did_not_complete(
        world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store(world_db) as s:
        s.execute("INSERT INTO detect_runs (run_id, started_at, status) VALUES ('run-failed', now(), 'failed')")
        with pytest.raises(RunNotCompletedError):
            s.completed_run("run-failed")
    for args in (["show", "--network", "n1", "--run", "run-failed"],
                 ["report", "--run", "run-failed", "--out", str(tmp_path / "r.html")],
                 ["export-graph", "--run", "run-failed", "--out", str(tmp_path / "g.gexf")]):
        code, err = _run_cli(capsys, *args, "--db", str(world_db))
        assert code == 1 and "is failed, not completed" in err
    assert not (tmp_path / "r.html").exists()


# -- items 7 and 8: foreign files, empty paths ---------------------------------------------
def test_sqlite_file_is_refused_without_loading_an_extension(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    path = tmp_path / "some.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(NotAStoreError, match="is a SQLite database, not an infoops store"):
        Store(path)
    code, err = _run_cli(capsys, "status", "--db", str(path))
    assert code == 2 and "SQLite" in err
    csv = write_tweets(tmp_path / "t.csv", tweets(2))
    with pytest.raises(NotAStoreError, match="text file"):
        Store(csv)


def test_store_never_autoloads_extensions(store: Store) -> None:
    settings = dict(store.execute(
        "SELECT name, value FROM duckdb_settings() WHERE name LIKE 'auto%_known_extensions'").fetchall())
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_empty_db_path_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(OptionValueError):
        Store("")
    with pytest.raises(SystemExit) as e:
        main(["ingest", str(write_tweets(tmp_path / "t.csv", tweets(2))), "--db", "", "-q"])
    assert e.value.code == 2
    assert "give a store file" in capsys.readouterr().err


# -- item 13: store busy --------------------------------------------------------------------
_HOLDER = """
import sys, time
sys.argv = ["infoops", "ingest"]
from infoops.store import Store
s = Store({path!r})
print("open", flush=True)
time.sleep(60)
"""


def test_busy_store_names_the_writer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER.format(path=str(path))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreBusyError):
            Store(path, read_only=True)
        code, err = _run_cli(capsys, "status", "--db", str(path))
        assert code == 75
        assert f"store busy: ingest running (pid {holder.pid}) since " in err
        assert err.endswith("retry when it ends")
        assert sys.executable not in err
    finally:
        holder.kill()
        holder.wait()
    with Store(path, read_only=True):  # free again; the side file of the dead writer is ignored
        pass


# -- item 9: outputs ------------------------------------------------------------------------
def test_report_into_impossible_places_is_one_line(world_db: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    code, err = _run_cli(capsys, "report", "--db", str(world_db), "--out", str(blocker / "r.html"))
    assert code == 2 and str(blocker) in err and "not a folder" in err
    with pytest.raises(SystemExit) as e:  # click's own check: a usage error
        main(["report", "--db", str(world_db), "--out", str(tmp_path)])
    assert e.value.code == 2 and "is a directory" in capsys.readouterr().err
    if Path("/dev/full").exists():
        code, err = _run_cli(capsys, "report", "--db", str(world_db), "--out", "/dev/full")
        assert code == 1 and "/dev/full" in err and "free disk space" in err


def test_report_is_written_whole_or_not_at_all(world_db: Path, tmp_path: Path, monkeypatch) -> None:
    from infoops import report

    out = tmp_path / "r.html"
    out.write_text("the previous report")

    def half_then_fail(data: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "render_report", half_then_fail)
    with pytest.raises(SystemExit) as e:
        main(["report", "--db", str(world_db), "--out", str(out)])
    assert e.value.code == 1
    assert out.read_text() == "the previous report"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".r")] == []


def test_detect_checks_out_before_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        ingest(s, write_tweets(tmp_path / "t.csv", tweets(20)))
    code, err = _run_cli(capsys, "detect", "--db", str(db), "--out", str(tmp_path / "no" / "f.csv"))
    assert code == 2 and "does not exist" in err
    with Store(db, read_only=True) as s:
        assert s.count("detect_runs") == 0  # refused before any work


def test_resource_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch) -> None:
    from infoops import workflow as runner

    def oom(*a: object, **k: object) -> str:
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate; use SET memory_limit")

    monkeypatch.setattr(runner, "run_detect_command", oom)
    code, err = _run_cli(capsys, "detect", "--db", str(tmp_path / "s.duckdb"), "--memory-limit", "50MB")
    assert code == 1 and "--memory-limit" in err and "SET memory_limit" not in err

    def full(*a: object, **k: object) -> str:
        raise duckdb.IOException("IO Error: could not write file: No space left on device")

    monkeypatch.setattr(runner, "run_detect_command", full)
    code, err = _run_cli(capsys, "detect", "--db", str(tmp_path / "s.duckdb"))
    assert code == 1 and "disk full" in err


# -- item 12: option values exit 2 everywhere --------------------------------------------
@pytest.mark.parametrize("args", [
    ["detect", "--min-weight", "co-retweet=-1"],
    ["detect", "--window", "co-retweet=-5"],
    ["detect", "--window", "co-retweet=nan"],
    ["detect", "--memory-limit", "lots"],
    ["detect", "--alpha", "5"],
    ["detect", "--resolution", "-1"],
    ["detect", "--role", "min_network_score"],
    ["network", "--trace", "co-retweet", "--min-weight", "-1", "--out", "x.csv"],
])
def test_bad_option_values_exit_2(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "s.duckdb"
    with pytest.raises(SystemExit) as e:
        main([*args, "--db", str(db)])
    assert e.value.code == 2


def test_status_shows_interrupted_runs(world_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fake_dead_detect(world_db)
    main(["status", "--db", str(world_db)])
    out = capsys.readouterr().out
    assert "interrupted 1" in out
