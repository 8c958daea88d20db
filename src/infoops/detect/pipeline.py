"""``detect``: traces → null model → fusion → clustering → results in the store.

A run is written atomically: its ``detect_runs`` row is committed first with
status ``running``; edges, evidence, networks and members are inserted in one
transaction; roles are assigned; only then is the status set to
``completed``. A run that fails is marked ``failed`` and its rows removed, so
readers that ask for the latest completed run never see half a run.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from infoops.detect.coaction import drop
from infoops.detect.fusion import Candidate, cluster, describe, fuse
from infoops.detect.inputs import trace_inputs
from infoops.detect.nullmodel import significant_edges
from infoops.detect.params import DetectParams
from infoops.detect.refine import refine
from infoops.detect.traces import run_trace
from infoops.errors import DetectionError
from infoops.store import Store
from infoops.store.schema import RESULT_TABLES
from infoops.store.sql import scalar

_EDGE_BASE = ("a", "b", "weight", "p_value", "significant", "d_a", "d_b")


def _new_run_id() -> str:
    return f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def _say(progress: Callable[[str], Any] | None, msg: str) -> None:
    if progress is not None:
        progress(msg)


def _stage_edges(store: Store, name: str, df: pd.DataFrame) -> None:
    """Append one trace's tested edges to the run's staging table."""
    extra = [c for c in df.columns if c not in _EDGE_BASE]
    struct = ", ".join(f"'{c}': \"{c}\"" for c in extra) or "'none': NULL"
    with store.registered("_tested_df", df):
        store.con.execute(
            f"""
            INSERT INTO _run_edges
            SELECT '{name}', a, b, CAST(weight AS DOUBLE), p_value, significant,
                   CAST(to_json({{{struct}}}) AS JSON)
            FROM _tested_df
            """
        )


def _stage_evidence(store: Store, name: str, ev_table: str, sig: pd.DataFrame, k: int) -> None:
    """Keep the ``k`` closest co-actions behind each significant pair."""
    with store.registered("_sig_df", sig[["a", "b"]]):
        store.con.execute(
            f"""
            INSERT INTO _run_evidence
            SELECT '{name}', a, b, post_a, post_b, object, delta_seconds FROM (
                SELECT e.*, row_number() OVER (
                    PARTITION BY e.a, e.b ORDER BY e.delta_seconds, e.object, e.post_a) AS rn
                FROM {ev_table} e JOIN _sig_df s ON s.a = e.a AND s.b = e.b
            ) WHERE rn <= {int(k)}
            """
        )


def _reason(traces: dict[str, int]) -> str:
    parts = [f"{t} with {n} member{'s' if n != 1 else ''}" for t, n in
             sorted(traces.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "significant " + "; ".join(parts) if parts else ""


def _write_results(store: Store, run_id: str, fused: pd.DataFrame,
                   networks: list[Candidate]) -> None:
    con = store.con
    with store.transaction():
        con.execute(
            "INSERT INTO edges SELECT ?, trace, a, b, weight, p_value, significant, detail "
            "FROM _run_edges", [run_id]
        )
        if not fused.empty:
            with store.registered("_fused_df", fused):
                con.execute(
                    "INSERT INTO edges SELECT ?, 'fused', a, b, weight, p_value, TRUE, "
                    "CAST(to_json({'traces': traces}) AS JSON) FROM _fused_df", [run_id]
                )
        con.execute(
            "INSERT INTO evidence SELECT ?, trace, a, b, post_a, post_b, object, delta_seconds "
            "FROM _run_evidence", [run_id]
        )
        net_rows = [
            (run_id, n.network_id, n.score, len(n.accounts), None, None, ",".join(n.traces),
             (f"{len(n.accounts)} accounts linked by {n.detail['internal_edges']} significant "
              f"edges ({', '.join(n.traces)})"), json.dumps(n.detail))
            for n in networks
        ]
        if net_rows:
            con.executemany("INSERT INTO networks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", net_rows)
        mem = pd.DataFrame(
            [
                (run_id, n.network_id, acc, None, n.member_strength[acc],
                 json.dumps({"traces": n.member_traces[acc]}), _reason(n.member_traces[acc]))
                for n in networks for acc in n.accounts
            ],
            columns=["run_id", "network_id", "account_id", "role", "score", "signals", "reason"],
        )
        if not mem.empty:
            with store.registered("_members_df", mem):
                con.execute(
                    "INSERT INTO members SELECT run_id, network_id, account_id, "
                    "CAST(role AS VARCHAR), score, CAST(signals AS JSON), reason FROM _members_df"
                )


def detect(
    store: Store,
    params: DetectParams | None = None,
    *,
    seed: int = 0,
    progress: Callable[[str], Any] | None = None,
    roles: bool = True,
    engine: Any = None,
) -> str:
    """Run every enabled trace, the null model, fusion and clustering; store the run.

    Parameters
    ----------
    store:
        The store (needs posts).
    params:
        Trace, null-model and clustering settings (defaults: :class:`DetectParams`).
    seed:
        Seed of the randomized steps (MinHash permutations, Leiden).
    progress:
        Called with a short message at each stage.
    roles:
        Run the after-clustering stage (:func:`infoops.detect.refine.refine`):
        membership, roles, scores, recruitment, merging, and the rejection of
        weak networks (kept in ``rejected_networks`` with the reason). False
        keeps the clusters as Leiden made them (for studying the network layer).
    engine:
        Where the traces run: None for DuckDB, or an object with the
        ``run_trace`` signature of :func:`infoops.detect.traces.run_trace`
        (e.g. :class:`infoops.detect.spark_engine.SparkEngine`) that leaves
        the same temp tables on the store's connection. The null model,
        fusion, clustering and roles run here either way.

    Returns
    -------
    str
        The run id (``detect_runs.run_id``).
    """
    params = params or DetectParams()
    if store.count("posts") == 0:
        raise DetectionError(f"{store.path}: the store has no posts; run `infoops ingest` first")
    con = store.con
    run_id = _start_run(store, params, seed, engine)
    trace_runner = run_trace if engine is None else engine.run_trace
    summary: dict[str, Any] = {"traces": {}}
    t_start = time.perf_counter()
    try:
        _create_staging(con)
        # what each trace has to work with; an empty one is said so, with why
        summary["inputs"] = trace_inputs(con, list(params.enabled()))
        tested: dict[str, pd.DataFrame] = {}
        for name in params.enabled():
            _say(progress, f"trace {name}")
            tested[name], summary["traces"][name] = _run_one_trace(store, name, params, trace_runner, seed)
        _say(progress, "fusion and clustering")
        fused = fuse(tested)
        communities = cluster(fused, params.resolution, seed)
        networks = describe(fused, communities, params.min_network_size,
                            params.min_network_edges, params.min_mean_degree)
        _say(progress, "writing results")
        _write_results(store, run_id, fused, networks)
        _say(progress, "roles, membership and scores")
        summary["roles"] = (refine(store, run_id, params.roles) if roles
                            else "skipped (roles=False)")
        _finish_run(store, run_id, summary, len(fused), t_start)
    except BaseException as exc:
        _fail(store, run_id, exc)
        raise
    finally:
        for t in ("_run_edges", "_run_evidence"):
            # cleanup must not mask the real error
            with contextlib.suppress(Exception):
                con.execute(f"DROP TABLE IF EXISTS {t}")
    return run_id


def _create_staging(con: Any) -> None:
    """The temp tables each trace appends its tested edges and evidence to."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _run_edges (trace TEXT, a TEXT, b TEXT, weight DOUBLE,"
        " p_value DOUBLE, significant BOOLEAN, detail JSON)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _run_evidence (trace TEXT, a TEXT, b TEXT, post_a TEXT,"
        " post_b TEXT, object TEXT, delta_seconds DOUBLE)"
    )


