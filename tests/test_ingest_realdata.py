"""Researchers' real layouts (#12): the FiveThirtyEight IRA files, sources without
post ids, entity columns or retweeted-post ids, per-file mappings, honest progress."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from infoops.cli import cli as main
from infoops.errors import MappingError
from infoops.ingest import ingest
from infoops.ingest.progress import ProgressPrinter
from infoops.store import Store

FTE = Path(__file__).parent / "fixtures" / "fivethirtyeight_ira"


def _one(store: Store, sql: str) -> object:
    return store.sql(sql).iloc[0, 0]


def test_fte_full_layout_detected_with_real_ids(store: Store) -> None:
    r = ingest(store, FTE / "IRAhandle_tweets_excerpt.csv")
    s = r.sources[0]
    assert s.format == "fivethirtyeight-ira"
    assert (s.rows_read, s.rows_stored, s.rows_quarantined) == (11, 11, 0)
    # ids are the file's own; the author is alt_external_id (external_author_id is rounded)
    assert _one(store, "SELECT count(*) FROM posts WHERE post_id = '914580356430536707'") == 1
    assert set(store.sql("SELECT DISTINCT account_id FROM posts")["account_id"]) == {"905874659358453760"}
    assert _one(store, "SELECT screen_name FROM accounts WHERE account_id = '905874659358453760'") == "10_GOP"
    assert _one(store, "SELECT count(*) FROM posts WHERE kind = 'retweet'") == 3
    # US month/day/year times
    assert str(_one(store, "SELECT created_at FROM posts WHERE post_id = '914580356430536707'")) == \
        "2017-10-01 19:58:00"
    # entities from the text, and the run says so
    tags = set(store.sql("SELECT tag FROM post_hashtags")["tag"])
    assert tags == {"BoycottNFL", "StandForOurAnthem"}
    assert s.filled["hashtags from text"] == 2 and s.filled["urls from text"] == 8
    assert s.filled["mentions from text"] == 5


def test_fte_without_ids_one_command_idempotent(tmp_path: Path) -> None:
    db = str(tmp_path / "ira.duckdb")
    path = str(FTE / "ira_tweets_noids.csv")
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", path, "--format", "fivethirtyeight-ira", "--db", db, "--quiet"])
    assert res.exit_code == 0, res.output
    assert "post ids made (@hash) 11" in res.output
    assert "retweet targets inferred from text 5" in res.output
    assert "of which linked to the original post of that text: 2" in res.output
    again = runner.invoke(main, ["ingest", path, "--db", db, "--quiet", "--json"])
    assert again.exit_code == 0, again.output
    assert '"rows_stored": 0' in again.output and '"rows_duplicate": 11' in again.output
    with Store(db) as store:
        assert _one(store, "SELECT count(*) FROM posts") == 11
        assert _one(store, "SELECT count(*) FROM posts WHERE NOT starts_with(post_id, 'h:')") == 0
        # the retweets of 10_GOP's Bongino post point to it and to its author
        rows = store.sql(
            "SELECT p.ref_post_id, p.ref_account_id, o.account_id AS orig_author FROM posts p "
            "JOIN posts o ON o.post_id = p.ref_post_id WHERE p.kind = 'retweet'")
        assert len(rows) == 2 and set(rows["ref_account_id"]) == {"10_GOP"}
        assert (rows["orig_author"] == "10_GOP").all()
        # the NFL retweets (no original in the data) share one content id
        shared_ids = store.sql("SELECT DISTINCT ref_post_id FROM posts WHERE kind = 'retweet' "
                               "AND starts_with(ref_post_id, 'text:')")
        assert len(shared_ids) == 1
        assert _one(store, "SELECT count(*) FROM post_inferred_refs") == 5
        # a mention of a known screen name points to that account
        assert _one(store, "SELECT count(*) FROM post_mentions WHERE account_id = '10_GOP'") == 1
        assert _one(store, "SELECT count(*) FROM post_urls WHERE domain = 't.co'") == 0
        assert _one(store, "SELECT domain FROM post_urls WHERE url LIKE '%bbc%'") == "bbc.co.uk"
        assert _one(store, "SELECT url FROM post_urls WHERE url LIKE '%bbc%'") == "http://news.bbc.co.uk/sport"
        assert _one(store, "SELECT count(*) FROM post_hashtags WHERE tag = '$NFLX'") == 1
        assert _one(store, "SELECT kind FROM posts WHERE text LIKE 'Please RT%'") == "quote"


def test_inferred_link_does_not_depend_on_file_order(tmp_path: Path) -> None:
    lines = (FTE / "ira_tweets_noids.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    retweets = [r for r in rows if ",RETWEET," in r]
    others = [r for r in rows if ",RETWEET," not in r]
    (tmp_path / "a_retweets.csv").write_text("\n".join([header, *retweets]) + "\n", encoding="utf-8")
    (tmp_path / "b_originals.csv").write_text("\n".join([header, *others]) + "\n", encoding="utf-8")
    results = []
    for order in (["a_retweets.csv", "b_originals.csv"], ["b_originals.csv", "a_retweets.csv"]):
        with Store(tmp_path / f"{order[0]}.duckdb") as store:
            for name in order:  # two runs: the link is made when the original arrives
                ingest(store, tmp_path / name)
            results.append(store.sql("SELECT post_id, ref_post_id, ref_account_id FROM posts "
                                     "ORDER BY post_id").to_dict("records"))
    assert results[0] == results[1]


def test_rt_prefix_without_ids_is_a_retweet_of_a_content_id(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "scraped.csv"
    path.write_text(
        "user,when,body\n"
        "alice,2020-01-01 10:00,Big news from the capital today everyone\n"
        "bob,2020-01-01 10:05,RT @alice: Big news from the capital today everyone\n"
        "carol,2020-01-01 10:06,RT @alice: Big  news from the capital TODAY everyone…\n",
        encoding="utf-8")
    r = ingest(store, path, mapping={"account_id": "user", "created_at": "when", "text": "body",
                                     "author_screen_name": "user"})
    assert r.sources[0].rows_stored == 3
    rt = store.sql("SELECT ref_post_id, ref_account_id FROM posts WHERE kind = 'retweet'")
    orig = _one(store, "SELECT post_id FROM posts WHERE kind = 'original'")
    assert len(rt) == 2 and (rt["ref_post_id"] == orig).all() and (rt["ref_account_id"] == "alice").all()


def test_post_fields_without_post_id_are_posts_not_profiles(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("author,content,ts\nx,hello world #tag,1600000000\n", encoding="utf-8")
    r = ingest(store, path, mapping={"account_id": "author", "text": "content", "created_at": "ts"})
    assert r.sources[0].rows_stored == 1 and r.sources[0].filled["post ids made (@hash)"] == 1
    # asked for profiles explicitly, the message says post_id is what is missing
    with pytest.raises(MappingError, match="post_id"):
        ingest(store, path, mapping={"account_id": "author", "text": "content", "target": "accounts"})


def test_row_post_ids_and_entities_switch(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,c,ts\nx,hello #tag @y http://e.com,1600000000\n", encoding="utf-8")
    r = ingest(store, path, mapping={"account_id": "a", "text": "c", "created_at": "ts",
                                     "post_id": "@row", "entities_from_text": "false"})
    assert _one(store, "SELECT post_id FROM posts") == "t.csv:2"
    assert _one(store, "SELECT count(*) FROM post_hashtags") == 0
    assert "hashtags from text" not in r.sources[0].filled


def test_mapping_file_sections_per_file(tmp_path: Path) -> None:
    (tmp_path / "tweets.csv").write_text(
        "who,when,what\nu1,2020-01-01 00:00,hello #a\n", encoding="utf-8")
    (tmp_path / "users.csv").write_text("uid,handle,fans\nu1,one,5\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(
        '[files."tweets*.csv"]\naccount_id = "who"\ncreated_at = "when"\ntext = "what"\n'
        '[files."users*.csv"]\ntarget = "accounts"\naccount_id = "uid"\nscreen_name = "handle"\n'
        'followers = "fans"\n', encoding="utf-8")
    db = str(tmp_path / "x.duckdb")
    res = CliRunner().invoke(main, ["ingest", str(tmp_path / "tweets.csv"), str(tmp_path / "users.csv"),
                                    "--mapping", str(tmp_path / "m.toml"), "--db", db, "--quiet"])
    assert res.exit_code == 0, res.output
    with Store(db) as store:
        assert _one(store, "SELECT followers FROM accounts WHERE account_id = 'u1'") == 5
        assert _one(store, "SELECT count(*) FROM posts") == 1


def test_plain_mapping_leaves_a_known_users_file_alone(tmp_path: Path) -> None:
    (tmp_path / "tweets.csv").write_text(
        "who,when,what,tid\nu1,2020-01-01 00:00,hello,1\n", encoding="utf-8")
    (tmp_path / "users.csv").write_text(
        '"id","screen_name","followers_count","created_at"\n"u1","one","5","2015-01-01"\n', encoding="utf-8")
    (tmp_path / "m.toml").write_text('post_id = "tid"\naccount_id = "who"\ncreated_at = "when"\n'
                                     'text = "what"\n', encoding="utf-8")
    db = str(tmp_path / "x.duckdb")
    res = CliRunner().invoke(main, ["ingest", str(tmp_path / "tweets.csv"), str(tmp_path / "users.csv"),
                                    "--mapping", str(tmp_path / "m.toml"), "--db", db, "--quiet"])
    assert res.exit_code == 0, res.output
    assert "read as twitter-users" in res.output


def _big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("tweetid,userid,tweet_time,tweet_text\n")
        for i in range(rows):
            f.write(f"{i + 1},{i % 97},2020-01-01 00:{i % 60:02d},some text of a post number {i} "
                    "padded so that the file is a few megabytes long\n")


def test_progress_follows_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    _big_csv(path, 40_000)
    seen: list[tuple[int, int, int]] = []
    ingest(store, path, batch_size=4_000, progress=lambda s, d, t, r: seen.append((d, t, r)))
    for done, total, rows in seen[:-1]:
        assert abs(done / total - rows / 40_000) < 0.05, (done, total, rows)


def test_progress_of_a_zip_member(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    _big_csv(path, 40_000)
    zpath = tmp_path / "big.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(path, "big.csv")
    seen: list[tuple[int, int, int]] = []
    ingest(store, zpath, batch_size=4_000, progress=lambda s, d, t, r: seen.append((d, t, r)))
    for done, total, rows in seen[:-1]:
        assert abs(done / total - rows / 40_000) < 0.05, (done, total, rows)


def test_progress_line_ends_before_the_summary() -> None:
    out = io.StringIO()
    p = ProgressPrinter(out, every=0)
    p("a.csv", 10, 100, 5)
    p.close()
    assert out.getvalue().endswith("\n")
    p.close()
    assert out.getvalue().count("\n") == 1


def test_gzip_progress_reaches_the_end(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "small.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("tweetid,userid,tweet_time\n1,2,2020-01-01 00:00\n")
    seen: list[tuple[int, int]] = []
    ingest(store, path, progress=lambda s, d, t, r: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]


# -- entities from text ---------------------------------------------------------
def test_extract_twitter_rules() -> None:
    from infoops.ingest.entities import extract

    e = extract("RT @foo: Hello #MAGA and @bar.  $TSLA #2020 #Привет ＃全角 a@b.com "
                "http://example.com/#nottag news.bbc.co.uk/a?utm_source=x&id=3#frag")
    assert e.hashtags == ["MAGA", "Привет", "全角"]      # #2020 is not a hashtag (digits only)
    assert e.cashtags == ["TSLA"]
    assert e.mentions == ["foo", "bar"]                   # not the e-mail address
    assert e.urls == ["http://example.com/", "http://news.bbc.co.uk/a?id=3"]
    assert e.domains == ["example.com", "bbc.co.uk"]


def test_canonical_urls() -> None:
    from infoops.ingest.entities import canonical_url, registered_domain

    assert canonical_url("HTTPS://WWW.Example.COM:443/x?fbclid=1&b=2&utm_medium=m") == (
        "https://www.example.com/x?b=2", "example.com")
    assert canonical_url("https://t.co/abc") == ("https://t.co/abc", None)
    assert registered_domain("a.b.example.co.uk") == "example.co.uk"
    assert registered_domain("localhost") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"ab #@$:/._-1Ж中\u0301 \n\u200d", "http://", "t.co/", "RT"]),
                max_size=40).map("".join))
def test_extract_never_fails_and_finds_only_what_is_there(text: str) -> None:
    from infoops.ingest.entities import extract

    e = extract(text)
    for tag in e.hashtags:
        assert tag in text and not tag.isdigit()
    for m in e.mentions:
        assert m in text and len(m) <= 20
    assert len(e.urls) == len(e.domains)


# -- end to end: the IRA layout in, networks out --------------------------------
@pytest.mark.slow
def test_ira_layout_one_command_then_detect_without_flags(tmp_path: Path) -> None:
    import csv
    import json

    from realdata_fixtures import to_fivethirtyeight

    runner = CliRunner()
    world = tmp_path / "world"
    assert runner.invoke(main, ["simulate", "--out", str(world), "--seed", "7", "--scale", "tiny"]).exit_code == 0
    names = to_fivethirtyeight(world, tmp_path / "ira.csv")
    db = str(tmp_path / "ira.duckdb")
    res = runner.invoke(main, ["ingest", str(tmp_path / "ira.csv"), "--format", "fivethirtyeight-ira",
                               "--db", db, "--quiet"])
    assert res.exit_code == 0, res.output
    flagged = tmp_path / "flagged.csv"
    res = runner.invoke(main, ["detect", "--db", db, "--out", str(flagged), "--quiet"])
    assert res.exit_code == 0, res.output
    # the traces that the layout can feed all get input; the one it cannot is named, with why
    assert "co-reply: no replies naming the post they answer" in res.output
    with Store(db) as store:
        summary = json.loads(store.sql("SELECT summary FROM detect_runs").iloc[0, 0])
    inputs = summary["inputs"]
    for trace in ("co-retweet", "fast-retweet", "co-url", "co-domain", "co-hashtag", "co-mention",
                  "text-similarity", "synchronized"):
        assert inputs[trace]["rows"] > 0, trace
    assert inputs["co-reply"]["rows"] == 0 and "reply_to_post_id" in inputs["co-reply"]["why"]
    truth = {names[r["userid"]]: r["operation"] for r in csv.DictReader((world / "truth.csv").open())
             if r["userid"] in names}
    ops = {a for a, op in truth.items() if op != "none"}
    got = {r["account_id"] for r in csv.DictReader(flagged.open())}
    assert summary["networks"] >= 2
    assert len(got & ops) / len(got) >= 0.9 and len(got & ops) / len(ops) >= 0.9


def test_detect_summary_names_empty_traces(tmp_path: Path) -> None:
    from infoops.workflow import format_summary

    text = format_summary({
        "run_id": "r", "status": "completed", "networks": 0, "accounts": 0,
        "traces": {"co-retweet": {"pairs": 0, "tested": 0, "significant": 0, "seconds": 0.1}},
        "inputs": {"co-retweet": {"rows": 0, "what": "retweets with a target",
                                  "why": "no retweet targets: map retweet_post_id"}},
    })
    assert "no input" in text and "co-retweet: no retweet targets: map retweet_post_id" in text


def test_trace_inputs_say_why(store: Store, tmp_path: Path) -> None:
    from infoops.detect.inputs import trace_inputs

    path = tmp_path / "c.csv"
    path.write_text("id,user,t,rt\n1,a,1600000000,1\n2,b,1600000060,1\n", encoding="utf-8")
    ingest(store, path, mapping={"post_id": "id", "account_id": "user", "created_at": "t",
                                 "is_retweet": "rt"})
    got = trace_inputs(store.con, ["co-retweet", "co-hashtag", "synchronized"])
    assert got["co-retweet"]["rows"] == 0
    assert "none of the 2 retweets names the retweeted post" in got["co-retweet"]["why"]
    assert "map hashtags" in got["co-hashtag"]["why"]
    assert "every post is a retweet" in got["synchronized"]["why"]


# -- more real layouts: CrowdTangle, Telegram, academic v2 files ------------------
def test_crowdtangle_csv(store: Store) -> None:
    r = ingest(store, Path(__file__).parent / "fixtures" / "crowdtangle" / "crowdtangle_posts.csv")
    s = r.sources[0]
    assert s.format == "crowdtangle" and (s.rows_stored, s.rows_quarantined) == (3, 0)
    # EDT is UTC-4, EST UTC-5
    assert str(_one(store, "SELECT created_at FROM posts WHERE post_id LIKE '%3312345678901234'")) == \
        "2020-10-01 13:15:02"
    assert str(_one(store, "SELECT created_at FROM posts WHERE post_id LIKE '%4412345678909999'")) == \
        "2020-12-24 23:00:00"
    assert _one(store, "SELECT count(*) FROM post_hashtags WHERE tag = 'StopTheSteal'") == 2
    assert _one(store, "SELECT count(DISTINCT url) FROM post_urls") == 1   # the page's link column
    assert _one(store, "SELECT display_name FROM accounts WHERE account_id = '100012345678901'") == \
        "Patriots United"
    # a mention of a page's user name points to that page
    assert _one(store, "SELECT account_id FROM post_mentions") == "100012345678901"


def test_zone_abbreviations_are_offsets_not_ignored(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "z.csv"
    path.write_text("id,u,t\n1,a,2021-01-05 21:05:26 EST\n2,a,2021-01-05 21:05:26 XYZ\n", encoding="utf-8")
    r = ingest(store, path, mapping={"post_id": "id", "account_id": "u", "created_at": "t"})
    assert (r.rows_stored, r.rows_quarantined) == (1, 1)   # an unknown zone is not read as UTC
    assert str(_one(store, "SELECT created_at FROM posts")) == "2021-01-06 02:05:26"


def test_telegram_desktop_export(store: Store) -> None:
    r = ingest(store, Path(__file__).parent / "fixtures" / "telegram" / "result.json")
    s = r.sources[0]
    assert s.format == "telegram-json"
    assert (s.rows_read, s.rows_stored, s.rows_quarantined) == (5, 4, 1)   # the service message
    forwards = store.sql("SELECT ref_post_id FROM posts WHERE kind = 'retweet'")
    assert len(forwards) == 2 and forwards["ref_post_id"].nunique() == 1   # one inferred target
    assert _one(store, "SELECT reply_to_post_id FROM posts WHERE kind = 'reply'") == "1298765432:2"
    assert set(store.sql("SELECT tag FROM post_hashtags")["tag"]) == {"правда", "$RUB"}
    assert set(store.sql("SELECT url FROM post_urls")["url"]) == {
        "https://example.ru/news/123", "https://www.example.org/report"}
    assert str(_one(store, "SELECT created_at FROM posts WHERE post_id = '1298765432:2'")) == \
        "2022-03-01 10:15:00"


def test_academic_v2_data_and_users_files(store: Store) -> None:
    r = ingest(store, Path(__file__).parent / "fixtures" / "academic_v2")
    formats = {s.format for s in r.sources}
    assert formats == {"twitter-json", "twitter-v2-includes"} and r.reconciles
    assert _one(store, "SELECT followers FROM accounts WHERE account_id = '2244994945'") == 570000
    assert not _one(store, "SELECT is_stub FROM accounts WHERE account_id = '1500111222333444555'")
    assert _one(store, "SELECT ref_post_id FROM posts WHERE kind = 'retweet'") == "1501000000000000001"
