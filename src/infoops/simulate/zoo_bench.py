"""Detection over many zoo worlds: per-world metrics, worst case and quantiles.

``run_world(seed, scale, work)`` simulates a zoo world (cached under
``work``), ingests it, runs detection and scores it against the truth;
``summarize(rows)`` gives the worst case and the distribution of every
metric, ``by_family(rows)`` the worst case per family, and the ``*_table``
functions format them as Markdown. ``benchmarks/zoo.py`` is the command line.

Seed sets: :data:`SEED_SETS` ``tune`` (100–129) is for choosing rules,
``holdout`` (500–529) for reporting on worlds nobody looked at.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from infoops.simulate.evaluation import evaluate
from infoops.simulate.zoo import simulate_zoo
from infoops.simulate.zoo_params import draw_zoo

SEED_SETS: dict[str, list[int]] = {
    "tune": list(range(100, 130)),
    "holdout": list(range(500, 530)),
}
#: Metrics where higher is better (the worst case is the minimum) ...
HIGHER_BETTER = ("precision", "recall", "min_op_recall", "role_accuracy", "ari")
#: ... and where lower is better (the worst case is the maximum).
LOWER_BETTER = ("worst_group_share", "organic_share")
QUANTILES = (0.1, 0.25, 0.5, 0.75)


def world_dir(work: Path, seed: int, scale: str) -> Path:
    return Path(work) / f"zoo-{scale}-{seed}"


def ensure_world(seed: int, scale: str, work: Path) -> tuple[Path, float]:
    """The world's folder, simulated unless a completed copy is cached; (folder, seconds spent)."""
    folder = world_dir(work, seed, scale)
    done = folder.with_suffix(".done")
    if done.exists() and (folder / "tweets.csv").exists():
        return folder, 0.0
    t0 = time.perf_counter()
    simulate_zoo(folder, seed=seed, scale=scale)
    done.write_text(json.dumps({"seed": seed, "scale": scale}))
    return folder, time.perf_counter() - t0


def run_world(
    seed: int,
    scale: str,
    work: str | Path,
    detect_fn: Callable[[Any], str] | None = None,
) -> dict[str, Any]:
    """Simulate (or reuse), ingest (or reuse), detect and evaluate one zoo world.

    ``detect_fn(store) -> run_id`` defaults to :func:`infoops.detect.pipeline.detect`
    with seed 0, i.e. what ``infoops detect`` runs. Returns one flat dict of
    metrics (see :func:`world_metrics`) plus timings.
    """
    from infoops.detect.pipeline import detect
    from infoops.ingest import ingest
    from infoops.store import Store

    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    folder, t_sim = ensure_world(seed, scale, work)
    db = folder.with_suffix(".duckdb")
    ingested = folder.with_suffix(".ingested")
    if db.exists() and not ingested.exists():
        db.unlink()  # an interrupted ingest: start over
    t0 = time.perf_counter()
    with Store(db) as store:
        if not ingested.exists():
            ingest(store, [folder])
            ingested.write_text("ok")
        t1 = time.perf_counter()
        run = (detect_fn or (lambda s: detect(s, seed=0)))(store)
        t2 = time.perf_counter()
        result = evaluate(folder / "truth.csv", store=store, run_id=run)
    row = world_metrics(seed, scale, result)
    row.update(simulate_s=round(t_sim, 1), ingest_s=round(t1 - t0, 1), detect_s=round(t2 - t1, 1))
    return row


