"""``infoops show`` for an account and a network, and hostile text on a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from infoops.cli import cli
from infoops.detect.refine import refine
from infoops.errors import NotFoundError
from infoops.report.show import account_report, network_report, terminal_safe
from infoops.store import Store
from test_roles import RUN, build_world

HOSTILE = "\x1b[2J\x1b[31mred\u202eevil\u202c " + "x" * 500


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("show") / "w.duckdb"
    with Store(path) as store:
        names = build_world(store)
        amp, core = names["amp0"], names["core0"]
        store.execute(
            """
            INSERT INTO evidence
            SELECT ?, 'fast-retweet', least(r.account_id, o.account_id), greatest(r.account_id, o.account_id),
                   CASE WHEN r.account_id < o.account_id THEN r.post_id ELSE o.post_id END,
                   CASE WHEN r.account_id < o.account_id THEN o.post_id ELSE r.post_id END,
                   o.post_id, epoch(r.created_at) - epoch(o.created_at)
            FROM posts r JOIN posts o ON o.post_id = r.ref_post_id
            WHERE r.account_id = ? AND o.account_id = ?
            """,
            [RUN, amp, core],
        )
        store.execute(
            "UPDATE posts SET text = ? WHERE post_id = (SELECT object FROM evidence "
            "ORDER BY abs(delta_seconds), object LIMIT 1)",
            [HOSTILE],
        )
        refine(store, RUN)
    return path, names


def test_show_account_prints_profile_role_signals_and_links(runner: CliRunner, world_db) -> None:
    path, names = world_db
    result = runner.invoke(cli, ["show", names["amp0"], "--db", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Account {names['amp0']}" in out
    assert "network net-1: amplifier, score" in out
    assert "why: " in out and "created within 3 days of" in out
    assert "! creation_burst" in out and "! low_followers" in out
    assert f"fast-retweet with {names['core0']}" in out
    assert "(gap 60 s)" in out
    links = [line for line in out.splitlines() if " with " in line and "weight" in line]
    assert len(links) == 5 and not any("celeb" in x for x in links)  # network links first


def test_show_account_by_screen_name_and_json(runner: CliRunner, world_db) -> None:
    path, _ = world_db
    result = runner.invoke(cli, ["show", "@" + "core1_sn", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["role"] == "core" and doc["network_id"] == "net-1" and doc["run_id"] == RUN
    assert doc["signals"]["office_hours"]["utc_offset"] == 8
    assert doc["links"] and all("evidence" in link for link in doc["links"])


def test_show_network(runner: CliRunner, world_db) -> None:
    path, _ = world_db
    result = runner.invoke(cli, ["show", "--network", "net-1", "--db", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Network net-1" in out and "4 core, 16 amplifiers" in out
    assert "members: 16 amplifier, 4 core" in out
    assert "co-retweet" in out and "fast-retweet" in out
    assert "creation_burst" in out and "100%" in out
    assert out.count("amplified by 16 members") == 4


def test_hostile_text_is_sanitized(runner: CliRunner, world_db) -> None:
    path, names = world_db
    result = runner.invoke(cli, ["show", names["amp0"], "--db", str(path)])
    out = result.output
    assert "\x1b" not in out and "\u202e" not in out
    assert "[2J[31mredevil" in out  # the text is kept, without its control characters
    assert max(len(line) for line in out.splitlines()) < 700
    assert terminal_safe("a\nb\tc\x00d\u2066e", 100) == "a b cde"
    assert terminal_safe("y" * 50, 10) == "y" * 9 + "…"


def test_outsider_gets_signals_computed(world_db) -> None:
    path, names = world_db
    with Store(path, read_only=True) as store:
        rep = account_report(store, names["org3"])
        assert rep["network_id"] is None and rep["role"] is None
        assert set(rep["signals"]) >= {"creation_burst", "low_followers", "office_hours"}
        net = network_report(store, "net-1")
        assert net["roles"] == {"amplifier": 16, "core": 4}


def test_show_errors(runner: CliRunner, world_db, tmp_path: Path) -> None:
    path, _ = world_db
    result = runner.invoke(cli, ["show", "nobody", "--db", str(path)])
    assert isinstance(result.exception, NotFoundError) and "no account 'nobody'" in str(result.exception)
    result = runner.invoke(cli, ["show", "--network", "net-9", "--db", str(path)])
    assert isinstance(result.exception, NotFoundError) and "networks include: net-1" in str(result.exception)
    result = runner.invoke(cli, ["show", "--db", str(path)])
    assert result.exit_code == 2 and "either ACCOUNT or --network" in result.output
    result = runner.invoke(cli, ["show", "x", "--run", "run-nope", "--db", str(path)])
    assert isinstance(result.exception, NotFoundError) and "no detect run" in str(result.exception)
