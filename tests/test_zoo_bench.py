"""The zoo benchmark harness: per-world rows, worst case and quantiles, tables, one real run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from infoops.simulate.evaluation import score
from infoops.simulate.zoo_bench import (
    SEED_SETS,
    by_family,
    family_table,
    run_world,
    summarize,
    summary_table,
    world_metrics,
    worlds_table,
)
from infoops.simulate.zoo_params import draw_zoo


def _row(seed: int, p: float, r: float, worst_share: float, fams: list[str]) -> dict[str, Any]:
    return {
        "seed": seed, "scale": "tiny", "families": fams,
        "operations": {"broadcast_1": {"recall": r, "n": 10, "traits": ["broadcast", "small_op"]}},
        "precision": p, "recall": r, "f1": 0.0, "min_op_recall": r, "worst_op": "broadcast_1",
        "role_accuracy": 1.0, "ari": 0.9, "worst_group": "fan_community",
        "worst_group_share": worst_share, "worst_group_count": [1, 10], "organic_share": 0.0,
        "groups": {"fan_community": [int(worst_share * 10), 10]}, "n_flagged": 5,
        "n_networks": 1, "n_operation_accounts": 10,
    }


def test_seed_sets_do_not_overlap() -> None:
    assert len(SEED_SETS["tune"]) >= 30 and len(SEED_SETS["holdout"]) >= 30
    assert not set(SEED_SETS["tune"]) & set(SEED_SETS["holdout"])


def test_summary_reports_the_worst_world_and_quantiles() -> None:
    rows = [_row(1, 1.0, 1.0, 0.0, ["broadcast", "fandom"]),
            _row(2, 0.5, 0.9, 0.3, ["broadcast", "fandom"]),
            _row(3, 0.9, 0.2, 0.1, ["broadcast"])]
    s = summarize(rows)
    assert s["precision"]["worst"] == 0.5 and s["precision"]["worst_world"] == "tiny-2"
    assert s["recall"]["worst"] == 0.2 and s["recall"]["worst_world"] == "tiny-3"
    assert s["worst_group_share"]["worst"] == 0.3  # lower is better: the worst is the maximum
    assert s["precision"]["q50"] == pytest.approx(0.9)
    assert s["precision"]["q10"] == pytest.approx(0.58)  # numpy's linear quantile of 0.5, 0.9, 1.0
    assert s["worst_group_share"]["q10"] == pytest.approx(0.26)  # upper tail for lower-is-better
    fam = by_family(rows)
    assert fam["fandom"]["worlds"] == 2 and fam["fandom"]["worst_precision"] == 0.5
    assert fam["fandom"]["worst_group_share"] == pytest.approx(0.3)
    assert fam["broadcast"]["worst_op_recall"] == 0.2
    table = worlds_table(rows)
    assert table.splitlines()[2].startswith("| tiny-2 ")  # worst precision first
    assert "| precision | 0.500 (tiny-2) |" in summary_table(s)
    assert "| fandom | 2 | 0.500 |" in family_table(fam)


def test_world_metrics_name_the_worst_operation_and_group(tmp_path: Path) -> None:
    params = draw_zoo(41, "tiny")
    ops = [op.name for op in params.ops]
    truth = pd.DataFrame({
        "userid": ["a", "b", "c", "d", "e", "f"],
        "operation": [ops[0], ops[0], ops[-1], "none", "none", "none"],
        "role": ["core", "amplifier", "core", "organic", "organic", "organic"],
        "group": [f"{ops[0]}_core", f"{ops[0]}_amplifier", f"{ops[-1]}_core", "party_branches",
                  "party_branches", "organic"],
    })
    flags = pd.DataFrame({"account_id": ["a", "b", "d"], "network_id": "n", "role": "core",
                          "score": 1.0})
    row = world_metrics(41, "tiny", score(truth, flags))
    assert row["precision"] == pytest.approx(2 / 3)
    if len(ops) > 1:
        assert row["worst_op"] == ops[-1] and row["min_op_recall"] == 0.0
    assert row["worst_group"] == "party_branches" and row["worst_group_share"] == 0.5
    assert row["worst_group_count"] == [1, 2]
    assert row["families"] == params.families()
    json.dumps(row)  # rows are plain JSON


def test_run_world_end_to_end_and_reuses_the_cached_world(tmp_path: Path) -> None:
    row = run_world(41, "tiny", tmp_path)
    assert 0.0 <= row["precision"] <= 1.0 and row["simulate_s"] > 0
    assert set(row["operations"]) == {op.name for op in draw_zoo(41, "tiny").ops}
    again = run_world(41, "tiny", tmp_path)
    assert again["simulate_s"] == 0.0  # cached world and store
    assert again["precision"] == row["precision"] and again["recall"] == row["recall"]
