"""Write a trace's edge table: CSV, or a graph file for Gephi (GEXF 1.3 / GraphML).

Input is a DataFrame with ``account_a, account_b, weight`` and optional extra
columns, which become edge attributes in graph files (see :mod:`infoops.graphfiles`).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from infoops.errors import DetectionError
from infoops.graphfiles import write_graph

FORMATS = (".csv", ".gexf", ".graphml")


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
        else:
            write_graph(edges.rename(columns={"account_a": "source", "account_b": "target"}), path)
    except OSError as exc:
        raise DetectionError(f"{path}: cannot write ({exc.strerror})") from exc
    return suffix[1:]
