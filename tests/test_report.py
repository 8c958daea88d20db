"""The HTML report on a tiny hand-built world: every section present, numbers right.

Expected numbers are computed here from the fixture's Python lists, not by the
report code.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from infoops.errors import NotFoundError
from infoops.report import build_report, render_report, write_report
from infoops.report.sections import TITLES
from infoops.store import Store
from report_fixtures import World, build_world, load_world


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.fixture(scope="module")
def world_store(tmp_path_factory: pytest.TempPathFactory, world: World) -> Store:
    s = Store(tmp_path_factory.mktemp("report") / "world.duckdb")
    load_world(s, world)
    yield s
    s.close()


@pytest.fixture(scope="module")
def report(world_store: Store) -> str:
    return render_report(build_report(world_store, seed=1))


@pytest.fixture(scope="module")
def net1(world_store: Store):
    return build_report(world_store, network="1", seed=1).sections[0]


def section(html: str, rank: int, key: str) -> str:
    start = html.index(f'id="net-{rank}-{key}"')
    return html[start:html.index("</section>", start)]


def metric(html: str, rank: int, key: str, name: str) -> str:
    m = re.search(rf'<tr data-metric="{re.escape(name)}"><th>[^<]*</th><td class="n">([^<]*)</td>',
                  section(html, rank, key))
    assert m, f"metric {name} missing from section {key}"
    return m.group(1)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def test_every_section_for_every_network(report: str) -> None:
    for rank in (1, 2, 3):
        for key, _title in TITLES:
            assert f'id="net-{rank}-{key}"' in report
        assert f'id="net-{rank}"' in report
    assert report.count('data-section="counts"') == 3


def test_summary_ranks_networks_of_latest_run(report: str, world: World) -> None:
    summary = report[report.index('id="summary"'):report.index('id="net-1"')]
    by_score = summary[summary.index('id="rank-score"'):summary.index("</table>", summary.index('id="rank-score"'))]
    rows = re.findall(r"<tr><td>(\d)</td><td><a href=\"#net-\d\">([^<]+)</a>", by_score)
    assert rows == [("1", "1"), ("2", "2"), ("3", "3")]  # score order 0.91 > 0.55 > 0.2
    assert "stale" not in report  # the older run's network
    assert "18 accounts retweet 6 cores within 2 min" in summary
    assert "2 accounts linked by co-hashtag" in summary  # fallback "why"
    # the run's parameters are in the appendix, not in the way of the networks
    assert "<td>window_seconds</td><td>120</td>" not in summary
    assert "<td>window_seconds</td><td>120</td>" in report[report.index('id="appendix"'):]
    assert f'<td class="n">{len(world.posts_of("1")):,}</td>' not in summary  # posts are <td>
    assert f"<td>{len(world.posts_of('1')):,}</td>" in summary


def test_counts(report: str, world: World) -> None:
    posts = world.posts_of("1")
    n = len(posts)
    kinds = Counter(p["kind"] for p in posts)
    ids = {p["post_id"] for p in posts}
    with_url = {pid for pid, _, _ in world.urls} & ids
    with_tag = {pid for pid, _ in world.hashtags} & ids
    assert metric(report, 1, "counts", "accounts") == "18"
    assert metric(report, 1, "counts", "core") == "6"
    assert metric(report, 1, "counts", "amplifier") == "12"
    assert metric(report, 1, "counts", "posts") == f"{n:,}"
    assert metric(report, 1, "counts", "posts_per_account") == f"{n / 18:,.1f}"
    assert metric(report, 1, "counts", "share_retweet") == pct(kinds["retweet"] / n)
    assert metric(report, 1, "counts", "share_reply") == pct(kinds["reply"] / n)
    assert metric(report, 1, "counts", "share_quote") == pct(kinds["quote"] / n)
    assert metric(report, 1, "counts", "share_media") == pct(sum(p["has_media"] for p in posts) / n)
    assert metric(report, 1, "counts", "share_links") == pct(len(with_url) / n)
    assert metric(report, 1, "counts", "share_hashtags") == pct(len(with_tag) / n)
    assert metric(report, 2, "counts", "posts") == "40"
    assert metric(report, 3, "counts", "posts") == "0"


def test_creation_burst(report: str, world: World) -> None:
    members = world.member_ids("1")
    jan = [a for a in world.accounts if a["account_id"] in members
           and a["created_at"].strftime("%Y-%m") == "2020-01"]
    assert metric(report, 1, "creation", "burst_months") == "1"
    assert metric(report, 1, "creation", "burst_accounts") == str(len(jan))
    sec = section(report, 1, "creation")
    assert f"<td>2020-01</td><td>{len(jan)}</td>" in sec
    assert 'fill="#D55E00"' in sec  # the burst bar is highlighted
    assert metric(report, 2, "creation", "burst_months") == "0"  # spread over four months


def test_rhythm_infers_beijing_office_hours(report: str, world: World) -> None:
    posts = world.posts_of("1")
    local = [p["created_at"] + timedelta(hours=8) for p in posts]
    office = sum(t.weekday() < 5 and 9 <= t.hour < 18 for t in local)
    assert metric(report, 1, "rhythm", "timezone") == "UTC+8"
    assert metric(report, 1, "rhythm", "office_share") == pct(office / len(posts))
    assert metric(report, 2, "rhythm", "timezone") == "UTC+3"


def test_followers(report: str, world: World) -> None:
    members = world.member_ids("1")
    fol = [a["followers"] for a in world.accounts if a["account_id"] in members]
    assert metric(report, 1, "followers", "followers_zero") == pct(sum(f == 0 for f in fol) / 18)
    assert metric(report, 1, "followers", "followers_lt8") == pct(sum(f < 8 for f in fol) / 18)
    assert metric(report, 1, "followers", "followers_bg_zero") == "0.0%"


def test_engagement(report: str, world: World) -> None:
    members = world.member_ids("1")
    zero = {a["account_id"] for a in world.accounts if a["followers"] == 0}
    own = [p for p in world.posts_of("1") if p["kind"] != "retweet"]
    liked_zero = [p for p in own if p["account_id"] in zero and p["like_count"] > 0]
    observed = []
    for p in world.posts:
        target = p["reply_to_account_id"] if p["kind"] == "reply" else p["ref_account_id"]
        if p["kind"] != "original" and target in members and p["account_id"] != target:
            observed.append(p)
    outside = [p for p in observed if p["account_id"] not in members]
    assert outside  # the fixture has outsiders retweeting the core
    assert metric(report, 1, "engagement", "likes") == f"{sum(p['like_count'] for p in own):,}"
    assert metric(report, 1, "engagement", "zero_follower_liked_posts") == f"{len(liked_zero):,}"
    assert metric(report, 1, "engagement", "zero_follower_likes") == \
        f"{sum(p['like_count'] for p in liked_zero):,}"
    assert metric(report, 1, "engagement", "observed") == f"{len(observed):,}"
    assert metric(report, 1, "engagement", "observed_outside") == f"{len(outside):,}"
    assert metric(report, 1, "engagement", "share_outside") == pct(len(outside) / len(observed))


def test_languages_top_lists_and_clients(net1, report: str, world: World) -> None:
    s = net1
    posts = world.posts_of("1")
    assert s.post_languages == sorted(Counter(p["language"] for p in posts).items(),
                                      key=lambda kv: (-kv[1], kv[0]))
    assert dict(s.account_languages) == {"zh": 18}
    ids = {p["post_id"] for p in posts}
    tags = Counter(t.lower() for pid, t in world.hashtags if pid in ids)
    assert [(r.item, r.posts) for r in s.top["hashtags"]] == \
        sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))
    assert s.top["domains"][0].item == "news.example.cn"
    retweeted = Counter(p["ref_account_id"] for p in posts if p["kind"] == "retweet")
    assert {r.item: r.posts for r in s.top["retweeted"]} == \
        {f"@{k}_name": v for k, v in retweeted.items()}
    assert all(r.note == "member (core)" for r in s.top["retweeted"])
    clients = Counter(p["client"] for p in posts)
    assert [(c, p) for c, p, _ in s.clients] == sorted(clients.items(), key=lambda kv: -kv[1])
    sec = section(report, 1, "clients")
    for c, k in clients.items():
        assert f"<td>{c}</td><td>{k:,}</td>" in sec
    loc = section(report, 1, "languages")
    assert "<td>New York</td><td>zh</td><td>zh</td><td>4</td>" in loc


def test_narratives_and_phases(world_store: Store, net1, world: World) -> None:
    s = net1
    narr = s.narratives
    assert len(narr.topics) >= 2
    texts = {p["text"] for p in world.posts_of("1")}
    for t in narr.topics:
        assert t.terms and t.examples
        # every example is a real (cleaned) post of the network
        for text, _ in t.examples:
            assert any(text[:50] in x for x in texts)
    assert sum(t.posts for t in narr.topics) <= len(world.posts_of("1"))
    assert narr.phases and narr.phases[-1]["end"] == narr.periods[-1]
    # the same seed gives the same topics
    again = build_report(world_store, network="1", seed=1).sections[0].narratives
    assert [t.terms for t in again.topics] == [t.terms for t in narr.topics]


def test_repurposed_account(report: str) -> None:
    sec = section(report, 1, "repurposed")
    for signal in ("name change", "language change", "post language switch", "client switch",
                   "new-owner post", "dormant", "roles: hijacked"):
        assert metric(report, 1, "repurposed", f"rep_{signal}") == "1"
    assert "jogger_mike → c0_name" in sec
    assert "Twitter for Android → Twitter Web App" in sec
    assert metric(report, 1, "repurposed", "sig_zero_followers") == "12"
    # created in 2016, first post in 2020: silent from creation to first post
    assert metric(report, 2, "repurposed", "rep_dormant") == "4"
    assert "No sign of repurposed accounts" in section(report, 3, "repurposed")


def test_picture_and_evidence(report: str, world: World) -> None:
    members = world.member_ids("1")
    weights: Counter[tuple[str, str]] = Counter()
    for e in world.edges:
        if e["significant"] and e["a"] in members and e["b"] in members:
            weights[(min(e["a"], e["b"]), max(e["a"], e["b"]))] += e["weight"]
    pic = section(report, 1, "picture")
    assert pic.count('class="node core"') == 6
    assert pic.count('class="node amplifier"') == 12
    assert f"18 of 18 accounts and {len(weights)} of {len(weights)} links shown" in pic
    w = max(weights.values())
    a, b = min(k for k, v in weights.items() if v == w)
    ev = section(report, 1, "evidence")
    first = re.search(r"<h4>@([^ ]+) — @([^ ]+) <span class=\"note\">weight ([\d.,]+)", ev)
    assert first and float(first.group(3)) == w
    gaps = sorted(e["delta_seconds"] for e in world.evidence if {e["a"], e["b"]} == {a, b})
    assert f"{gaps[0]:,.0f} s" in ev
    assert "500.00" not in ev  # the insignificant c0–c1 edge is not evidence
    assert "Not in this data: significant links" in section(report, 3, "evidence")


def test_one_network_and_unknown_network(world_store: Store, tmp_path: Path) -> None:
    out = write_report(world_store, tmp_path / "sub" / "n2.html", network="2")
    html = out.read_text(encoding="utf-8")
    assert 'id="net-2"' in html and 'id="net-1"' not in html
    assert html.count('data-section="counts"') == 1
    with pytest.raises(NotFoundError, match="no network 'nope'"):
        build_report(world_store, network="nope")


def test_no_detect_run(store: Store) -> None:
    with pytest.raises(NotFoundError, match="infoops detect"):
        build_report(store)


def test_cli_report(world_store: Store, runner, tmp_path: Path) -> None:
    from infoops.cli import cli

    db = world_store.path
    world_store.con.execute("CHECKPOINT")
    copy = tmp_path / "copy.duckdb"
    Path(copy).write_bytes(Path(db).read_bytes())
    result = runner.invoke(cli, ["report", "--db", str(copy), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "report written to" in result.output
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = runner.invoke(cli, ["report", "--db", str(copy), "--network", "zzz",
                              "--out", str(tmp_path / "x.html")])
    assert bad.exit_code != 0 and isinstance(bad.exception, NotFoundError)


def test_highlights(report: str, world: World) -> None:
    top = report[report.index('id="net-1"'):report.index('id="net-1-counts"')]
    members = world.member_ids("1")
    zero = sum(a["followers"] == 0 for a in world.accounts if a["account_id"] in members)
    assert f"<li>{pct(zero / 18)} have no followers" in top
    assert "accounts were created in burst months (2020-01: 17)" in top
    assert "of posts fall in weekday office hours of UTC+8" in top
    assert "1 account(s) show signs of repurposing" in top


def test_older_run_with_memberless_network(world_store: Store) -> None:
    data = build_report(world_store, run_id="run-1")
    assert [n["network_id"] for n in data.networks] == ["old"]
    html = render_report(data)
    assert metric(html, 1, "counts", "accounts") == "0"
    assert "0 of 0 accounts" in section(html, 1, "picture")
    with pytest.raises(NotFoundError, match="no detect run 'run-9'"):
        build_report(world_store, run_id="run-9")


def test_timeline_and_heatmap_numbers(net1, world: World) -> None:
    s = net1
    posts = world.posts_of("1")
    kinds = Counter(p["kind"] for p in posts)
    assert {k: sum(v) for k, v in s.by_kind.items()} == dict(kinds)
    assert s.period == "week" and s.periods[0] == "2019-01-07"  # c0's old posts, a Monday
    cells = Counter((p["created_at"].weekday(), p["created_at"].hour) for p in posts)
    assert {(d, h): v for d, row in enumerate(s.heatmap) for h, v in enumerate(row) if v} == dict(cells)
