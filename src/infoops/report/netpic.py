"""A static picture of a network: core vs amplifier, force-directed layout, inline SVG.

Layout is Fruchterman & Reingold (1991) for up to ``fr_limit`` nodes and DrL
(Martin et al. 2011, OpenOrd's predecessor) above, both from igraph with a seeded
random number generator, so the same seed draws the same picture. Networks larger
than ``max_nodes`` are drawn from a seeded sample (all core accounts first, then
amplifiers uniformly at random), and the picture says so.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph

from infoops.export.run_graph import Edge, Node
from infoops.report import safe, svg


@dataclass
class Picture:
    svg: str
    shown_nodes: int
    total_nodes: int
    shown_edges: int
    total_edges: int
    layout: str

    @property
    def sampled(self) -> bool:
        return self.shown_nodes < self.total_nodes or self.shown_edges < self.total_edges


def _sample(nodes: list[Node], max_nodes: int, seed: int) -> list[Node]:
    if len(nodes) <= max_nodes:
        return nodes
    rng = random.Random(seed)
    core = [n for n in nodes if n.role == "core"]
    rest = [n for n in nodes if n.role != "core"]
    if len(core) >= max_nodes:
        return sorted(rng.sample(core, max_nodes), key=lambda n: n.account_id)
    keep = core + rng.sample(rest, max_nodes - len(core))
    return sorted(keep, key=lambda n: n.account_id)


def _layout(n: int, pairs: list[tuple[int, int]], weights: list[float], name: str,
            seed: int) -> list[list[float]]:
    """Node coordinates by ``name`` (Fruchterman-Reingold or DrL), seeded."""
    g = igraph.Graph(n=n, edges=pairs)
    g.es["weight"] = [max(w, 1e-9) for w in weights]
    igraph.set_random_number_generator(random.Random(seed))
    try:
        if not n:
            return []
        if name == "DrL":
            return g.layout_drl(weights="weight").coords
        return g.layout_fruchterman_reingold(weights="weight", niter=500).coords
    finally:
        igraph.set_random_number_generator(random)


def _legend(size: int) -> str:
    return (
        f'<circle cx="12" cy="{size + 12}" r="5" fill="{svg.CORE}"/>'
        f'<text x="22" y="{size + 16}" font-family="sans-serif" font-size="11">core</text>'
        f'<circle cx="72" cy="{size + 12}" r="3" fill="{svg.AMPLIFIER}"/>'
        f'<text x="80" y="{size + 16}" font-family="sans-serif" font-size="11">amplifier</text>'
        "</svg>"
    )


def draw(
    nodes: list[Node],
    edges: list[Edge],
    *,
    seed: int = 0,
    max_nodes: int = 2000,
    max_edges: int = 6000,
    fr_limit: int = 1000,
    size: int = 640,
    n_labels: int = 12,
) -> Picture:
    """Lay out and draw ``nodes``/``edges`` as an SVG (see the module docstring).

    The ``n_labels`` hubs (highest weighted degree among the accounts shown) are
    labelled with their screen name and drawn larger, so the picture says who
    the network turns around rather than being an anonymous hairball.
    """
    shown = _sample(nodes, max_nodes, seed)
    index = {n.account_id: i for i, n in enumerate(shown)}
    kept = [e for e in edges if e.a in index and e.b in index]
    kept = sorted(kept, key=lambda e: (-e.weight, e.a, e.b))[:max_edges]
    name = "Fruchterman-Reingold" if len(shown) <= fr_limit else "DrL"
    coords = _layout(len(shown), [(index[e.a], index[e.b]) for e in kept], [e.weight for e in kept],
                     name, seed)
    pad = 16
    xs = [c[0] for c in coords] or [0.0]
    ys = [c[1] for c in coords] or [0.0]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (size - 2 * pad) / (x1 - x0 or 1)
    sy = (size - 2 * pad) / (y1 - y0 or 1)

    def pos(i: int) -> tuple[float, float]:
        return pad + (coords[i][0] - x0) * sx, pad + (coords[i][1] - y0) * sy

    wmax = max((e.weight for e in kept), default=1.0) or 1.0
    strength = [0.0] * len(shown)
    for e in kept:
        strength[index[e.a]] += e.weight
        strength[index[e.b]] += e.weight
    hubs = set(sorted((i for i in range(len(shown)) if strength[i] > 0),
                      key=lambda i: (-strength[i], shown[i].account_id))[:n_labels])
    parts = [(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart netpic" data-chart="network" '
        f'data-points="{len(shown)}" role="img" width="{size}" height="{size + 24}" '
        f'viewBox="0 0 {size} {size + 24}"><title>network picture</title>'
        f'<rect width="{size}" height="{size}" fill="#fcfcfc" stroke="#ddd"/>'
    )]
    for e in kept:
        (ax, ay), (bx, by) = pos(index[e.a]), pos(index[e.b])
        parts.append(
            f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="#888" '
            f'stroke-opacity="0.35" stroke-width="{0.3 + 1.7 * e.weight / wmax:.2f}"/>'
        )
    # amplifiers first so the (fewer) core nodes are drawn on top
    for n in sorted(shown, key=lambda n: n.role == "core"):
        x, y = pos(index[n.account_id])
        core = n.role == "core"
        hub = index[n.account_id] in hubs
        r = (5 if core else 3) + (2 if hub else 0)
        parts.append(
            f'<circle class="node {"core" if core else "amplifier"}" cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{r}" fill="{svg.CORE if core else svg.AMPLIFIER}" '
            f'stroke="#fff" stroke-width="0.5"><title>{safe.label(n.label, 40)} '
            f"({safe.label(n.role, 12)})</title></circle>"
        )
    for i in sorted(hubs):  # labels last, on top of every node and line
        x, y = pos(i)
        anchor = "end" if x > size * 0.75 else "start"
        dx = -8 if anchor == "end" else 8
        parts.append(
            f'<text class="hub-label" x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" '
            f'font-family="sans-serif" font-size="11" paint-order="stroke" stroke="#fff" '
            f'stroke-width="3">{safe.label(_shown_name(shown[i]), 24)}</text>'
        )
    parts.append(_legend(size))
    return Picture("".join(parts), len(shown), len(nodes), len(kept), len(edges), name)


def _shown_name(n: Node) -> str:
    """``@name`` for a screen name, ``id 123`` for a bare id (the report's one convention)."""
    if n.label and n.label != n.account_id:
        return "@" + n.label.lstrip("@")
    return n.account_id if n.account_id.startswith("@") else f"id {n.account_id}"
