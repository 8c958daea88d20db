"""Score a detection against a simulated world's ground truth.

Account-level precision, recall and F1 for operation membership, recall per
operation, how many accounts of each hard-negative group were flagged, role
accuracy among correctly flagged accounts, and the adjusted Rand index (ARI;
Hubert & Arabie, *Journal of Classification* 1985) between the networks found
and the operations.

The ARI is computed over the union of flagged accounts and operation accounts.
A flagged account's cluster is its ``network_id``; an operation account that
was not flagged goes into one shared "not flagged" cluster. The true label is
the operation (``prc``, ``russia``, ...), or ``none`` for flagged organic
accounts. Splitting one operation into several networks, merging two, missing
members or flagging bystanders all lower it; 1.0 means networks and operations
coincide exactly. Accounts neither flagged nor in an operation are left out:
they would dominate the index with agreement nobody needs to measure.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from math import comb
from pathlib import Path
from typing import Any

import pandas as pd

from infoops.errors import EvaluationError, NotFoundError
from infoops.store import Store
from infoops.store.sql import first_row

TRUTH_COLUMNS = ("userid", "operation", "role", "group")
FLAGGED_COLUMNS = ("account_id", "network_id", "role", "score")
HARD_NEGATIVE_GROUPS = (
    "fan_community", "activist_campaign", "news_burst", "news_bots", "org_staff",
)
#: Hard-negative groups of zoo worlds (``infoops simulate --zoo``), reported after the above.
ZOO_HARD_NEGATIVE_GROUPS = (
    "activist_group", "party_branches", "state_media", "organic_same_stance",
    "hashtag_activists", "few_posts", "engaged_ordinary",
)
#: Groups of ordinary accounts: reported in ``group_flagged``, not as hard negatives.
ORDINARY_GROUPS = ("organic", "celebrity")
NOT_FLAGGED = "\x00not-flagged"


@dataclass
class EvaluationResult:
    """Scores of one detection against one truth file."""

    precision: float
    recall: float
    f1: float
    per_operation_recall: dict[str, float]
    hard_negative_flagged: dict[str, tuple[int, int]]
    role_accuracy: float | None
    ari: float
    n_flagged: int
    n_true_positive: int
    n_operation_accounts: int
    n_networks: int
    n_unknown: int = 0
    group_flagged: dict[str, tuple[int, int]] = field(default_factory=dict)
    role_counts: dict[str, int] = field(default_factory=dict)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["hard_negative_flagged"] = {k: list(v) for k, v in self.hard_negative_flagged.items()}
        d["group_flagged"] = {k: list(v) for k, v in self.group_flagged.items()}
        return d


def adjusted_rand_index(labels_true: list[Any], labels_pred: list[Any]) -> float:
    """Adjusted Rand index of two partitions of the same items.

    Implements the contingency-table formula of Hubert & Arabie (1985):
    ``(Σ C(n_ij,2) − E) / (½(Σ C(a_i,2) + Σ C(b_j,2)) − E)`` with
    ``E = Σ C(a_i,2) · Σ C(b_j,2) / C(n,2)``. Returns 1.0 for identical
    partitions (including the degenerate cases where the formula is 0/0,
    as scikit-learn does) and can be negative for worse-than-chance agreement.
    """
    if len(labels_true) != len(labels_pred):
        raise EvaluationError("adjusted_rand_index: the two labelings differ in length")
    n = len(labels_true)
    if n < 2:
        return 1.0
    table = pd.crosstab(pd.Series(labels_true, dtype=object), pd.Series(labels_pred, dtype=object))
    sum_ij = sum(comb(int(x), 2) for x in table.to_numpy().ravel())
    sum_a = sum(comb(int(x), 2) for x in table.sum(axis=1))
    sum_b = sum(comb(int(x), 2) for x in table.sum(axis=0))
    expected = sum_a * sum_b / comb(n, 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return float((sum_ij - expected) / (maximum - expected))


def read_truth(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The truth file (``userid,operation,role,group``), one row per account."""
    p = Path(path)
    if not p.is_file():
        raise EvaluationError(
            f"{p}: no such truth file; pass the truth.csv that `infoops simulate` wrote"
        )
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise EvaluationError(f"{p}: cannot read the truth file ({exc})") from exc
    missing = [c for c in TRUTH_COLUMNS if c not in df.columns]
    if missing:
        raise EvaluationError(
            f"{p}:1: truth header lacks {', '.join(missing)}; expected {','.join(TRUTH_COLUMNS)}"
        )
    dup = df["userid"].duplicated()
    if dup.any():
        line = int(dup.to_numpy().nonzero()[0][0]) + 2
        raise EvaluationError(
            f"{p}:{line}: userid {df['userid'][dup].iloc[0]} appears twice; "
            "a truth file has one row per account"
        )
    return df


