"""The simulated world: determinism, IO-archive validity, truth coverage, no label leaks."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from infoops.cli import cli
from infoops.ioarchive import PROFILE_CHANGE_COLUMNS, TWEET_COLUMNS_31, USER_COLUMNS
from infoops.simulate import SimulationError, draw_params, simulate
from infoops.simulate.accounts import COMMON_CLIENTS, mix_ids
from infoops.simulate.world import build_accounts

FILES = ("tweets.csv", "users.csv", "profile_changes.csv", "truth.csv")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny world, written through the CLI."""
    out = tmp_path_factory.mktemp("world") / "w"
    result = CliRunner().invoke(
        cli, ["simulate", "--out", str(out), "--seed", "3", "--scale", "tiny", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["n_accounts"] == 1000 and summary["n_posts"] > 10_000
    return out


@pytest.fixture(scope="module")
def con(world: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute(
        f"CREATE TABLE t AS SELECT * FROM read_csv('{world}/tweets.csv', all_varchar=true, "
        "quote='\"', escape='\"')"
    )
    c.execute(f"CREATE TABLE u AS SELECT * FROM read_csv('{world}/users.csv', all_varchar=true)")
    c.execute(f"CREATE TABLE tr AS SELECT * FROM read_csv('{world}/truth.csv', all_varchar=true)")
    c.execute(
        f"CREATE TABLE pc AS SELECT * FROM read_csv('{world}/profile_changes.csv', all_varchar=true)"
    )
    c.execute(
        'CREATE TABLE j AS SELECT t.*, tr.operation, tr.role, tr."group" FROM t JOIN tr USING (userid)'
    )
    return c


def _digest(folder: Path) -> dict[str, str]:
    return {f: hashlib.sha256((folder / f).read_bytes()).hexdigest() for f in FILES}


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_same_seed_gives_byte_identical_files(world: Path, tmp_path: Path) -> None:
    simulate(tmp_path / "again", seed=3, scale="tiny")
    assert _digest(tmp_path / "again") == _digest(world)
    assert not [
        p for p in (tmp_path / "again").iterdir() if p.name.startswith(".")
    ]  # no temp leftovers


def test_other_seed_gives_another_world() -> None:
    a, _ = build_accounts(draw_params(3, "tiny"))
    b, _ = build_accounts(draw_params(4, "tiny"))
    assert set(a["userid"]).isdisjoint(b["userid"])
    assert a["group"].value_counts().to_dict() != b["group"].value_counts().to_dict()


def test_parameters_vary_with_the_seed() -> None:
    a, b = draw_params(1, "small"), draw_params(2, "small")
    assert a.prc_delay_median_min != b.prc_delay_median_min
    assert a.frac != b.frac
    assert 2.0 <= a.prc_delay_median_min <= 30.0
    assert draw_params(1, "small").to_dict() == a.to_dict()


def test_headers_are_exactly_the_io_archive_ones(world: Path) -> None:
    def header(name: str) -> tuple[str, ...]:
        with open(world / name, newline="", encoding="utf-8") as f:
            return tuple(next(csv.reader(f)))

    assert header("tweets.csv") == TWEET_COLUMNS_31
    assert header("users.csv") == USER_COLUMNS
    assert header("profile_changes.csv") == PROFILE_CHANGE_COLUMNS
    assert header("truth.csv") == ("userid", "operation", "role", "group")


def test_every_row_has_31_fields_and_valid_formats(world: Path) -> None:
    n = hostile = 0
    with open(world / "tweets.csv", newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        for row in rows:
            n += 1
            assert len(row) == 31
            assert (
                len(row[13]) == 16 and row[13][4] == "-" and row[13][13] == ":"
            )  # YYYY-MM-DD HH:MM
            assert row[18] in ("True", "False")
            assert row[27].startswith("[") and row[29].startswith("[")
            hostile += any(x in row[12] for x in ("\n", '"', "<script>"))
            if row[18] == "True":
                assert row[12].startswith("RT @") and row[20]
    assert n > 10_000
    assert hostile > 10  # quotes, newlines and markup in text survive the CSV round trip


def test_truth_covers_every_account_and_author(con: duckdb.DuckDBPyConnection) -> None:
    assert _one(con, "SELECT count(*) FROM u") == _one(con, "SELECT count(*) FROM tr") == 1000
    assert _one(con, "SELECT count(*) FROM u ANTI JOIN tr USING (userid)") == 0
    assert (
        _one(con, "SELECT count(*) FROM (SELECT DISTINCT userid FROM t) ANTI JOIN u USING (userid)")
        == 0
    )
    assert (
        _one(
            con,
            "SELECT count(*) FROM (SELECT DISTINCT retweet_userid AS userid FROM t "
            "WHERE retweet_userid IS NOT NULL) ANTI JOIN u USING (userid)",
        )
        == 0
    )
    groups = {r[0] for r in con.execute('SELECT DISTINCT "group" FROM tr').fetchall()}
    assert {"fan_community", "activist_campaign", "news_burst", "news_bots", "org_staff"} <= groups
    ops = con.execute(
        "SELECT operation, role, count(*) FROM tr GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert {(o, r) for o, r, _ in ops} >= {
        ("prc", "core"), ("prc", "amplifier"), ("russia", "core"), ("russia", "amplifier"),
        ("turkey", "core"), ("turkey", "amplifier"), ("none", "organic"),
    }


def test_ids_are_unique_and_random_looking(con: duckdb.DuckDBPyConnection) -> None:
    assert _one(con, "SELECT count(*) - count(DISTINCT tweetid) FROM t") == 0
    assert (
        _one(con, "SELECT min(length(userid)) FROM u")
        == _one(con, "SELECT max(length(userid)) FROM u")
        == 18
    )
    # operation accounts' ids are spread over the whole id range (mean rank ≈ 0.5)
    mean_rank = _one(
        con,
        "SELECT avg(r) FROM (SELECT operation, percent_rank() OVER (ORDER BY userid::HUGEINT) r "
        "FROM tr) WHERE operation <> 'none'",
    )
    assert 0.4 < float(mean_rank) < 0.6  # type: ignore[arg-type]


def test_mix_ids_is_a_bijection() -> None:
    import numpy as np

    ids = mix_ids(np.arange(200_000, dtype=np.uint64), key=12345)
    assert len(np.unique(ids)) == 200_000
    assert ids.min() >= 10**17 and ids.max() < 10**18


def test_nothing_public_encodes_the_labels(con: duckdb.DuckDBPyConnection) -> None:
    op_clients = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT tweet_client_name FROM j WHERE operation <> 'none'"
        ).fetchall()
    }
    organic_clients = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT tweet_client_name FROM j WHERE operation = 'none'"
        ).fetchall()
    }
    assert op_clients <= organic_clients and op_clients <= set(COMMON_CLIENTS) | {
        "Twitter for iPad"
    }
    # screen-name styles: the share of handles ending in digits is similar inside and outside operations
    share = dict(
        con.execute(
            "SELECT operation <> 'none', avg(CASE WHEN regexp_matches(user_screen_name, '[0-9]$') THEN 1 ELSE 0 END) "
            "FROM u JOIN tr USING (userid) GROUP BY 1"
        ).fetchall()
    )
    assert abs(share[True] - share[False]) < 0.2
    # the row order of tweets.csv follows the clock, not the populations
    times = [r[0] for r in con.execute("SELECT tweet_time FROM t").fetchall()]
    assert times == sorted(times)


