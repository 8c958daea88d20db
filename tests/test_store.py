from pathlib import Path

import pytest

from infoops.errors import NotFoundError, OptionValueError, SchemaVersionError, StoreError
from infoops.store import SCHEMA_VERSION, Store, open_store
from infoops.store.schema import DATA_TABLES, MIGRATIONS, RESULT_TABLES


def test_new_store_has_every_table_and_version(store: Store) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    for name in DATA_TABLES + RESULT_TABLES + ("quarantine", "ingest_runs"):
        assert name in store.tables()
        assert store.count(name) == 0


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    s = Store(path)
    assert s.migrate() == []
    assert s.count("schema_migrations") == len(MIGRATIONS)
    s.close()


def test_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    s = Store(path)
    s.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    s.close()
    with pytest.raises(SchemaVersionError, match="upgrade infoops"):
        Store(path)


def test_read_only_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="infoops ingest"):
        Store(tmp_path / "nope.duckdb", read_only=True)


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.duckdb"
    path.write_text("hello")
    with pytest.raises(StoreError, match="not an infoops store"):
        Store(path)


def test_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as con:
        con.execute("INSERT INTO accounts (account_id) VALUES ('a')")
        raise RuntimeError("boom")
    assert store.count("accounts") == 0


def test_tables_as_pandas_arrow_polars(store: Store) -> None:
    store.execute("INSERT INTO accounts (account_id, followers) VALUES ('a', 3), ('b', 0)")
    assert list(store.table("accounts")["account_id"]) == ["a", "b"]
    assert store.arrow("accounts").num_rows == 2
    pl = pytest.importorskip("polars")
    assert isinstance(store.polars("accounts"), pl.DataFrame)
    with pytest.raises(NotFoundError, match="no table"):
        store.table("nope")


def test_open_store_and_latest_run(tmp_path: Path) -> None:
    with open_store(tmp_path / "x.duckdb") as s:
        with pytest.raises(NotFoundError, match="infoops detect"):
            s.latest_detect_run()
        s.execute("INSERT INTO detect_runs VALUES ('r1', now(), now(), 'completed', '{}', '{}')")
        assert s.latest_detect_run() == "r1"


def test_store_reads_leave_no_open_result(store: Store) -> None:
    """DuckDB 2 refuses new work while a result is unfinished; Store's reads finish theirs."""
    store.execute("INSERT INTO detect_runs VALUES ('r1', now(), now(), 'completed', '{}', '{}')")
    assert store.latest_detect_run() == "r1"
    assert store.schema_version() == SCHEMA_VERSION
    assert store.count("posts") == 0
    assert store.con.sql("SELECT count(*) FROM detect_runs").fetchall() == [(1,)]


def _limit_as_duckdb_shows_it(limit: str) -> str:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{limit}'")
    return str(con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0])


def test_memory_limit_is_applied_and_validated(tmp_path: Path, monkeypatch) -> None:
    with Store(tmp_path / "s.duckdb", memory_limit="1GB") as s:
        shown = s.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
        assert shown == _limit_as_duckdb_shows_it("1GB") != _limit_as_duckdb_shows_it("2GB")
    monkeypatch.setenv("INFOOPS_MEMORY_LIMIT", "512MB")
    with Store(tmp_path / "s.duckdb") as s:
        shown = s.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
        assert shown == _limit_as_duckdb_shows_it("512MB")
    with pytest.raises(OptionValueError, match="memory limit 'lots'"):
        Store(tmp_path / "s.duckdb", memory_limit="lots")


def test_detect_cli_rejects_a_bad_memory_limit(tmp_path: Path, capsys) -> None:
    from infoops.cli import main

    with pytest.raises(SystemExit) as e:
        main(["detect", "--db", str(tmp_path / "s.duckdb"), "--memory-limit", "a lot"])
    assert e.value.code == 2  # a bad option value, as click's own checks exit
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "memory limit 'a lot'" in err
