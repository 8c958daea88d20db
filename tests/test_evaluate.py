"""Scoring against ground truth: the metrics, the ARI, the inputs, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from infoops.cli import cli
from infoops.errors import EvaluationError, NotFoundError
from infoops.simulate.evaluation import (
    adjusted_rand_index,
    evaluate,
    format_evaluation,
    markdown_header,
    markdown_row,
)
from infoops.store import Store

TRUTH = """userid,operation,role,group
a1,prc,core,prc_core
a2,prc,amplifier,prc_amplifier
a3,prc,amplifier,prc_amplifier
a4,prc,amplifier,prc_hijacked
b1,russia,core,russia_core
b2,russia,amplifier,russia_amplifier
f1,none,organic,fan_community
f2,none,organic,fan_community
n1,none,organic,news_burst
o1,none,organic,organic
o2,none,organic,organic
"""


@pytest.fixture
def truth(tmp_path: Path) -> Path:
    p = tmp_path / "truth.csv"
    p.write_text(TRUTH)
    return p


def _flagged(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["account_id", "network_id", "role", "score"])


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0), ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),
        ([0, 0, 1, 2], [0, 0, 1, 1], 0.5714285714285714), ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),
        ([0, 0, 0, 0], [0, 1, 2, 3], 0.0), ([0, 0, 0, 0], [1, 1, 1, 1], 1.0),
        ([0, 1, 2, 3], [0, 1, 2, 3], 1.0),
    ],
)
def test_ari_known_values(a: list[int], b: list[int], expected: float) -> None:
    # values from Hubert & Arabie's formula, as scikit-learn's documentation lists them
    assert adjusted_rand_index(a, b) == pytest.approx(expected)


def test_ari_matches_scikit_learn_when_available() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    import numpy as np

    rng = np.random.default_rng(0)
    for _ in range(20):
        a = rng.integers(0, 4, 60).tolist()
        b = rng.integers(0, 5, 60).tolist()
        assert adjusted_rand_index(a, b) == pytest.approx(metrics.adjusted_rand_score(a, b))


def test_metrics_on_a_known_case(truth: Path) -> None:
    flagged = _flagged(
        [
            ("a1", "n1", "core", 0.9), ("a2", "n1", "amplifier", 0.8), ("a3", "n1", "core", 0.7),
            ("b1", "n2", "core", 0.6), ("f1", "n3", "amplifier", 0.5),
            ("f2", "n3", "amplifier", 0.5),
        ]
    )
    r = evaluate(truth, flagged=flagged)
    assert r.n_flagged == 6 and r.n_true_positive == 4 and r.n_operation_accounts == 6
    assert r.precision == pytest.approx(4 / 6)
    assert r.recall == pytest.approx(4 / 6)
    assert r.f1 == pytest.approx(4 / 6)
    assert r.per_operation_recall == {"prc": 0.75, "russia": 0.5}
    assert r.hard_negative_flagged == {"fan_community": (2, 2), "news_burst": (0, 1)}
    assert r.role_accuracy == pytest.approx(3 / 4)  # a3 is an amplifier called core
    # ARI over {a1..a4, b1, b2, f1, f2}: true prc×4, russia×2, none×2; pred n1×3, n2, n3×2, not-flagged×2
    true = ["prc"] * 4 + ["russia"] * 2 + ["none"] * 2
    pred = ["n1", "n1", "n1", "x", "n2", "x", "n3", "n3"]
    assert r.ari == pytest.approx(adjusted_rand_index(true, pred))
    text = format_evaluation(r)
    assert "precision 0.667" in text and "fan_community 2/2" in text
    header, rule = markdown_header().split("\n")
    row = markdown_row(5, "naive", r)
    assert header.count("|") == rule.count("|") == row.count("|")
    cells = dict(zip(header.strip("| ").split(" | "), row.strip("| ").split(" | "), strict=True))
    assert cells["seed"] == "5" and cells["flagged"] == "6" and cells["networks"] == "3"
    assert cells["precision"] == "0.667" and cells["role acc."] == "0.750"
    assert (cells["prc"], cells["russia"], cells["turkey"]) == ("0.750", "0.500", "0.000")
    assert (cells["fan_community"], cells["news_burst"], cells["org_staff"]) == ("2/2", "0/1", "0/0")


def test_perfect_detection(truth: Path) -> None:
    flagged = _flagged(
        [
            (a, "p", role, 1.0)
            for a, role in [
                ("a1", "core"), ("a2", "amplifier"), ("a3", "amplifier"), ("a4", "amplifier"),
            ]
        ]
        + [("b1", "r", "core", 1.0), ("b2", "r", "amplifier", 1.0)]
    )
    r = evaluate(truth, flagged=flagged)
    assert (r.precision, r.recall, r.f1, r.ari, r.role_accuracy) == (1.0, 1.0, 1.0, 1.0, 1.0)


def test_nothing_flagged(truth: Path) -> None:
    r = evaluate(truth, flagged=_flagged([]))
    assert (r.precision, r.recall, r.f1, r.role_accuracy) == (0.0, 0.0, 0.0, None)
    assert "n/a" in format_evaluation(r)


def test_unknown_and_duplicate_accounts(truth: Path) -> None:
    flagged = _flagged(
        [("zz", "n1", "core", 1.0), ("a1", "n1", "core", 0.2), ("a1", "n2", "core", 0.9)]
    )
    r = evaluate(truth, flagged=flagged)
    assert r.n_flagged == 2 and r.n_unknown == 1 and r.precision == 0.5


def test_flagged_csv_and_cli(truth: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "flagged.csv"
    p.write_text(
        "account_id,network_id,role,score\na1,1,core,0.9\nb2,2,amplifier,0.4\no1,2,amplifier,0.1\n"
    )
    r = evaluate(truth, flagged=p)
    assert r.n_true_positive == 2 and r.group_flagged["organic"] == (1, 2)
    result = runner.invoke(cli, ["evaluate", "--truth", str(truth), "--flagged", str(p), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n_flagged"] == 3 and data["per_operation_recall"]["russia"] == 0.5
    result = runner.invoke(cli, ["evaluate", "--truth", str(truth), "--flagged", str(p)])
    assert result.exit_code == 0 and "precision 0.667" in result.output


def test_store_detect_run(truth: Path, store: Store) -> None:
    store.execute(
        "INSERT INTO detect_runs VALUES ('r1', now() - INTERVAL 1 HOUR, now(), 'completed', NULL, NULL)"
    )
    store.execute("INSERT INTO detect_runs VALUES ('r2', now(), now(), 'completed', NULL, NULL)")
    store.execute("INSERT INTO members VALUES ('r1', 'n1', 'o1', 'core', 1.0, NULL, NULL)")
    store.execute(
        "INSERT INTO members VALUES ('r2', 'n1', 'a1', 'core', 1.0, NULL, NULL), "
        "('r2', 'n1', 'a2', 'amplifier', 0.5, NULL, NULL)"
    )
    latest = evaluate(truth, store=store)
    assert latest.n_true_positive == 2 and latest.precision == 1.0
    first = evaluate(truth, store=store, run_id="r1")
    assert first.n_true_positive == 0
    with pytest.raises(NotFoundError):
        evaluate(truth, store=store, run_id="nope")


def test_cli_db(truth: Path, db_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    with Store(db_path) as s:
        s.execute("INSERT INTO detect_runs VALUES ('r', now(), now(), 'completed', NULL, NULL)")
        s.execute("INSERT INTO members VALUES ('r', 'n1', 'b1', 'core', 1.0, NULL, NULL)")
    result = runner.invoke(cli, ["evaluate", "--truth", str(truth), "--db", str(db_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["per_operation_recall"]["russia"] == 0.5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("userid,operation\nx,none\n", "lacks role, group"),
        (
            "userid,operation,role,group\nx,none,organic,organic\nx,none,organic,organic\n",
            ":3: userid x appears twice",
        ),
    ],
)
def test_bad_truth_files(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "truth.csv"
    p.write_text(content)
    with pytest.raises(EvaluationError, match=message):
        evaluate(p, flagged=_flagged([]))


def test_bad_inputs(truth: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EvaluationError, match="no such truth file"):
        evaluate(tmp_path / "missing.csv", flagged=_flagged([]))
    with pytest.raises(EvaluationError, match="not both"):
        evaluate(truth)
    bad = tmp_path / "bad.csv"
    bad.write_text("userid,net\nx,1\n")
    with pytest.raises(EvaluationError, match=r"bad.csv:1: .*account_id, network_id"):
        evaluate(truth, flagged=bad)
    result = runner.invoke(cli, ["evaluate", "--truth", str(truth), "--flagged", str(bad)])
    assert result.exit_code != 0
    result = runner.invoke(
        cli, ["evaluate", "--truth", str(truth), "--flagged", str(bad), "--db", "x.duckdb"]
    )
    assert result.exit_code != 0
