"""Network picture and GEXF / GraphML exports of a detect run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import igraph
import pytest

from infoops.errors import InfoopsError, NotFoundError
from infoops.export.run_graph import Edge, Node, export_graph, load_graph, write_run_graph
from infoops.report.netpic import draw
from infoops.store import Store
from report_fixtures import World, build_world, load_world


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.fixture(scope="module")
def world_store(tmp_path_factory: pytest.TempPathFactory, world: World) -> Store:
    s = Store(tmp_path_factory.mktemp("graph") / "w.duckdb")
    load_world(s, world)
    s.con.execute("CHECKPOINT")
    yield s
    s.close()


def expected_edges(world: World, network: str | None) -> dict[tuple[str, str], float]:
    members = {m["account_id"] for m in world.members if network in (None, m["network_id"])}
    out: dict[tuple[str, str], float] = {}
    for e in world.edges:
        if e["significant"] and e["a"] in members and e["b"] in members:
            key = (min(e["a"], e["b"]), max(e["a"], e["b"]))
            out[key] = out.get(key, 0.0) + e["weight"]
    return out


def test_load_graph(world_store: Store, world: World) -> None:
    nodes, edges = load_graph(world_store.con, world.run_id, "1")
    assert len(nodes) == 18 and {n.role for n in nodes} == {"core", "amplifier"}
    assert {(e.a, e.b): e.weight for e in edges} == expected_edges(world, "1")
    with pytest.raises(NotFoundError):
        load_graph(world_store.con, world.run_id, "nope")


def test_graphml_round_trip(world_store: Store, world: World, tmp_path: Path) -> None:
    path, n_nodes, n_edges = export_graph(world_store, tmp_path / "all.graphml")
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.vcount() == n_nodes == len(world.members)
    assert g.ecount() == n_edges == len(expected_edges(world, None))
    roles = dict(zip(g.vs["id"], g.vs["role"], strict=True))
    assert roles["c0"] == "core" and roles["a05"] == "amplifier"
    assert set(g.vs["network"]) == {"1", "2", "3"}


def test_gexf_is_valid_xml_with_hostile_labels(tmp_path: Path) -> None:
    nodes = [Node("x1", '<a>"&\x01\u202e', "core", 0.5, "1"), Node("x2", "b", "amplifier", 0.1, "1")]
    path = write_run_graph(nodes, [Edge("x1", "x2", 2.5, "co-url")], tmp_path / "g.gexf")
    root = ET.parse(path).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    got = root.findall(".//g:node", ns)
    assert [n.get("label") for n in got] == ['<a>"&\u202e', "b"]
    edge = root.find(".//g:edge", ns)
    assert edge is not None and edge.get("weight") == "2.5"


def test_export_graph_errors(world_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InfoopsError, match=r"use \.gexf or \.graphml"):
        export_graph(world_store, tmp_path / "x.png")


def test_cli_export_graph(world_store: Store, runner, tmp_path: Path) -> None:
    from infoops.cli import cli

    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(Path(world_store.path).read_bytes())
    out = tmp_path / "n1.gexf"
    result = runner.invoke(cli, ["export-graph", "--db", str(copy), "--network", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "18 nodes" in result.output
    assert ET.parse(out).getroot().tag.endswith("gexf")


def test_picture_is_seeded_and_samples_big_networks() -> None:
    nodes = [Node(f"c{i}", f"c{i}", "core", 1.0, "1") for i in range(5)]
    nodes += [Node(f"a{i:03d}", f"a{i}", "amplifier", 0.5, "1") for i in range(300)]
    edges = [Edge(f"c{i % 5}", f"a{i:03d}", 1.0 + i % 3, "co-retweet") for i in range(300)]
    one = draw(nodes, edges, seed=4, max_nodes=100)
    two = draw(nodes, edges, seed=4, max_nodes=100)
    other = draw(nodes, edges, seed=5, max_nodes=100)
    assert one.svg == two.svg and one.svg != other.svg
    assert one.sampled and one.shown_nodes == 100 and one.total_nodes == 305
    assert one.svg.count('class="node core"') == 5  # every core account is kept
    full = draw(nodes, edges, seed=4, fr_limit=50)
    assert full.layout == "DrL" and not full.sampled


def test_fused_layer_is_used_alone(tmp_path: Path, world: World) -> None:
    s = Store(tmp_path / "f.duckdb")
    load_world(s, world)
    s.con.execute(
        "INSERT INTO edges VALUES (?, 'fused', 'c0', 'a00', 7.5, 0.001, TRUE, "
        "'{\"traces\": \"co-retweet,fast-retweet\"}')", [world.run_id])
    _, edges = load_graph(s.con, world.run_id, "1")
    assert [(e.a, e.b, e.weight, e.traces) for e in edges] == [
        ("a00", "c0", 7.5, "co-retweet,fast-retweet")]
    s.close()
