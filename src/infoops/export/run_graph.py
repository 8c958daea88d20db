"""A detect run's network(s) as a graph: read from the store, export to GEXF / GraphML.

Nodes are members (account id, screen name, role, score, network); edges are the
run's fused layer between members, or its significant edges summed over traces
when there is none (multiplex fusion, cf. Pacheco et al. 2021). Files are written as
they go, for Gephi (GEXF 1.3) or any GraphML reader (igraph, networkx, Cytoscape).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from infoops.errors import NotFoundError
from infoops.export import graphfiles
from infoops.store import Store
from infoops.store.sql import first_row


@dataclass(frozen=True)
class Node:
    account_id: str
    label: str
    role: str
    score: float
    network_id: str


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    weight: float
    traces: str


#: The trace name detect gives its fused layer (one edge per pair, ``detail.traces``).
FUSED = "fused"


def member_edges_sql(members: str) -> str:
    """SQL for ``(a, b, weight, traces)``: one row per member pair of a run (``?`` = run id, twice).

    When the run stored a fused layer (trace ``fused``) it is used alone, with the
    traces it fused from its ``detail``; otherwise significant edges of every trace
    are summed. Edges with ``significant`` NULL count as significant. ``members``
    names a relation with an ``account_id`` column.
    """
    return f"""
        WITH has_fused AS (
            SELECT count(*) > 0 AS f FROM edges WHERE run_id = ? AND trace = '{FUSED}')
        SELECT least(e.a, e.b) AS a, greatest(e.a, e.b) AS b, sum(e.weight) AS weight,
               string_agg(DISTINCT CASE WHEN e.trace = '{FUSED}'
                   THEN coalesce(json_extract_string(e.detail, '$.traces'), e.trace)
                   ELSE e.trace END, ',') AS traces
        FROM edges e, has_fused h
        WHERE e.run_id = ? AND coalesce(e.significant, TRUE) AND e.a <> e.b
          AND (e.trace = '{FUSED}') = h.f
          AND e.a IN (SELECT account_id FROM {members})
          AND e.b IN (SELECT account_id FROM {members})
        GROUP BY ALL
    """


def load_graph(
    con: duckdb.DuckDBPyConnection, run_id: str, network: str | None = None
) -> tuple[list[Node], list[Edge]]:
    """Members of ``network`` (all networks when ``None``) of ``run_id`` and the edges among them."""
    where, params = "m.run_id = ?", [run_id]
    if network is not None:
        where += " AND m.network_id = ?"
        params.append(str(network))
    nodes = [
        Node(str(a), str(n), str(r or ""), float(s or 0.0), str(net))
        for a, n, r, s, net in con.execute(
            f"SELECT m.account_id, coalesce(ac.screen_name, m.account_id), m.role, m.score, "
            f"m.network_id FROM members m LEFT JOIN accounts ac USING (account_id) "
            f"WHERE {where} ORDER BY m.network_id, m.account_id",
            params,
        ).fetchall()
    ]
    if network is not None and not nodes and not first_row(con.execute(
        "SELECT 1 FROM networks WHERE run_id = ? AND network_id = ?", [run_id, str(network)]
    )):
        raise NotFoundError(f"run {run_id} has no network {network!r}; see `infoops report` for the list")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _export_members AS "
        f"SELECT DISTINCT m.account_id FROM members m WHERE {where}", params
    )
    try:
        rows = con.execute(
            f"SELECT * FROM ({member_edges_sql('_export_members')}) ORDER BY a, b", [run_id, run_id]
        ).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _export_members")
    edges = [Edge(str(a), str(b), float(w), ",".join(sorted(set(str(t).split(",")))))
             for a, b, w, t in rows]
    return nodes, edges


def _frames(nodes: list[Node], edges: list[Edge]) -> tuple[pd.DataFrame, pd.DataFrame]:
    node_frame = pd.DataFrame({
        "id": [n.account_id for n in nodes], "label": [n.label for n in nodes],
        "role": [n.role for n in nodes], "score": [float(n.score) for n in nodes],
        "network": [n.network_id for n in nodes],
    })
    edge_frame = pd.DataFrame({
        "source": [e.a for e in edges], "target": [e.b for e in edges],
        "weight": [float(e.weight) for e in edges], "traces": [e.traces for e in edges],
    })
    return node_frame, edge_frame


_DESCRIPTION = "coordinated accounts and their fused coordination edges"


def write_run_graph(nodes: list[Node], edges: list[Edge], path: str | Path) -> Path:
    """Write GEXF 1.3 (node colours by role, for Gephi) or GraphML (keys label, role,
    score, network, weight, traces), by the suffix of ``path``."""
    node_frame, edge_frame = _frames(nodes, edges)
    return graphfiles.write_graph(edge_frame, path, node_frame, _DESCRIPTION)


def export_graph(
    store: Store, path: str | Path, run_id: str | None = None, network: str | None = None
) -> tuple[Path, int, int]:
    """Export a run's network graph to ``path``; the format follows the suffix.

    Returns ``(path, nodes, edges)``. ``run_id`` defaults to the latest completed run.
    """
    path = Path(path)
    graphfiles.output_format(path)  # before reading the run
    run = run_id or store.latest_detect_run()
    nodes, edges = load_graph(store.con, run, network)
    return write_run_graph(nodes, edges, path), len(nodes), len(edges)
