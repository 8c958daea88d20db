"""Hard negatives are genuinely hard: a naive co-action threshold flags them.

Measured straight from the CSVs with DuckDB, so the claim does not depend on
any detector: fans, activists and staff co-retweet within a minute again and
again; the news crowd shares one URL within an hour; feed bots post identical
headlines minutes apart. The operations leave their own traces.
"""

from __future__ import annotations

import duckdb
import pytest

from infoops.simulate import simulate


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    out = tmp_path_factory.mktemp("negatives")
    simulate(out, seed=11, scale="tiny")
    c = duckdb.connect()
    c.execute(f"""CREATE TABLE t AS SELECT tweetid, userid, tweet_time::TIMESTAMP AS ts, is_retweet = 'True' AS rt,
                  retweet_tweetid, tweet_text, urls, hashtags, follower_count::BIGINT AS followers,
                  account_creation_date FROM read_csv('{out}/tweets.csv', all_varchar=true)""")
    c.execute(f"CREATE TABLE tr AS SELECT * FROM read_csv('{out}/truth.csv', all_varchar=true)")
    # naive co-retweet: same post retweeted within 60 s, at least 3 times per pair
    c.execute("""CREATE TABLE pairs AS
        WITH r AS (SELECT userid, retweet_tweetid o, epoch(ts) s FROM t WHERE rt)
        SELECT a.userid u, b.userid v, count(DISTINCT a.o) w FROM r a JOIN r b
          ON a.o = b.o AND a.userid < b.userid AND abs(a.s - b.s) <= 60
        GROUP BY 1, 2 HAVING count(DISTINCT a.o) >= 3""")
    c.execute("""CREATE TABLE naive AS
        SELECT tr."group", count(*) AS total, count(f.u) AS flagged FROM tr
        LEFT JOIN (SELECT u FROM pairs UNION SELECT v FROM pairs) f ON f.u = tr.userid GROUP BY 1""")
    return c


def _share(con: duckdb.DuckDBPyConnection, group: str) -> float:
    row = con.execute('SELECT flagged / total FROM naive WHERE "group" = ?', [group]).fetchone()
    assert row is not None
    return float(row[0])


@pytest.mark.parametrize(
    ("group", "share"), [("fan_community", 0.8), ("org_staff", 0.8), ("activist_campaign", 0.5)]
)
def test_naive_coretweet_flags_authentic_crowds(
    con: duckdb.DuckDBPyConnection, group: str, share: float
) -> None:
    assert _share(con, group) > share


def test_activists_share_hashtags_within_the_hour(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute("""
        WITH h AS (SELECT t.userid, unnest(string_split(trim(hashtags, '[]'), ', ')) AS tag, epoch(ts) s
                   FROM t JOIN tr USING (userid) WHERE tr."group" = 'activist_campaign' AND hashtags <> '[]'),
             p AS (SELECT a.userid u, b.userid v FROM h a JOIN h b ON a.tag = b.tag AND a.userid < b.userid
                   AND abs(a.s - b.s) <= 3600 GROUP BY 1, 2 HAVING count(*) >= 3)
        SELECT count(DISTINCT u) FROM (SELECT u FROM p UNION SELECT v FROM p)""").fetchone()
    total = con.execute("SELECT count(*) FROM tr WHERE \"group\" = 'activist_campaign'").fetchone()
    assert row is not None and total is not None and row[0] > 0.8 * total[0]


def test_fans_retweet_the_idol_within_minutes(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute("""
        SELECT median(date_diff('minute', o.ts, r.ts)), count(*) FROM t r JOIN t o ON r.retweet_tweetid = o.tweetid
        JOIN tr fr ON fr.userid = r.userid JOIN tr orr ON orr.userid = o.userid
        WHERE fr."group" = 'fan_community' AND orr."group" = 'fan_community'""").fetchone()
    assert row is not None
    median_delay, n = row
    assert n > 1000 and 1 <= median_delay <= 10


def test_news_crowd_shares_one_url_within_an_hour(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute("""
        WITH s AS (SELECT t.userid, unnest(string_split(trim(urls, '[]'), ', ')) AS url, ts
                   FROM t JOIN tr USING (userid) WHERE tr."group" = 'news_burst' AND urls <> '[]'),
             first AS (SELECT url, min(ts) t0 FROM s GROUP BY 1)
        SELECT max(n), any_value(total) FROM (
            SELECT s.url, count(DISTINCT s.userid) n FROM s JOIN first USING (url)
            WHERE s.ts <= first.t0 + INTERVAL 1 HOUR GROUP BY 1),
            (SELECT count(*) total FROM tr WHERE "group" = 'news_burst')""").fetchone()
    assert row is not None
    sharers, total = row
    assert sharers >= 0.4 * total and sharers >= 40


def test_feed_bots_post_identical_headlines_minutes_apart(con: duckdb.DuckDBPyConnection) -> None:
    n = con.execute("""
        WITH b AS (SELECT t.* FROM t JOIN tr USING (userid) WHERE tr."group" = 'news_bots')
        SELECT count(*) FROM b x JOIN b y ON x.tweet_text = y.tweet_text AND x.userid < y.userid
        AND abs(epoch(x.ts) - epoch(y.ts)) <= 20 * 60""").fetchone()
    assert n is not None and n[0] > 100


def test_hard_negatives_are_established_accounts(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""
        SELECT "group", avg(CASE WHEN followers = 0 THEN 1 ELSE 0 END), min(account_creation_date)
        FROM (SELECT DISTINCT userid, followers, account_creation_date FROM t) JOIN tr USING (userid)
        WHERE "group" IN ('fan_community', 'activist_campaign', 'org_staff') GROUP BY 1""").fetchall()
    for _, zero_share, _ in rows:
        assert zero_share < 0.05


def test_activists_talk_hong_kong_in_chinese_and_english(con: duckdb.DuckDBPyConnection) -> None:
    langs = {
        r[0]
        for r in con.execute("""
        SELECT DISTINCT regexp_matches(tweet_text, '[\\x{4e00}-\\x{9fff}]') FROM t JOIN tr USING (userid)
        WHERE tr."group" = 'activist_campaign' AND NOT rt AND tweet_text LIKE '%#%'""").fetchall()
    }
    assert langs == {True, False}


def test_operations_leave_coordination_traces(con: duckdb.DuckDBPyConnection) -> None:
    # PRC amplifiers and Turkish rings are caught by co-retweet; Russia by shared links
    assert _share(con, "prc_amplifier") > 0.3
    flagged = con.execute("""SELECT sum(flagged) / sum(total) FROM naive
                             WHERE "group" IN ('turkey_new', 'turkey_compromised')""").fetchone()
    assert flagged is not None and flagged[0] > 0.7
    shared = con.execute("""
        WITH s AS (SELECT t.userid, unnest(string_split(trim(urls, '[]'), ', ')) AS url FROM t JOIN tr USING (userid)
                   WHERE tr.operation = 'russia' AND urls <> '[]' AND NOT rt)
        SELECT count(*) FROM (SELECT url FROM s GROUP BY 1 HAVING count(DISTINCT userid) >= 3)""").fetchone()
    assert shared is not None and shared[0] >= 10
    # PRC copypasta: the same text (up to punctuation) from several cores
    dup = con.execute("""
        SELECT max(n) FROM (SELECT regexp_replace(tweet_text, '[!！。…?#].*$', '') k, count(DISTINCT userid) n
        FROM t JOIN tr USING (userid) WHERE tr.operation = 'prc' AND NOT rt GROUP BY 1)""").fetchone()
    assert dup is not None and dup[0] >= 2
