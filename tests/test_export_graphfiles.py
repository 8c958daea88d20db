"""The shared GEXF / GraphML writers."""

import xml.etree.ElementTree as ET
from pathlib import Path

import igraph
import pandas as pd
import pytest

from infoops.errors import ExportError
from infoops.export.graphfiles import write_gexf, write_graph, write_graphml

EDGES = pd.DataFrame({
    "source": ["a", "b", "<x&\x02"], "target": ["b", "c", "a"],
    "weight": [1.0, 2.5, 3.0], "significant": [True, False, True], "traces": ["co-url", "", "t"],
})


def test_graphml_round_trips_through_igraph(tmp_path: Path) -> None:
    path = write_graphml(EDGES, tmp_path / "g.graphml")
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    ids = [n.get("id") for n in ET.parse(path).getroot().findall(".//g:node", ns)]
    assert ids == ["a", "b", "<x&", "c"]  # escaped, forbidden control character dropped
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.vcount() == 4 and g.ecount() == 3
    assert sorted(g.es["weight"]) == [1.0, 2.5, 3.0]
    assert sorted(g.es["significant"]) == [False, True, True]


def test_gexf_nodes_with_roles_get_colours(tmp_path: Path) -> None:
    nodes = pd.DataFrame({"id": ["a", "b", "c", "<x&\x02"], "label": ["A", "B", "C", "X"],
                          "role": ["core", "amplifier", "amplifier", "core"]})
    root = ET.parse(write_gexf(EDGES, tmp_path / "g.gexf", nodes)).getroot()
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    got = root.findall(".//g:node", ns)
    assert [n.get("id") for n in got] == ["a", "b", "c", "<x&"]
    colours = [n.find("viz:color", ns).get("r") for n in got]
    assert colours == ["213", "0", "0", "213"]
    assert [e.get("weight") for e in root.findall(".//g:edge", ns)] == ["1", "2.5", "3"]


def test_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"\.gexf or \.graphml"):
        write_graph(EDGES, tmp_path / "g.png")