def _start_run(store: Store, params: DetectParams, seed: int, engine: Any) -> str:
    """Record a new run as ``running`` with its parameters; return its id."""
    run_id = _new_run_id()
    recorded = json.loads(params.to_json())
    recorded["seed"] = seed
    recorded["engine"] = "duckdb" if engine is None else type(engine).__name__
    with store.transaction():
        store.con.execute(
            "INSERT INTO detect_runs VALUES (?, now(), NULL, 'running', ?, NULL)",
            [run_id, json.dumps(recorded)],
        )
        store.claim_run(run_id, "detect")  # a dead run is found and cleaned up on the next open
    return run_id


def _run_one_trace(store: Store, name: str, params: DetectParams, trace_runner: Callable[..., Any],
                   seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run one trace and its null model, stage its edges and evidence; return its
    significant edges (all fusion reads) and its summary."""
    con = store.con
    t0 = time.perf_counter()
    tp = params.traces[name]
    res = trace_runner(con, name, params, seed=seed)
    try:
        n_pairs = scalar(con, f"SELECT count(*) FROM {res.pairs}")
        df = significant_edges(con, res, tp.min_weight, params.alpha)
        sig = df[df["significant"]]
        _stage_edges(store, name, df)
        if res.fetch_evidence is not None:  # only the significant pairs' evidence
            res.fetch_evidence(con, sig[["a", "b"]])
        _stage_evidence(store, name, res.evidence, sig, params.evidence_per_pair)
    finally:
        drop(con, res)
    stats = {k: v for k, v in res.stats.items() if k != "degrees"}
    return sig.reset_index(drop=True), {
        "pairs": int(n_pairs), "tested": len(df), "significant": len(sig),
        "seconds": round(time.perf_counter() - t0, 3), **stats,
    }


def _finish_run(store: Store, run_id: str, summary: dict[str, Any], n_fused: int, t_start: float) -> None:
    """Count what the run kept and mark it ``completed`` with its summary."""
    con = store.con
    n_acc, n_net = con.execute(
        "SELECT count(DISTINCT account_id), count(DISTINCT network_id) FROM members "
        "WHERE run_id = ?", [run_id]
    ).fetchall()[0]
    summary.update(
        fused_edges=n_fused, networks=int(n_net), accounts=int(n_acc),
        seconds=round(time.perf_counter() - t_start, 3),
    )
    with store.transaction():
        con.execute(
            "UPDATE detect_runs SET status = 'completed', finished_at = now(), summary = ? "
            "WHERE run_id = ?", [json.dumps(summary), run_id]
        )


def _fail(store: Store, run_id: str, exc: BaseException) -> None:
    """Mark a run failed and remove whatever of it was written."""
    con = store.con
    # the store itself may be unusable: keep the first error, not this one
    with contextlib.suppress(Exception):
        with contextlib.suppress(Exception):  # no transaction open
            con.execute("ROLLBACK")
        with store.transaction():
            for table in RESULT_TABLES:
                if table == "detect_runs":
                    continue
                con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
            con.execute(
                "UPDATE detect_runs SET status = 'failed', finished_at = now(), summary = ? "
                "WHERE run_id = ?", [json.dumps({"error": f"{type(exc).__name__}: {exc}"}), run_id]
            )


def run_summary(store: Store, run_id: str) -> dict[str, Any]:
    """The stored summary of a run (per-trace counts, networks, accounts)."""
    rows = store.con.execute(
        "SELECT status, summary FROM detect_runs WHERE run_id = ?", [run_id]
    ).fetchall()
    row = rows[0] if rows else None
    if row is None:
        from infoops.errors import NotFoundError

        raise NotFoundError(f"no detect run {run_id!r} in {store.path}")
    out = json.loads(row[1]) if row[1] else {}
    out["status"] = row[0]
    out["run_id"] = run_id
    return out
