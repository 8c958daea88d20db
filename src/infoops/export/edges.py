"""Write a trace's edge table: CSV, or a graph file for Gephi (GEXF 1.3 / GraphML).

Input is a DataFrame with ``account_a, account_b, weight`` and optional extra
columns, which become edge attributes in graph files (see :mod:`infoops.export.graphfiles`).
"""

from __future__ import annotations

import csv
import os

import pandas as pd

from infoops.errors import ExportError
from infoops.export.graphfiles import GRAPH_FORMATS, output_format, write_graph

FORMATS = (".csv", *GRAPH_FORMATS)


def write_edges(edges: pd.DataFrame, path: str | os.PathLike[str]) -> str:
    """Write by file extension: ``.csv``, ``.gexf`` or ``.graphml``; return the format."""
    suffix = output_format(path, FORMATS)
    try:
        if suffix == ".csv":
            edges.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
        else:
            write_graph(edges.rename(columns={"account_a": "source", "account_b": "target"}), path)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write ({exc.strerror})") from exc
    return suffix[1:]
