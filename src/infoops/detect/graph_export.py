"""Write an edge table as a graph file: GEXF 1.3 (Gephi) or GraphML.

Input is a DataFrame with ``account_a, account_b, weight`` and optional extra
numeric or text columns, which become edge attributes. Graphs are undirected.
Ids and values are escaped for XML (post text and ids are hostile input).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from infoops.errors import DetectionError

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMATS = (".csv", ".gexf", ".graphml")


def _clean(value: object) -> str:
    return _BAD_XML.sub("\ufffd", str(value))


def _attr(value: object) -> str:
    return quoteattr(_clean(value))


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_integer_dtype(series):
        return "long"
    if pd.api.types.is_float_dtype(series):
        return "double"
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    return "string"


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


def write_gexf(edges: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """GEXF 1.3 with one node per account and ``weight`` plus attributes per edge."""
    extra = [c for c in edges.columns if c not in ("account_a", "account_b", "weight")]
    nodes = pd.unique(pd.concat([edges["account_a"], edges["account_b"]], ignore_index=True))
    with Path(path).open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<gexf xmlns="http://gexf.net/1.3" version="1.3">\n'
                '<graph mode="static" defaultedgetype="undirected">\n')
        if extra:
            f.write('<attributes class="edge">\n')
            f.writelines(f'<attribute id="{i}" title={_attr(c)} type="{_kind(edges[c])}"/>\n' for i, c in enumerate(extra))
            f.write("</attributes>\n")
        f.write("<nodes>\n")
        f.writelines(f"<node id={_attr(n)} label={_attr(n)}/>\n" for n in nodes)
        f.write("</nodes>\n<edges>\n")
        cols = ["account_a", "account_b", "weight", *extra]
        for i, row in enumerate(edges[cols].itertuples(index=False, name=None)):
            a, b, w, *vals = row
            f.write(f'<edge id="{i}" source={_attr(a)} target={_attr(b)} weight="{float(w)}"')
            if extra:
                f.write("><attvalues>")
                f.writelines(f'<attvalue for="{j}" value={_attr(_fmt(v))}/>' for j, v in enumerate(vals))
                f.write("</attvalues></edge>\n")
            else:
                f.write("/>\n")
        f.write("</edges>\n</graph>\n</gexf>\n")


def write_graphml(edges: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """GraphML (undirected) with ``weight`` and the extra columns as edge keys."""
    extra = [c for c in edges.columns if c not in ("account_a", "account_b")]
    nodes = pd.unique(pd.concat([edges["account_a"], edges["account_b"]], ignore_index=True))
    with Path(path).open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        f.writelines(f'<key id="e{i}" for="edge" attr.name={_attr(c)} '
                    f'attr.type="{_kind(edges[c])}"/>\n' for i, c in enumerate(extra))
        f.write('<graph edgedefault="undirected">\n')
        f.writelines(f"<node id={_attr(n)}/>\n" for n in nodes)
        cols = ["account_a", "account_b", *extra]
        for row in edges[cols].itertuples(index=False, name=None):
            a, b, *vals = row
            f.write(f"<edge source={_attr(a)} target={_attr(b)}>")
            f.writelines(f'<data key="e{j}">{escape(_clean(_fmt(v)))}</data>' for j, v in enumerate(vals))
            f.write("</edge>\n")
        f.write("</graph>\n</graphml>\n")


def write_edges(edges: pd.DataFrame, path: str | os.PathLike[str]) -> str:
    """Write by file extension: ``.csv``, ``.gexf`` or ``.graphml``; return the format."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise DetectionError(
            f"{path}: unknown output format {suffix or '(none)'}; use one of {', '.join(FORMATS)}"
        )
    try:
        if suffix == ".csv":
            edges.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
        elif suffix == ".gexf":
            write_gexf(edges, path)
        else:
            write_graphml(edges, path)
    except OSError as exc:
        raise DetectionError(f"{path}: cannot write ({exc.strerror})") from exc
    return suffix[1:]