def read_flagged(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A flagged-accounts CSV (``account_id,network_id,role,score``), as ``infoops detect --out`` writes."""
    p = Path(path)
    if not p.is_file():
        raise EvaluationError(
            f"{p}: no such flagged file; write one with `infoops detect --out FILE`"
        )
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError as exc:
        raise EvaluationError(
            f"{p}: empty file; expected header {','.join(FLAGGED_COLUMNS)}"
        ) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{p}: cannot read the flagged file ({exc})") from exc
    return _check_flagged(df, str(p))


def _check_flagged(df: pd.DataFrame, where: str) -> pd.DataFrame:
    missing = [c for c in ("account_id", "network_id") if c not in df.columns]
    if missing:
        raise EvaluationError(
            f"{where}:1: flagged accounts lack column(s) {', '.join(missing)}; expected "
            f"header {','.join(FLAGGED_COLUMNS)}"
        )
    df = df.copy()
    if "role" not in df.columns:
        df["role"] = ""
    if "score" not in df.columns:
        df["score"] = 1.0
    df["account_id"] = df["account_id"].astype(str)
    df["network_id"] = df["network_id"].astype(str)
    df["role"] = df["role"].fillna("").astype(str)
    df["score"] = pd.to_numeric(df["score"], errors="coerce").fillna(0.0)
    # an account listed in several networks counts once, in its highest-scoring one
    df = df.sort_values(["account_id", "score", "network_id"], ascending=[True, False, True])
    return df.drop_duplicates("account_id", keep="first").reset_index(drop=True)


def flagged_from_store(store: Store, run_id: str | None = None) -> pd.DataFrame:
    """Members of a detect run (default: the latest completed one) as a flagged frame."""
    run = run_id or store.latest_detect_run()
    found = first_row(store.con.execute("SELECT count(*) FROM detect_runs WHERE run_id = ?", [run]))
    if not found or not found[0]:
        raise NotFoundError(f"{store.path}: no detect run {run!r}; see `infoops status`")
    df = store.sql(
        "SELECT account_id, network_id, role, score FROM members WHERE run_id = ?", [run]
    )
    return _check_flagged(df, f"{store.path} (run {run})")


def evaluate(
    truth_path: str | os.PathLike[str],
    *,
    flagged: pd.DataFrame | str | os.PathLike[str] | None = None,
    store: Store | None = None,
    run_id: str | None = None,
) -> EvaluationResult:
    """Score flagged accounts (a frame, a CSV path, or a store's detect run) against ``truth_path``.

    Give exactly one of ``flagged`` and ``store``. Precision, recall and F1
    are over accounts, for membership in any operation. Flagged accounts that
    the truth does not know (e.g. stubs of retweeted accounts outside the
    world) count as false positives and are reported in ``n_unknown``.
    """
    if (flagged is None) == (store is None):
        raise EvaluationError(
            "give either flagged accounts (--flagged FILE) or a store (--db FILE), not both"
        )
    truth = read_truth(truth_path)
    if store is not None:
        flags = flagged_from_store(store, run_id)
        source = f"{store.path} run {run_id or store.latest_detect_run()}"
    elif isinstance(flagged, pd.DataFrame):
        flags = _check_flagged(flagged, "flagged frame")
        source = "flagged frame"
    else:
        flags = read_flagged(flagged)  # type: ignore[arg-type]
        source = str(flagged)
    return score(truth, flags, source)


def score(truth: pd.DataFrame, flags: pd.DataFrame, source: str = "") -> EvaluationResult:
    """The metrics of :func:`evaluate`, from a truth frame and a de-duplicated flagged frame."""
    t = truth.set_index("userid")
    is_op = t["operation"] != "none"
    op_ids = set(t.index[is_op])
    flagged_ids = set(flags["account_id"])
    known = flags["account_id"].isin(t.index)
    tp_ids = flagged_ids & op_ids
    n_flagged = len(flagged_ids)
    precision = len(tp_ids) / n_flagged if n_flagged else 0.0
    recall = len(tp_ids) / len(op_ids) if op_ids else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    per_op = {}
    for op, index in t[is_op].groupby("operation").groups.items():
        members = set(index)
        per_op[str(op)] = len(members & flagged_ids) / len(members)
    groups = {}
    for g, index in t.groupby("group").groups.items():
        members = set(index)
        groups[str(g)] = (len(members & flagged_ids), len(members))
    # every group without an operation is a hard negative, known ones first in a fixed order
    op_groups = set(t.loc[is_op, "group"])
    named = [*HARD_NEGATIVE_GROUPS, *ZOO_HARD_NEGATIVE_GROUPS]
    others = sorted(g for g in groups if g not in named and g not in op_groups
                    and g not in ORDINARY_GROUPS)
    hard = {g: groups[g] for g in [*named, *others] if g in groups and g not in op_groups}
    tp = flags[flags["account_id"].isin(tp_ids)]
    role_acc = None
    role_counts: dict[str, int] = {}
    if len(tp):
        truth_role = t.loc[tp["account_id"], "role"].to_numpy()
        role_acc = float((tp["role"].to_numpy() == truth_role).mean())
        for pred, true in zip(tp["role"], truth_role, strict=False):
            key = f"{true}->{pred or 'none'}"
            role_counts[key] = role_counts.get(key, 0) + 1
    # ARI over flagged ∪ operation accounts
    net = dict(zip(flags["account_id"], flags["network_id"], strict=False))
    union = sorted(flagged_ids | op_ids)
    op_of = t["operation"].to_dict()
    labels_true = [op_of.get(a, "none") for a in union]
    labels_pred = [net.get(a, NOT_FLAGGED) for a in union]
    ari = adjusted_rand_index(labels_true, labels_pred) if union else 1.0
    return EvaluationResult(
        precision=precision,
        recall=recall,
        f1=f1,
        per_operation_recall=per_op,
        hard_negative_flagged=hard,
        role_accuracy=role_acc,
        ari=ari,
        n_flagged=n_flagged,
        n_true_positive=len(tp_ids),
        n_operation_accounts=len(op_ids),
        n_networks=int(flags["network_id"].nunique()),
        n_unknown=int((~known).sum()),
        group_flagged=groups,
        role_counts=role_counts,
        source=source,
    )


def format_evaluation(r: EvaluationResult) -> str:
    """A short human-readable report of an :class:`EvaluationResult`."""
    lines = [
        (
            f"flagged {r.n_flagged} accounts in {r.n_networks} networks; "
            f"{r.n_true_positive} of {r.n_operation_accounts} operation accounts"
        ),
        f"precision {r.precision:.3f}  recall {r.recall:.3f}  F1 {r.f1:.3f}  ARI {r.ari:.3f}",
        "role accuracy "
        + (
            "n/a (no operation account flagged)"
            if r.role_accuracy is None
            else f"{r.role_accuracy:.3f}"
        ),
        "recall per operation: "
        + ", ".join(f"{k} {v:.3f}" for k, v in sorted(r.per_operation_recall.items())),
        "hard negatives flagged: "
        + ", ".join(f"{k} {a}/{b}" for k, (a, b) in r.hard_negative_flagged.items()),
    ]
    if r.n_unknown:
        lines.append(
            f"{r.n_unknown} flagged accounts are not in the truth file (counted as false positives)"
        )
    return "\n".join(lines)


#: Operations of the simulated worlds, in table order.
OPERATIONS = ("prc", "russia", "turkey")


def markdown_header() -> str:
    """The header (and rule) of the Markdown table that :func:`markdown_row` fills."""
    cols = ["seed", "detector", "flagged", "networks", "precision", "recall", "F1", "ARI",
            "role acc.", *OPERATIONS, *HARD_NEGATIVE_GROUPS]
    return "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)


def markdown_row(seed: int, detector: str, r: EvaluationResult) -> str:
    """One :class:`EvaluationResult` as a row of the benchmark tables in docs/."""
    role = "n/a" if r.role_accuracy is None else f"{r.role_accuracy:.3f}"
    ops = [f"{r.per_operation_recall.get(o, 0.0):.3f}" for o in OPERATIONS]
    hard = ["{}/{}".format(*r.hard_negative_flagged.get(g, (0, 0))) for g in HARD_NEGATIVE_GROUPS]
    cells = [str(seed), detector, str(r.n_flagged), str(r.n_networks), f"{r.precision:.3f}",
             f"{r.recall:.3f}", f"{r.f1:.3f}", f"{r.ari:.3f}", role, *ops, *hard]
    return "| " + " | ".join(cells) + " |"
