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


DOCS_SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def _report_of(tmp: Path, name: str, ingest_args: list[str], detect_args: list[str]) -> tuple[Path, dict]:
    """Ingest, detect and report through the CLI; the report and the measured numbers."""
    import json
    import time

    from click.testing import CliRunner

    from infoops.cli import cli

    runner = CliRunner()
    db = str(tmp / f"{name}.duckdb")
    stats: dict = {}
    for step, args in (("ingest", ["ingest", *ingest_args, "--db", db, "-q", "--json"]),
                       ("detect", ["detect", "--db", db, "-q", "--json", *detect_args]),
                       ("report", ["report", "--db", db, "--out", str(tmp / f"{name}.html"), "-q"])):
        t0 = time.monotonic()
        res = runner.invoke(cli, args)
        assert res.exit_code == 0, res.output
        stats[f"{step}_seconds"] = round(time.monotonic() - t0, 1)
        if step != "report":
            stats[step] = json.loads(res.output)
    stats["report_bytes"] = (tmp / f"{name}.html").stat().st_size
    return tmp / f"{name}.html", stats


def _shoot(browser: Chromium, html: Path, where: Path, name: str) -> dict[str, object]:
    """Open a report, check it loads, jump to anchors, and save two screenshots: the
    ranked summary and the first network's opening."""
    import json
    import time

    t0 = time.monotonic()
    session = browser.open(html.resolve().as_uri(), width=1280, height=1600)
    load_s = time.monotonic() - t0
    anchors = json.loads(browser.evaluate(session, "JSON.stringify(Array.from("
                                          "document.querySelectorAll('nav a')).map(a => a.hash))"))
    jumps = {}
    tall = browser.evaluate(session, "document.body.scrollHeight > window.innerHeight * 1.5")
    for anchor in [*anchors[1:3], "#appendix"]:
        browser.evaluate(session, f"location.hash = {json.dumps(anchor)}")
        # an anchor far down a tall page must move the view there
        jumps[anchor] = browser.evaluate(session, "window.scrollY") if tall else 1
    # sections render lazily (content-visibility); a screenshot needs them drawn
    browser.evaluate(session, "document.querySelectorAll('section').forEach("
                              "s => s.style.contentVisibility = 'visible')")
    browser.evaluate(session, "window.scrollTo(0, 0)")
    where.mkdir(parents=True, exist_ok=True)
    browser.screenshot(session, where / f"{name}.png", max_height=2200)
    first = browser.evaluate(session, "(document.getElementById('net-1') || {offsetTop: -1}).offsetTop")
    if isinstance(first, (int, float)) and first >= 0:
        browser.screenshot(session, where / f"{name}-network-1.png", max_height=3200, top=int(first))
    return {"load_s": round(load_s, 2), "jumps": jumps, "errors": browser.errors()}


@pytest.mark.browser
@pytest.mark.slow
def test_report_screenshots_of_real_and_simulated_data(tmp_path: Path) -> None:
    """The report of the real CooRTweet sample and of a simulated world in the IRA
    layout, opened in Chromium: no errors, anchors navigate, screenshots saved.

    With ``INFOOPS_DOC_SCREENSHOTS=1`` (or ``=medium`` for a medium world, minutes)
    the screenshots go to ``docs/screenshots/`` instead of ``test-artifacts/``, with
    the measured numbers in ``realdata-runs.json`` beside them.
    """
    import json
    import os

    from conftest import SHARED_DATA
    from realdata_fixtures import to_fivethirtyeight

    exe = find_chromium()
    if exe is None:
        pytest.skip("no Chromium on PATH (install Debian's `chromium` package; .ci/run does)")
    docs = os.environ.get("INFOOPS_DOC_SCREENSHOTS", "")
    where = DOCS_SHOTS if docs else ARTIFACTS
    scale = "medium" if docs == "medium" else "tiny"
    from click.testing import CliRunner

    from infoops.cli import cli

    assert CliRunner().invoke(cli, ["simulate", "--out", str(tmp_path / "w"), "--seed", "7",
                                    "--scale", scale]).exit_code == 0
    to_fivethirtyeight(tmp_path / "w", tmp_path / "ira.csv")
    reports = {f"report-simulated-{scale}-ira-layout": _report_of(
        tmp_path, "sim", [str(tmp_path / "ira.csv"), "--format", "fivethirtyeight-ira"], [])}
    coortweet = SHARED_DATA / "coortweet" / "russian_coord_tweets.csv"
    if coortweet.exists():
        reports["report-coortweet-sample"] = _report_of(tmp_path, "coortweet", [str(coortweet)], [])
    measured = {}
    with Chromium(exe) as browser:
        for name, (html, stats) in reports.items():
            got = _shoot(browser, html, where, name)
            assert got["errors"] == [], got["errors"]
            assert (where / f"{name}.png").stat().st_size > 10_000
            jumps = got["jumps"]
            assert isinstance(jumps, dict) and jumps["#appendix"] > 0, jumps
            measured[name] = {**stats, "browser_load_seconds": got["load_s"]}
    (where / "realdata-runs.json").write_text(json.dumps(_file_names(measured), indent=2, sort_keys=True),
                                              encoding="utf-8")


def _file_names(value: object) -> object:
    """``value`` with every ``source`` path cut to its file name (no machine paths in docs)."""
    if isinstance(value, dict):
        return {k: Path(v).name if k == "source" and isinstance(v, str) else _file_names(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_file_names(v) for v in value]
    return value
