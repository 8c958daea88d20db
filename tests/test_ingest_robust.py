"""Quarantine, reconciliation, unreadable sources, the CLI, and kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from infoops.cli import cli, main
from infoops.errors import MappingError, SourceError, UnknownFormatError
from infoops.ingest import ingest
from infoops.store import Store

FIX = Path(__file__).parent / "fixtures" / "ingest"


def test_bad_rows_are_quarantined_with_line_and_reason(store: Store) -> None:
    r = ingest(store, FIX / "bad_tweets.csv")
    assert (r.rows_read, r.rows_stored, r.rows_quarantined, r.rows_duplicate) == (7, 3, 4, 0)
    assert r.reconciles
    q = store.sql("SELECT line, reason, raw FROM quarantine ORDER BY line")
    lines = q["line"].tolist()
    # line 3-4 is one record with a line break inside a quoted field
    assert lines == [5, 6, 7, 9]
    reasons = dict(zip(lines, q["reason"], strict=False))
    assert reasons[5] == "expected 30 fields, found 5"
    assert reasons[6].startswith("bad timestamp in column tweet_time: 2019-13-45 99:99")
    assert "invalid UTF-8" in reasons[7] and "tweet_text" in reasons[7]
    assert reasons[9].startswith("missing post_id")
    raws = dict(zip(lines, q["raw"], strict=False))
    assert raws[5] == "3003,Ee1=,too,few,fields"
    assert "caf\\xe9 \\xff" in raws[7]
    assert set(store.sql("SELECT post_id FROM posts")["post_id"]) == {"3001", "3002", "3006"}
    assert store.sql("SELECT text FROM posts WHERE post_id = '3002'").iloc[0, 0] == "two\nlines"


def test_runs_record_reconciled_counts(store: Store) -> None:
    r = ingest(store, [FIX / "bad_tweets.csv", FIX / "io_tweets_30.csv"])
    run = store.sql("SELECT * FROM ingest_runs").iloc[0]
    assert run["run_id"] == r.run_id and run["status"] == "completed"
    assert run["rows_read"] == run["rows_stored"] + run["rows_quarantined"] + run["rows_duplicate"]
    assert (run["rows_read"], run["rows_quarantined"], run["rows_duplicate"]) == (10, 4, 1)


def test_requarantined_rows_are_not_stored_twice(store: Store) -> None:
    ingest(store, FIX / "bad_tweets.csv")
    again = ingest(store, FIX / "bad_tweets.csv")
    assert (again.rows_quarantined, again.rows_duplicate, again.rows_stored) == (4, 3, 0)
    assert store.count("quarantine") == 4


def test_missing_file_is_one_clear_error(store: Store) -> None:
    with pytest.raises(SourceError, match=r"nope\.csv: no such file or folder"):
        ingest(store, FIX / "nope.csv")
    assert store.count("ingest_runs") == 0


def test_unknown_format_says_what_to_try(store: Store) -> None:
    with pytest.raises(UnknownFormatError) as e:
        ingest(store, [FIX / "io_tweets_31.csv", FIX / "notes.txt"])
    msg = str(e.value)
    assert "notes.txt" in msg and "--format" in msg and "--map" in msg
    assert store.count("posts") == 0  # planned before anything was written


def test_unknown_files_in_a_folder_are_skipped(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "README.txt").write_text("hello\n")
    (folder / "t.csv").write_bytes((FIX / "io_tweets_30.csv").read_bytes())
    r = ingest(store, folder)
    assert [Path(s.source).name for s in r.skipped] == ["README.txt"]
    assert r.rows_stored == 2


def test_truth_file_named_explicitly_is_refused(store: Store) -> None:
    with pytest.raises(UnknownFormatError, match="ground truth"):
        ingest(store, FIX / "world" / "truth.csv")


def test_mapping_naming_absent_column(store: Store) -> None:
    with pytest.raises(MappingError, match="not in the header"):
        ingest(store, FIX / "custom.csv", mapping={"post_id": "id", "account_id": "who",
                                                    "created_at": "when"})


def test_cli_ingest_prints_counts_and_exit_codes(runner: CliRunner, db_path: Path) -> None:
    res = runner.invoke(cli, ["ingest", str(FIX / "bad_tweets.csv"), "--db", str(db_path), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "read 7 = stored 3 + quarantined 4 + duplicate 0 (reconciles)" in res.output


@pytest.mark.parametrize("args, needle", [
    (["nope.csv"], "nope.csv: no such file or folder"),
    ([str(FIX / "notes.txt")], "try --format"),
])
def test_cli_unreadable_source_exits_nonzero(
    db_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    with pytest.raises(SystemExit) as e:
        main(["ingest", *args, "--db", str(db_path), "-q"])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: ") and needle in err[0]


def test_cli_map_and_mapping_file(runner: CliRunner, db_path: Path) -> None:
    res = runner.invoke(cli, ["ingest", str(FIX / "custom.csv"), "--db", str(db_path), "-q",
                              "--mapping", str(FIX / "custom_mapping.toml"), "--map", "text=body"])
    assert res.exit_code == 0, res.output
    with Store(db_path) as s:
        rows = s.sql("SELECT post_id, created_at FROM posts ORDER BY post_id").values.tolist()
        assert [r[0] for r in rows] == ["c1", "c2"]
        assert str(rows[1][1]) == "2021-05-01 08:00:10"  # +02:00 applied
        assert s.sql("SELECT list(tag ORDER BY tag) FROM post_hashtags").iloc[0, 0].tolist() == ["a", "b"]


def test_cli_bad_map_option(runner: CliRunner, db_path: Path) -> None:
    res = runner.invoke(cli, ["ingest", str(FIX / "custom.csv"), "--db", str(db_path), "--map", "oops"])
    assert res.exit_code != 0


def test_progress_goes_to_stderr(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["ingest", str(FIX / "io_tweets_31.csv"), "--db", str(db_path)])
    out = capsys.readouterr()
    assert "io_tweets_31.csv: 6 rows" in out.err
    assert "6 rows" not in out.out and "stored 6" in out.out


_BIG_ROWS = 20_000


def _write_big(path: Path) -> None:
    header = (FIX / "io_tweets_30.csv").read_text().splitlines()[0]
    with path.open("w") as f:
        f.write(header + "\n")
        for i in range(_BIG_ROWS):
            f.write(f"{i},u{i % 97},,n{i % 97},,,,,,,,,text {i},2020-01-01 00:{i % 60:02d},,,,,False,,,,,,,,,"
                    f"['t{i % 7}'],[],[]\n")


def test_kill_9_leaves_whole_batches_and_rerun_completes(tmp_path: Path) -> None:
    src = tmp_path / "big.csv"
    _write_big(src)
    db = tmp_path / "k.duckdb"
    code = (
        "import sys; from infoops.store import Store; from infoops.ingest import ingest\n"
        "s = Store(sys.argv[2])\n"
        "ingest(s, [sys.argv[1]], batch_size=1000, progress=lambda *a: print('batch', flush=True))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(src), str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 3 and time.monotonic() < deadline:  # let a few batches commit, then kill -9
        if proc.stdout.readline().startswith("batch"):
            seen += 1
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert seen == 3
    with Store(db) as s:
        posts = s.count("posts")
        assert 0 < posts < _BIG_ROWS and posts % 1000 == 0  # whole batches only
        assert s.count("post_hashtags") == posts  # entities committed with their posts
        run = s.sql("SELECT status, rows_stored FROM ingest_runs").iloc[0]
        assert run["rows_stored"] == posts
        r = ingest(s, src, batch_size=5000)
        assert (r.rows_stored, r.rows_duplicate) == (_BIG_ROWS - posts, posts)
        assert s.count("posts") == _BIG_ROWS and s.count("post_hashtags") == _BIG_ROWS
        statuses = sorted(s.sql("SELECT status FROM ingest_runs")["status"])
        assert statuses == ["completed", "interrupted"]


def test_store_inside_the_ingested_folder_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes((FIX / "io_tweets_30.csv").read_bytes())
    with Store(tmp_path / "infoops.duckdb") as s:
        r = ingest(s, tmp_path)
        assert [Path(x.source).name for x in r.sources] == ["t.csv"] and r.skipped == []


def test_hostile_header_is_not_echoed_raw(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    path.write_text("a\x1b[31m,b\x07\n1,2\n")
    with pytest.raises(UnknownFormatError) as e:
        ingest(store, path)
    assert "\x1b" not in str(e.value) and "\x07" not in str(e.value) and "a?[31m" in str(e.value)
