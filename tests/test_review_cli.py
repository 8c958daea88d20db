"""``infoops users``, ``infoops audit`` and ``infoops serve`` through click's runner."""
# ruff: noqa: F811  (pytest fixtures imported from review_fixtures, then used as arguments)

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from infoops.cli import cli, main
from infoops.review import users
from infoops.store import Store
from review_fixtures import hand_db, hand_template  # noqa: F401


def test_users_add_from_env_and_prompt(tmp_path: Path) -> None:
    db = tmp_path / "u.duckdb"
    Store(db).close()
    runner = CliRunner()
    r = runner.invoke(cli, ["users", "add", "root", "--role", "admin", "--db", str(db)],
                      env={"INFOOPS_PASSWORD": "first-admin-pw"})
    assert r.exit_code == 0 and "added root (admin)" in r.output
    r = runner.invoke(cli, ["users", "add", "ann", "--role", "analyst", "--db", str(db)],
                      input="typed-password\ntyped-password\n", env={"INFOOPS_PASSWORD": ""})
    assert r.exit_code == 0, r.output
    with Store(db) as s:
        assert users.authenticate(s.con, "ann", "typed-password").role == "analyst"
        assert users.authenticate(s.con, "root", "first-admin-pw").role == "admin"
    r = runner.invoke(cli, ["users", "list", "--db", str(db)])
    assert r.output.splitlines() == ["ann\tanalyst\tactive", "root\tadmin\tactive"]


def test_users_add_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "u.duckdb"
    Store(db).close()
    r = CliRunner().invoke(cli, ["users", "add", "x", "--role", "king", "--db", str(db)])
    assert r.exit_code == 2 and "king" in r.output
    monkeypatch.setenv("INFOOPS_PASSWORD", "short")
    with pytest.raises(SystemExit) as e:
        main(["users", "add", "ann", "--role", "analyst", "--db", str(db)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == "Error: password too short: use at least 8 characters"


def test_audit_prints_verifies_and_fails_when_edited(hand_db: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["audit", "--db", str(hand_db), "--verify"])
    assert r.exit_code == 0, r.output
    assert "user.add" in r.output and "audit log intact: 4 entries" in r.output
    r = runner.invoke(cli, ["audit", "--db", str(hand_db), "--json", "--limit", "2"])
    assert r.exit_code == 0 and '"verify": null' in r.output
    con = duckdb.connect(str(hand_db))
    con.execute("UPDATE audit_log SET after = '{\"role\": \"admin\"}' WHERE seq = 1")
    con.close()
    with pytest.raises(SystemExit) as e:
        main(["audit", "--db", str(hand_db), "--verify", "--limit", "0"])
    assert e.value.code == 1


def test_serve_needs_an_existing_store(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.duckdb")])
    assert r.exit_code != 0 and "no such store" in str(r.exception or r.output)
