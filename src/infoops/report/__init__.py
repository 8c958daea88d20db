"""The investigation report: one self-contained HTML file, charts as inline SVG.

Usage::

    from infoops.report import write_report
    write_report(store, "report.html")                # all networks, ranked
    write_report(store, "n3.html", network="N3")      # one network

Sections are computed by :mod:`infoops.report.build` from the detect results and
the canonical tables, and rendered by :mod:`infoops.report.sections`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from infoops.report.build import ReportData, build_report
from infoops.store import Store


def render_report(data: ReportData) -> str:
    """The HTML document for collected report data."""
    from infoops.report import html, sections

    nav = "".join(
        f'<a href="#net-{s.rank}">#{s.rank}</a>' for s in data.sections
    ) + '<a href="#appendix">appendix</a>'
    title = f"infoops report — run {data.run['run_id']}"
    body = (
        f"<h1>{html.safe.text(title)}</h1>"
        f'<p class="note">Generated {html.safe.text(data.generated_at)}. '
        f"{html.n(len(data.networks))} network(s) in this run.</p>"
        f"<nav>{nav}</nav>" + html.summary(data) + "".join(sections.network(s) for s in data.sections)
        + html.appendix(data)
    )
    return html.page(title, body)


def write_report(
    store: Store,
    path: str | Path,
    run_id: str | None = None,
    network: str | None = None,
    *,
    seed: int = 0,
    n_topics: int = 6,
    max_networks: int = 25,
    progress: Callable[[str], Any] | None = None,
) -> Path:
    """Write the HTML report of ``run_id`` (default: the latest completed detect run).

    ``network`` restricts the report to one network; ``progress`` is called with
    a short message at each network. Returns the path written.
    """
    data = build_report(store, run_id, network, seed=seed, n_topics=n_topics,
                        max_networks=max_networks, progress=progress)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(data), encoding="utf-8")
    return path


__all__ = ["ReportData", "build_report", "render_report", "write_report"]
