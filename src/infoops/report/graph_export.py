"""A detect run's network(s) as a graph: read from the store, export to GEXF / GraphML.

Nodes are members (account id, screen name, role, score, network); edges are the
run's fused layer between members, or its significant edges summed over traces
when there is none (multiplex fusion, cf. Pacheco et al. 2021). Files are written as they go, for Gephi (GEXF 1.3) or
any GraphML reader (igraph, networkx, Cytoscape).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import duckdb

from infoops.errors import InfoopsError, NotFoundError
from infoops.store import Store
from infoops.store.db import first_row

# Characters XML 1.0 forbids (controls other than tab/newline/CR, surrogates, U+FFFE/F).
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_COLOURS = {"core": (213, 94, 0), "amplifier": (0, 114, 178)}


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


def _x(value: object) -> str:
    return escape(_BAD_XML.sub("", str(value)))


def _qa(value: object) -> str:
    return quoteattr(_BAD_XML.sub("", str(value)))


def write_gexf(nodes: list[Node], edges: list[Edge], path: str | Path) -> Path:
    """Write a GEXF 1.3 file (undirected, node colours by role) for Gephi."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" '
                'version="1.3">\n<meta><creator>infoops</creator>'
                "<description>coordinated accounts and their fused coordination edges"
                "</description></meta>\n"
                '<graph mode="static" defaultedgetype="undirected">\n'
                '<attributes class="node"><attribute id="role" title="role" type="string"/>'
                '<attribute id="score" title="score" type="double"/>'
                '<attribute id="network" title="network" type="string"/></attributes>\n'
                '<attributes class="edge"><attribute id="traces" title="traces" type="string"/>'
                "</attributes>\n<nodes>\n")
        for n in nodes:
            r, g, b = _COLOURS.get(n.role, (150, 150, 150))
            f.write(f"<node id={_qa(n.account_id)} label={_qa(n.label)}><attvalues>"
                    f'<attvalue for="role" value={_qa(n.role)}/>'
                    f'<attvalue for="score" value="{n.score:.6g}"/>'
                    f'<attvalue for="network" value={_qa(n.network_id)}/></attvalues>'
                    f'<viz:color r="{r}" g="{g}" b="{b}"/></node>\n')
        f.write("</nodes>\n<edges>\n")
        for i, e in enumerate(edges):
            f.write(f'<edge id="{i}" source={_qa(e.a)} target={_qa(e.b)} weight="{e.weight:.6g}">'
                    f'<attvalues><attvalue for="traces" value={_qa(e.traces)}/></attvalues></edge>\n')
        f.write("</edges>\n</graph>\n</gexf>\n")
    return path


def write_graphml(nodes: list[Node], edges: list[Edge], path: str | Path) -> Path:
    """Write a GraphML file (undirected; keys label, role, score, network, weight, traces)."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
                '<key id="label" for="node" attr.name="label" attr.type="string"/>\n'
                '<key id="role" for="node" attr.name="role" attr.type="string"/>\n'
                '<key id="score" for="node" attr.name="score" attr.type="double"/>\n'
                '<key id="network" for="node" attr.name="network" attr.type="string"/>\n'
                '<key id="weight" for="edge" attr.name="weight" attr.type="double"/>\n'
                '<key id="traces" for="edge" attr.name="traces" attr.type="string"/>\n'
                '<graph id="G" edgedefault="undirected">\n')
        for n in nodes:
            f.write(f"<node id={_qa(n.account_id)}><data key=\"label\">{_x(n.label)}</data>"
                    f'<data key="role">{_x(n.role)}</data><data key="score">{n.score:.6g}</data>'
                    f'<data key="network">{_x(n.network_id)}</data></node>\n')
        for e in edges:
            f.write(f"<edge source={_qa(e.a)} target={_qa(e.b)}>"
                    f'<data key="weight">{e.weight:.6g}</data>'
                    f'<data key="traces">{_x(e.traces)}</data></edge>\n')
        f.write("</graph>\n</graphml>\n")
    return path


def export_graph(
    store: Store, path: str | Path, run_id: str | None = None, network: str | None = None
) -> tuple[Path, int, int]:
    """Export a run's network graph to ``path``; the format follows the suffix.

    Returns ``(path, nodes, edges)``. ``run_id`` defaults to the latest completed run.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".gexf", ".graphml"):
        raise InfoopsError(f"{path}: unknown graph format {suffix or '(none)'}; use .gexf or .graphml")
    run = run_id or store.latest_detect_run()
    nodes, edges = load_graph(store.con, run, network)
    writer = write_gexf if suffix == ".gexf" else write_graphml
    return writer(nodes, edges, path), len(nodes), len(edges)
