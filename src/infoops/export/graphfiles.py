"""Graph files for Gephi and other tools: GEXF 1.3 and GraphML, written as they go.

One writer serves every export: a trace's raw edges (``infoops network``) and
a detect run's networks with member roles (``infoops export-graph``). Input is
an edge frame (``source, target, weight`` plus any attribute columns) and an
optional node frame (``id`` plus attribute columns; ``label`` is the display
name, ``role`` also sets the node colour in GEXF). Graphs are undirected. Ids
and values are hostile input: they are XML-escaped and characters XML 1.0
forbids are replaced.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from infoops.errors import ExportError

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Node colours by role (colour-blind-safe orange / blue).
ROLE_COLOURS = {"core": (213, 94, 0), "amplifier": (0, 114, 178)}
_EDGE_KEYS = ("source", "target")
#: Graph file suffixes, by the format each one picks.
GRAPH_FORMATS = (".gexf", ".graphml")


def output_format(path: str | os.PathLike[str], formats: tuple[str, ...] = GRAPH_FORMATS) -> str:
    """The suffix of ``path`` (lower case) when it is one of ``formats``; :class:`ExportError` if not.

    Every export picks its format here, so each one accepts and refuses the same names.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        choices = " or ".join(", ".join(formats).rsplit(", ", 1))
        raise ExportError(f"{path}: unknown output format {suffix or '(none)'}; use {choices}")
    return suffix


def _clean(value: object) -> str:
    return _BAD_XML.sub("", str(value))


def _qa(value: object) -> str:
    return quoteattr(_clean(value))


def _x(value: object) -> str:
    return escape(_clean(value))


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "long"
    if pd.api.types.is_float_dtype(series):
        return "double"
    return "string"


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return str(value)


def _nodes(edges: pd.DataFrame, nodes: pd.DataFrame | None) -> pd.DataFrame:
    if nodes is not None:
        return nodes
    ids = pd.unique(pd.concat([edges["source"], edges["target"]], ignore_index=True))
    return pd.DataFrame({"id": ids})


def write_gexf(edges: pd.DataFrame, path: str | os.PathLike[str],
               nodes: pd.DataFrame | None = None, description: str = "") -> Path:
    """Write a GEXF 1.3 file (undirected; node and edge attributes; colours by ``role``)."""
    nodes = _nodes(edges, nodes)
    n_attrs = [c for c in nodes.columns if c not in ("id", "label")]
    e_attrs = [c for c in edges.columns if c not in (*_EDGE_KEYS, "weight")]
    path = Path(path)
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" '
                'version="1.3">\n<meta><creator>infoops</creator>'
                f"<description>{_x(description)}</description></meta>\n"
                '<graph mode="static" defaultedgetype="undirected">\n')
        _gexf_attributes(f, "node", nodes, n_attrs)
        _gexf_attributes(f, "edge", edges, e_attrs)
        f.write("<nodes>\n")
        labels = nodes["label"] if "label" in nodes.columns else nodes["id"]
        roles = nodes["role"] if "role" in nodes.columns else None
        n_vals = nodes[n_attrs].to_numpy(dtype=object)
        e_vals = edges[e_attrs].to_numpy(dtype=object)
        for i, (nid, label) in enumerate(zip(nodes["id"], labels, strict=True)):
            f.write(f"<node id={_qa(nid)} label={_qa(label)}>")
            _gexf_values(f, n_attrs, n_vals[i])
            if roles is not None and roles.iloc[i] in ROLE_COLOURS:
                r, g, b = ROLE_COLOURS[roles.iloc[i]]
                f.write(f'<viz:color r="{r}" g="{g}" b="{b}"/>')
            f.write("</node>\n")
        f.write("</nodes>\n<edges>\n")
        weights = edges["weight"] if "weight" in edges.columns else pd.Series(1.0, index=edges.index)
        for i, (a, b, w) in enumerate(zip(edges["source"], edges["target"], weights, strict=True)):
            f.write(f'<edge id="{i}" source={_qa(a)} target={_qa(b)} weight="{float(w):.6g}">')
            _gexf_values(f, e_attrs, e_vals[i])
            f.write("</edge>\n")
        f.write("</edges>\n</graph>\n</gexf>\n")
    return path


def _gexf_attributes(f: IO[str], cls: str, frame: pd.DataFrame, cols: list[str]) -> None:
    if cols:
        f.write(f'<attributes class="{cls}">')
        f.writelines(f'<attribute id={_qa(c)} title={_qa(c)} type="{_kind(frame[c])}"/>'
                     for c in cols)
        f.write("</attributes>\n")


def _gexf_values(f: IO[str], cols: list[str], values: np.ndarray) -> None:
    if cols:
        f.write("<attvalues>")
        f.writelines(f"<attvalue for={_qa(c)} value={_qa(_fmt(v))}/>"
                     for c, v in zip(cols, values, strict=True))
        f.write("</attvalues>")


def write_graphml(edges: pd.DataFrame, path: str | os.PathLike[str],
                  nodes: pd.DataFrame | None = None) -> Path:
    """Write a GraphML file (undirected; every non-key column becomes a ``<key>``)."""
    nodes = _nodes(edges, nodes)
    n_attrs = [c for c in nodes.columns if c != "id"]
    e_attrs = [c for c in edges.columns if c not in _EDGE_KEYS]
    path = Path(path)
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        f.writelines(f'<key id="n_{j}" for="node" attr.name={_qa(c)} '
                     f'attr.type="{_kind(nodes[c])}"/>\n' for j, c in enumerate(n_attrs))
        f.writelines(f'<key id="e_{j}" for="edge" attr.name={_qa(c)} '
                     f'attr.type="{_kind(edges[c])}"/>\n' for j, c in enumerate(e_attrs))
        f.write('<graph id="G" edgedefault="undirected">\n')
        n_vals = nodes[n_attrs].to_numpy(dtype=object)
        e_vals = edges[e_attrs].to_numpy(dtype=object)
        for i, nid in enumerate(nodes["id"]):
            f.write(f"<node id={_qa(nid)}>")
            f.writelines(f'<data key="n_{j}">{_x(_fmt(v))}</data>' for j, v in enumerate(n_vals[i]))
            f.write("</node>\n")
        for i, (a, b) in enumerate(zip(edges["source"], edges["target"], strict=True)):
            f.write(f"<edge source={_qa(a)} target={_qa(b)}>")
            f.writelines(f'<data key="e_{j}">{_x(_fmt(v))}</data>' for j, v in enumerate(e_vals[i]))
            f.write("</edge>\n")
        f.write("</graph>\n</graphml>\n")
    return path


def write_graph(edges: pd.DataFrame, path: str | os.PathLike[str],
                nodes: pd.DataFrame | None = None, description: str = "") -> Path:
    """Write by suffix: ``.gexf`` or ``.graphml`` (``description`` goes into GEXF's meta)."""
    if output_format(path) == ".gexf":
        return write_gexf(edges, path, nodes, description)
    return write_graphml(edges, path, nodes)
