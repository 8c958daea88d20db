"""Open the report in real headless Chromium: loads cleanly, charts render, screenshot saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from chromium_cdp import Chromium, find_chromium
from infoops.report import write_report
from infoops.store import Store
from report_fixtures import build_world, load_world

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

CHARTS_JS = """
JSON.stringify(Array.from(document.querySelectorAll('svg.chart')).map(s => {
  const r = s.getBoundingClientRect();
  return {kind: s.dataset.chart, w: r.width, h: r.height,
          shapes: s.querySelectorAll('rect.bar, rect.cell, polyline.series, circle.node').length};
}))
"""


@pytest.mark.browser
def test_report_in_headless_chromium(tmp_path: Path) -> None:
    exe = find_chromium()
    if exe is None:
        pytest.skip("no Chromium on PATH (install Debian's `chromium` package; .ci/run does)")
    store = Store(tmp_path / "w.duckdb")
    load_world(store, build_world())
    out = write_report(store, tmp_path / "report.html")
    store.close()
    import json

    with Chromium(exe) as browser:
        session = browser.open(out.resolve().as_uri())
        charts = json.loads(browser.evaluate(session, CHARTS_JS))
        scripts = browser.evaluate(session, "document.scripts.length")
        sections = browser.evaluate(session, "document.querySelectorAll('section[data-section]').length")
        ARTIFACTS.mkdir(exist_ok=True)
        shot = browser.screenshot(session, ARTIFACTS / "report.png")
        errors = browser.errors()
    assert errors == [], errors
    assert scripts == 0
    assert sections == 2 + 3 * 13  # summary, 13 per network, appendix
    kinds = {c["kind"] for c in charts}
    assert {"bar", "line", "heatmap", "hbar", "network"} <= kinds
    assert all(c["w"] > 0 and c["h"] > 0 for c in charts)
    # network 1's charts all draw something
    drawn = [c for c in charts if c["shapes"] > 0]
    assert len(drawn) >= 9
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