def world_metrics(seed: int, scale: str, r: Any) -> dict[str, Any]:
    """One world's row: headline metrics, the worst operation and the worst hard-negative group."""
    params = draw_zoo(seed, scale)
    ops = {op.name: op for op in params.ops}
    per_op = dict(r.per_operation_recall)
    worst_op = min(per_op, key=lambda k: (per_op[k], k)) if per_op else ""
    shares = {g: (a / b if b else 0.0, a, b) for g, (a, b) in r.hard_negative_flagged.items()}
    worst_group = max(shares, key=lambda g: (shares[g][0], g)) if shares else ""
    org = r.group_flagged.get("organic", (0, 0))
    return {
        "seed": seed,
        "scale": scale,
        "families": params.families(),
        "operations": {k: {"recall": v, "n": ops[k].n, "traits": ops[k].traits()}
                       for k, v in per_op.items() if k in ops},
        "precision": r.precision,
        "recall": r.recall,
        "f1": r.f1,
        "min_op_recall": per_op[worst_op] if worst_op else 1.0,
        "worst_op": worst_op,
        "role_accuracy": r.role_accuracy if r.role_accuracy is not None else 0.0,
        "ari": r.ari,
        "worst_group": worst_group,
        "worst_group_share": shares[worst_group][0] if worst_group else 0.0,
        "worst_group_count": list(shares[worst_group][1:]) if worst_group else [0, 0],
        "organic_share": org[0] / org[1] if org[1] else 0.0,
        "groups": {g: list(v) for g, v in r.group_flagged.items()},
        "n_flagged": r.n_flagged,
        "n_networks": r.n_networks,
        "n_operation_accounts": r.n_operation_accounts,
    }


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Worst case (with its world), quantiles and mean of each metric over ``rows``."""
    out: dict[str, dict[str, Any]] = {}
    for m in (*HIGHER_BETTER, *LOWER_BETTER):
        v = np.array([r[m] for r in rows], dtype=float)
        if not len(v):
            continue
        i = int(np.argmin(v) if m in HIGHER_BETTER else np.argmax(v))
        out[m] = {
            "worst": float(v[i]),
            "worst_world": f"{rows[i]['scale']}-{rows[i]['seed']}",
            **{f"q{int(q * 100)}": float(np.quantile(v, q if m in HIGHER_BETTER else 1 - q))
               for q in QUANTILES},
            "mean": float(v.mean()),
        }
    return out


def by_family(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per family: worlds holding it, worst and median precision, worst recall of an operation
    with that trait, worst share flagged of the group(s) of that hard-negative kind."""
    from infoops.simulate.zoo_params import NEGATIVE_GROUP

    fams = sorted({f for r in rows for f in r["families"]})
    out: dict[str, dict[str, Any]] = {}
    for f in fams:
        rs = [r for r in rows if f in r["families"]]
        p = [r["precision"] for r in rs]
        op_rec = [o["recall"] for r in rs for o in r["operations"].values() if f in o["traits"]]
        group = NEGATIVE_GROUP.get(f)
        g_share = [r["groups"][group][0] / r["groups"][group][1] for r in rs
                   if group and group in r["groups"] and r["groups"][group][1]]
        out[f] = {
            "worlds": len(rs),
            "worst_precision": min(p),
            "median_precision": float(np.median(p)),
            "worst_op_recall": min(op_rec) if op_rec else None,
            "worst_group_share": max(g_share) if g_share else None,
        }
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def worlds_table(rows: Sequence[dict[str, Any]]) -> str:
    """One Markdown row per world, worst precision first."""
    head = ("| world | families | P | R | min op recall (op) | role acc. | ARI | "
            "worst hard negative flagged | ordinary flagged | flagged / networks |\n"
            "|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in sorted(rows, key=lambda r: (r["precision"], r["min_op_recall"])):
        a, b = r["worst_group_count"]
        lines.append(
            f"| {r['scale']}-{r['seed']} | {', '.join(r['families'])} | {r['precision']:.3f} | "
            f"{r['recall']:.3f} | {r['min_op_recall']:.3f} ({r['worst_op']}) | "
            f"{r['role_accuracy']:.3f} | {r['ari']:.3f} | {_pct(r['worst_group_share'])} "
            f"({r['worst_group']} {a}/{b}) | {_pct(r['organic_share'])} | "
            f"{r['n_flagged']} / {r['n_networks']} |"
        )
    return "\n".join(lines)


def summary_table(summary: dict[str, dict[str, Any]]) -> str:
    """Worst case first, then the quantiles (for lower-is-better metrics q10 is the 90th percentile)."""
    lines = ["| metric | worst (world) | q10 | q25 | median | q75 | mean |",
             "|---|---|---|---|---|---|---|"]
    for m, s in summary.items():
        lines.append(
            f"| {m} | {s['worst']:.3f} ({s['worst_world']}) | {s['q10']:.3f} | {s['q25']:.3f} | "
            f"{s['q50']:.3f} | {s['q75']:.3f} | {s['mean']:.3f} |"
        )
    return "\n".join(lines)


def family_table(fam: dict[str, dict[str, Any]]) -> str:
    head = ("| family | worlds | worst P | median P | worst recall of an op with it | "
            "worst share of its group flagged |")
    lines = [head, "|---|---|---|---|---|---|"]
    for f, s in fam.items():
        rec = "" if s["worst_op_recall"] is None else f"{s['worst_op_recall']:.3f}"
        g = "" if s["worst_group_share"] is None else _pct(s["worst_group_share"])
        lines.append(f"| {f} | {s['worlds']} | {s['worst_precision']:.3f} | "
                     f"{s['median_precision']:.3f} | {rec} | {g} |")
    return "\n".join(lines)


__all__ = ["SEED_SETS", "by_family", "ensure_world", "family_table",
           "run_world", "summarize", "summary_table", "world_metrics", "worlds_table"]