def test_organic_population_is_diverse(con: duckdb.DuckDBPyConnection) -> None:
    langs = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT tweet_language FROM j WHERE operation = 'none'"
        ).fetchall()
    }
    assert {"en", "zh", "ru", "tr", "es", "ja", "ko", "ar"} <= langs
    years = _one(con, "SELECT count(DISTINCT left(account_creation_date, 4)) FROM u")
    assert int(years) >= 10  # type: ignore[call-overload]
    kinds = con.execute("""SELECT count(*) FILTER (is_retweet = 'True'),
                           count(*) FILTER (in_reply_to_tweetid IS NOT NULL),
                           count(*) FILTER (quoted_tweet_tweetid IS NOT NULL)
                           FROM j WHERE "group" = 'organic'""").fetchone()
    assert kinds is not None and all(k > 100 for k in kinds)
    # heavy-tailed followers: the top 1% of accounts hold most followers
    top = _one(
        con,
        """SELECT sum(f) FILTER (WHERE r > 0.99) / sum(f) FROM
                        (SELECT follower_count::BIGINT f,
                                percent_rank() OVER (ORDER BY follower_count::BIGINT) r FROM u)""",
    )
    assert float(top) > 0.5  # type: ignore[arg-type]
    # some retweets lack retweet_userid, as in the real archives
    missing = _one(
        con, "SELECT count(*) FROM t WHERE is_retweet = 'True' AND retweet_userid IS NULL"
    )
    assert 0 < int(missing) < _one(con, "SELECT count(*) FROM t WHERE is_retweet = 'True'") / 10  # type: ignore


