"""The report on real-shaped data (#12): one analyst paragraph per network, parameters in
an appendix, a ranked table with size / languages / topic / span / score, axes clipped to
the bulk, empty sections said in one line, evidence in words, one @ convention."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from infoops.cli import cli
from infoops.store import Store

FTE = Path(__file__).parent / "fixtures" / "fivethirtyeight_ira"


@pytest.fixture(scope="module")
def ira_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, list[str]]:
    """A tiny simulated world in the IRA layout, ingested, detected and reported."""
    from realdata_fixtures import to_fivethirtyeight

    tmp = tmp_path_factory.mktemp("ira")
    runner = CliRunner()
    assert runner.invoke(cli, ["simulate", "--out", str(tmp / "w"), "--seed", "7",
                               "--scale", "tiny"]).exit_code == 0
    to_fivethirtyeight(tmp / "w", tmp / "ira.csv")
    db = str(tmp / "ira.duckdb")
    assert runner.invoke(cli, ["ingest", str(tmp / "ira.csv"), "--db", db, "-q"]).exit_code == 0
    assert runner.invoke(cli, ["detect", "--db", db, "-q"]).exit_code == 0
    res = runner.invoke(cli, ["report", "--db", db, "--out", str(tmp / "r.html")])
    assert res.exit_code == 0, res.output
    progress = [line for line in res.output.splitlines() if line.startswith("... network")]
    return (tmp / "r.html").read_text(encoding="utf-8"), db, progress


def _part(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i:html.index(end, i)]


def test_analyst_paragraph_leads_each_network(ira_report: tuple[str, str, list[str]]) -> None:
    html, _, _ = ira_report
    nets = re.findall(r'<section class="network" id="net-(\d+)"', html)
    assert nets
    paragraphs = re.findall(r'<p class="analyst" data-analyst="1">(.*?)</p>', html)
    assert len(paragraphs) == len(nets)
    for p in paragraphs:
        assert "accounts (" in p and "wrote" in p           # size
        assert "It was active from" in p                    # when
        assert "How we know" in p and "Score" in p          # how we know
        assert "It pushes" in p                             # what it pushes


def test_parameters_in_appendix_and_ranked_table_columns(ira_report: tuple[str, str, list[str]]) -> None:
    html, _, _ = ira_report
    summary = _part(html, 'id="summary"', "</section>")
    assert "Detection parameters" not in summary
    appendix = html[html.index('id="appendix"'):]
    assert "Detection parameters" in appendix and "co-retweet.window" in appendix
    head = _part(summary, 'id="rank-score"', "</thead>")
    for col in ("accounts", "main languages", "top hashtag", "active (5th–95th pct.)", "score"):
        assert f"<th>{col}</th>" in head
    for order in ("rank-size", "rank-posts", "rank-start"):
        assert f'id="{order}"' in summary and f'href="#{order}"' in summary
    assert re.search(r"<td>en \d+%", summary)            # the languages column is filled
    assert re.search(r"<td>\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d</td>", summary)


def test_traces_without_input_said_once_in_words(ira_report: tuple[str, str, list[str]]) -> None:
    html, _, _ = ira_report
    block = _part(html, 'id="no-input"', "</div>")
    assert 'data-trace="co-reply"' in block and "reply_to_post_id" in block


def test_empty_sections_say_not_in_this_data(ira_report: tuple[str, str, list[str]]) -> None:
    html, _, _ = ira_report
    clients = _part(html, 'id="net-1-clients"', "</section>")
    assert "Not in this data: client apps" in clients and "<svg" not in clients


def test_evidence_in_words_and_inferred_targets_marked(ira_report: tuple[str, str, list[str]]) -> None:
    html, _, _ = ira_report
    ev = "".join(re.findall(r'id="net-\d+-evidence".*?</section>', html, flags=re.DOTALL))
    assert "what both share" in ev
    assert "target inferred from text" in ev
    assert "retweeted post by @" in ev or "retweets of the same text" in ev
    # no bare numbers as the shared object of text similarity or synchronized posting
    for trace in ("text-similarity", "synchronized"):
        for row in re.findall(rf"<tr><td>{trace}</td><td>([^<]*)</td>", ev):
            assert not row.strip().isdigit(), row


def test_report_shows_progress_per_network(ira_report: tuple[str, str, list[str]]) -> None:
    html, _, progress = ira_report
    assert len(progress) == len(re.findall(r'<section class="network"', html))
    assert "(1 of " in progress[0]


def test_one_at_convention(ira_report: tuple[str, str, list[str]]) -> None:
    html, _, _ = ira_report
    mentioned = "".join(re.findall(r'data-top="mentioned">.*?</div>', html, flags=re.DOTALL))
    items = re.findall(r"<tr><td>([^<]+)</td>", mentioned)
    assert items and all(i.startswith(("@", "id ")) for i in items)


def test_axis_clipped_to_the_bulk_and_outliers_marked(store: Store) -> None:
    from infoops.narratives.topics import bulk_span, network_narratives

    store.execute("INSERT INTO accounts (account_id, screen_name) VALUES ('a', 'a')")
    rows = [(f"p{i}", datetime(2017, 10, 1 + i % 28, i % 24)) for i in range(300)]
    rows.append(("old", datetime(2012, 3, 1)))
    for pid, at in rows:
        store.execute("INSERT INTO posts (post_id, account_id, created_at, kind, text) "
                      "VALUES (?, 'a', ?, 'original', 'some words about the election today')", [pid, at])
    store.execute("CREATE TEMP TABLE m AS SELECT 'a' AS account_id, 'core' AS role")
    sp = bulk_span(store.con, "m")
    assert sp.first.year == 2012 and sp.lo.year == 2017 and sp.before == 1 and sp.after == 0
    narr = network_narratives(store.con, "m", n_topics=2)
    assert narr.periods[0].startswith("2017-")


def test_signals_in_words_not_json() -> None:
    from infoops.report.repurpose import in_words

    assert in_words({"flagged": True, "dormant_days": 120, "from": "2016-01-01"}) == \
        "dormant days 120; from 2016-01-01"
    assert in_words([0.12345, True]) == "0.123, yes"


def test_show_says_not_in_the_data_instead_of_none() -> None:
    from infoops.report.show import format_account

    report = {"profile": {"account_id": "1", "screen_name": "x", "followers": None, "following": 3},
              "posts": [], "run_id": "r", "signals": {}, "links": []}
    text = format_account(report)
    assert "followers None" not in text and "followers not in the data" in text


def test_network_picture_labels_its_hubs() -> None:
    from infoops.export.run_graph import Edge, Node
    from infoops.report.netpic import draw

    nodes = [Node("0", "hub<script>", "core", 1.0, "N1")] + [
        Node(str(i), f"amp{i}", "amplifier", 0.5, "N1") for i in range(1, 30)]
    edges = [Edge("0", str(i), 5.0, "co-retweet") for i in range(1, 30)] + [
        Edge("1", "2", 1.0, "co-retweet")]
    pic = draw(nodes, edges, seed=1, n_labels=3)
    labels = re.findall(r'<text class="hub-label"[^>]*>([^<]*)</text>', pic.svg)
    assert len(labels) == 3 and "@hub&lt;script&gt;" in labels
    assert "<script>" not in pic.svg


def test_busiest_hours_need_no_shift_assumption() -> None:
    from infoops.report.sections import busiest_hours

    heat = [[0] * 24 for _ in range(7)]
    for h in (22, 23, 0, 1, 2):   # a night shift in UTC, across midnight
        heat[0][h] = 10
    assert busiest_hours(heat).startswith("19:00–03:00") or busiest_hours(heat).startswith("22:00")
    assert "100.0% of posts" in busiest_hours(heat)
    assert busiest_hours([[0] * 24 for _ in range(7)]) == "–"
