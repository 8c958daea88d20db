"""What ``infoops detect`` does, as a library call: run, export, summarise."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from infoops.detect.inputs import empty_traces
from infoops.detect.params import DetectParams
from infoops.detect.pipeline import detect, run_summary
from infoops.errors import DetectionError
from infoops.export.flagged import write_flagged
from infoops.store import Store


def format_summary(summary: dict[str, Any]) -> str:
    """A short text table: networks, accounts, per-trace edges before/after the null model."""
    lines = [
        (f"run {summary['run_id']} ({summary.get('status')}): "
         f"{summary.get('networks', 0)} networks, {summary.get('accounts', 0)} accounts, "
         f"{summary.get('fused_edges', 0)} fused edges, {summary.get('seconds', 0):.1f} s"),
        f"{'trace':<18}{'pairs':>10}{'tested':>10}{'significant':>13}{'seconds':>9}",
    ]
    empty = empty_traces(summary)
    for name, t in summary.get("traces", {}).items():
        lines.append(f"{name:<18}{t['pairs']:>10}{t['tested']:>10}{t['significant']:>13}"
                     f"{t['seconds']:>9.2f}" + ("   no input" if name in empty else ""))
    if empty:
        lines.append(f"{len(empty)} of {len(summary.get('traces', {}))} traces had no input:")
        lines.extend(f"  {name}: {why}" for name, why in empty.items())
    return "\n".join(lines)


def run_detect_command(
    db: str,
    *,
    out: str | None = None,
    seed: int = 0,
    windows: dict[str, float] | None = None,
    min_weights: dict[str, int] | None = None,
    traces: str | None = None,
    alpha: float | None = None,
    resolution: float | None = None,
    memory_limit: str | None = None,
    as_json: bool = False,
    progress: Callable[[str], Any] | None = None,
    roles: dict[str, str] | None = None,
    engine: str = "duckdb",
    spark_master: str = "local[*]",
    input_dir: str | None = None,
) -> str:
    """Open the store, run :func:`~infoops.detect.pipeline.detect`, optionally write
    the flagged CSV, and return the text (or JSON) summary to print."""
    base = DetectParams()
    if alpha is not None:
        base.alpha = alpha
    if resolution is not None:
        base.resolution = resolution
    only = [t.strip() for t in traces.split(",") if t.strip()] if traces else None
    params = base.with_overrides(windows=windows, min_weights={k: int(v) for k, v in
                                                              (min_weights or {}).items()},
                                 only=only)
    if roles:
        params.roles = params.roles.with_overrides(roles)
    if engine not in ("duckdb", "spark"):
        raise DetectionError(f"unknown engine {engine!r}; choose duckdb or spark")
    if input_dir is not None and engine != "spark":
        raise DetectionError("--input is read by the Spark engine only; add --engine spark")
    with Store(db, memory_limit=memory_limit) as store:
        spark = None
        if engine == "spark":
            from infoops.detect.spark_engine import SparkEngine

            spark = SparkEngine(input_dir, master=spark_master)
            spark.prepare(store)
        try:
            run_id = detect(store, params, seed=seed, progress=progress, engine=spark)
        finally:
            if spark is not None:
                spark.close()
        summary = run_summary(store, run_id)
        if out:
            summary["flagged_rows"] = write_flagged(store, run_id, out)
            summary["flagged_csv"] = out
    if as_json:
        return json.dumps(summary, indent=2, sort_keys=True)
    text = format_summary(summary)
    if out:
        text += f"\n{summary['flagged_rows']} flagged accounts written to {out}"
    return text