def test_prc_cores_post_in_beijing_office_hours_and_ramp_up(con: duckdb.DuckDBPyConnection) -> None:
    office = _one(
        con,
        """SELECT avg(CASE WHEN hour(tweet_time::TIMESTAMP) BETWEEN 1 AND 10
                           AND isodow(tweet_time::TIMESTAMP + INTERVAL 8 HOUR) <= 5 THEN 1 ELSE 0 END)
                          FROM j WHERE operation = 'prc' AND role = 'core' AND is_retweet = 'False'
                          AND tweet_language = 'zh'""",
    )
    assert float(office) > 0.6  # type: ignore[arg-type]
    jan, jun = con.execute("""SELECT count(*) FILTER (month(tweet_time::TIMESTAMP) = 1),
                              count(*) FILTER (month(tweet_time::TIMESTAMP) = 6) FROM j
                              WHERE operation = 'prc'""").fetchone()  # type: ignore[misc]
    assert jun > 1.5 * jan


def test_prc_amplifiers_retweet_cores_fast_with_zero_followers(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = con.execute("""
        SELECT date_diff('minute', o.tweet_time::TIMESTAMP, r.tweet_time::TIMESTAMP)
        FROM j r JOIN j o ON r.retweet_tweetid = o.tweetid
        WHERE r."group" = 'prc_amplifier' AND o.operation = 'prc'""").fetchall()
    assert len(rows) > 100
    delays = sorted(r[0] for r in rows)
    assert delays[len(delays) // 2] <= 60
    zero = _one(
        con,
        "SELECT avg(CASE WHEN follower_count = '0' THEN 1 ELSE 0 END) FROM u JOIN tr USING (userid) "
        "WHERE \"group\" = 'prc_amplifier'",
    )
    assert float(zero) > 0.6  # type: ignore[arg-type]


def test_hijacked_accounts_switch_language_client_and_profile(
    con: duckdb.DuckDBPyConnection,
) -> None:
    hij = con.execute("""SELECT userid, count(DISTINCT tweet_language), count(DISTINCT tweet_client_name)
                         FROM j WHERE "group" IN ('prc_hijacked', 'turkey_compromised') GROUP BY 1""").fetchall()
    assert hij and sum(1 for _, langs, _ in hij if langs >= 2) >= len(hij) * 0.6
    assert sum(1 for _, _, clients in hij if clients >= 2) >= len(hij) * 0.6
    changed = _one(
        con,
        """SELECT count(DISTINCT userid) FROM pc JOIN tr USING (userid)
                           WHERE "group" IN ('prc_hijacked', 'turkey_compromised') AND field = 'screen_name'""",
    )
    assert changed == len(hij)
    # organic users change their profiles too, so a change alone is no label
    assert _one(con, "SELECT count(*) FROM pc JOIN tr USING (userid) WHERE operation = 'none'") > 0


def test_dormant_batch_activates_late(con: duckdb.DuckDBPyConnection) -> None:
    # some PRC amplifiers were created in 2019 yet post nothing before April 2020
    late = _one(
        con,
        """SELECT count(*) FROM (SELECT userid, min(tweet_time) first, any_value(account_creation_date) c
                        FROM j WHERE "group" = 'prc_amplifier' GROUP BY 1)
                        WHERE c < '2019-11-01' AND first >= '2020-04-01'""",
    )
    assert int(late) >= 3  # type: ignore[call-overload]


def test_seed_3_tiny_is_pinned(con: duckdb.DuckDBPyConnection) -> None:
    groups = dict(con.execute('SELECT "group", count(*) FROM tr GROUP BY 1').fetchall())
    assert groups == {
        "activist_campaign": 39, "celebrity": 5, "fan_community": 64, "news_bots": 4,
        "news_burst": 117, "org_staff": 9, "organic": 668, "prc_amplifier": 43, "prc_core": 13,
        "prc_hijacked": 8, "russia_amplifier": 7, "russia_core": 2, "turkey_compromised": 7,
        "turkey_new": 14,
    }
    assert _one(con, "SELECT count(*) FROM t") == 44_728


def test_bad_arguments_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SimulationError, match="unknown scale 'huge'"):
        simulate(tmp_path, seed=1, scale="huge")
    with pytest.raises(SimulationError, match="--seed must be >= 0"):
        simulate(tmp_path, seed=-1, scale="tiny")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SimulationError, match="cannot create the output folder"):
        simulate(blocker / "world", seed=1, scale="tiny")


def test_cli_simulate_wrote_every_file(world: Path) -> None:
    assert all((world / f).exists() for f in FILES)
