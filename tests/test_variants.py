"""Operations without the usual tells are still found, end to end.

Simulated tiny worlds where the PRC-like operation never retweets (copypasta
only) or has no new accounts (all hijacked) go through ingest, detect and
evaluate with default settings. Seed 2 is a tuning seed; the held-out
numbers are in docs/benchmarks.md.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from infoops.detect.pipeline import detect
from infoops.ingest import ingest
from infoops.simulate import SimulationError, simulate
from infoops.simulate.evaluation import evaluate
from infoops.store import Store

pytestmark = pytest.mark.slow


def _run(tmp_path: Path, variant: str):
    world = tmp_path / variant
    simulate(world, seed=2, scale="tiny", variant=variant)
    with Store(tmp_path / f"{variant}.duckdb") as store:
        ingest(store, world)
        run_id = detect(store, seed=0)
        return world, evaluate(world / "truth.csv", store=store, run_id=run_id)


def _prc_rows(world: Path, where: str) -> int:
    return duckdb.sql(
        f"""SELECT count(*) FROM read_csv('{world / "tweets.csv"}', all_varchar=true) p
            JOIN read_csv('{world / "truth.csv"}', all_varchar=true) t ON t.userid = p.userid
            WHERE t.operation = 'prc' AND {where}"""
    ).fetchall()[0][0]


def _assert_found(res) -> None:
    assert res.per_operation_recall["prc"] >= 0.9
    assert res.precision >= 0.98
    for group, (flagged, total) in res.hard_negative_flagged.items():
        assert flagged <= 0.01 * total, group


def test_copypasta_only_operation_is_found(tmp_path: Path) -> None:
    world, res = _run(tmp_path, "copypasta")
    assert _prc_rows(world, "p.is_retweet = 'True'") == 0  # not one retweet
    assert _prc_rows(world, "p.is_retweet = 'False'") > 500
    _assert_found(res)
    assert res.role_accuracy is not None and res.role_accuracy >= 0.9


def test_hijacked_only_operation_is_found(tmp_path: Path) -> None:
    world, res = _run(tmp_path, "hijacked")
    groups = duckdb.sql(
        f"""SELECT DISTINCT "group" FROM read_csv('{world / "truth.csv"}', all_varchar=true)
            WHERE operation = 'prc'"""
    ).fetchall()
    assert groups == [("prc_hijacked",)]  # no new, no dormant accounts
    _assert_found(res)


def test_unknown_variant_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SimulationError, match="unknown variant 'stealth'"):
        simulate(tmp_path, seed=1, scale="tiny", variant="stealth")
