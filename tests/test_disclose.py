"""Disclosure on a hand-built store: exact released rows, the policy, secrets, cases, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from disclose_fixtures import (
    OTHER_SECRET,
    SECRET,
    add_accounts,
    add_network,
    add_posts,
    line_of,
    read_csv,
    write_csv,
)
from infoops.cli import cli
from infoops.disclose import (
    Hasher,
    check_release,
    load_secret,
    release_files,
    select_case,
    select_network,
    write_release,
)
from infoops.errors import DisclosureError, NotFoundError
from infoops.ioarchive import TWEET_COLUMNS_30, USER_COLUMNS
from infoops.store import Store

ACCOUNTS = [
    # members: a core whose handle is a common word, an amplifier, a public amplifier
    {"account_id": "1001", "screen_name": "news", "display_name": "Li Wei", "followers": 10,
     "created_at": "2019-12-30 00:00", "language": "zh-cn", "description": "follow @carlos_lopez28",
     "profile_url": "https://twitter.com/news"},
    {"account_id": "1002", "screen_name": "carlos_lopez28", "display_name": "Carlos", "followers": 0,
     "language": "en", "location": "HK"},
    {"account_id": "1003", "screen_name": "newsroom", "display_name": "Li Wei", "followers": 12_000,
     "language": "en", "description": "not @news"},
    # outside the network: a Cyrillic look-alike, a big account, a stub with no count
    {"account_id": "2001", "screen_name": "\u0430dmin", "display_name": "Admin", "followers": 3},
    {"account_id": "2002", "screen_name": "admin", "display_name": "Big Admin", "followers": 50_000},
    {"account_id": "2003", "screen_name": "bystander_1", "display_name": None, "followers": None},
]
POSTS = [
    {"post_id": "p1", "account_id": "1001", "minute": 0, "language": "en",
     "text": "hello @\u0430dmin and @admin, see https://twitter.com/newsroom and "
             "https://twitter.com/News/status/5 #tag",
     "hashtags": ["tag"], "urls": ["https://twitter.com/News/status/5"], "mentions": ["2001", "2002"]},
    {"post_id": "p2", "account_id": "1002", "minute": 1, "kind": "retweet", "language": "en",
     "text": "RT @news: hello", "ref_post_id": "p1", "ref_account_id": "1001", "mentions": ["1001"]},
    {"post_id": "p3", "account_id": "1003", "minute": 2, "kind": "reply", "language": "en",
     "text": "@bystander_1 ids 2001 and 20011 and bystander_1's; news is news",
     "reply_to_post_id": "x9", "reply_to_account_id": "2003", "mentions": ["2003"]},
    {"post_id": "p4", "account_id": "1001", "minute": 3, "kind": "quote", "language": "zh",
     "text": 'look @someone_unknown: <script>alert(1)</script>, "quoted"\nnew line, 班农@carlos_lopez28班农',
     "ref_post_id": "p9", "ref_account_id": "2002", "like_count": 4},
    {"post_id": "p9", "account_id": "2002", "minute": 0, "text": "not released"},
]
MEMBERS = [("1001", "core"), ("1002", "amplifier"), ("1003", "amplifier")]


@pytest.fixture
def world(store: Store) -> Store:
    add_accounts(store, ACCOUNTS)
    add_posts(store, POSTS)
    add_network(store, MEMBERS)
    return store


def release(store: Store, out: Path, secret: bytes = SECRET, **kw: object) -> Path:
    sel = select_network(store, "N1", **kw)  # type: ignore[arg-type]
    write_release(store, sel, "test_release", out, secret)
    return out


def test_files_columns_and_exact_rows(world: Store, tmp_path: Path) -> None:
    out = release(world, tmp_path / "rel")
    users, tweets = release_files("test_release")
    assert sorted(p.name for p in out.iterdir()) == sorted(["README.md", "manifest.json", users, tweets])
    t = Hasher(SECRET).token
    header, rows = read_csv(out / users)
    assert tuple(header) == USER_COLUMNS
    by_id = {r[0]: r for r in rows}
    assert set(by_id) == {t("1001"), t("1002"), "1003"}
    assert by_id[t("1001")][:7] == [t("1001"), t("1001"), t("1001"), "",
                                    f"follow @{t('1002')}", f"https://twitter.com/{t('1001')}", "10"]
    assert by_id[t("1001")][8:] == ["2019-12-30", "zh-cn"]
    assert by_id["1003"][:5] == ["1003", "Li Wei", "newsroom", "", "not @" + t("1001")]
    header, rows = read_csv(out / tweets)
    assert tuple(header) == TWEET_COLUMNS_30
    posts = {r[0]: dict(zip(header, r, strict=False)) for r in rows}
    assert list(posts) == ["p1", "p2", "p3", "p4"]  # time order; p9 is not a member's
    p1, p2, p3, p4 = (posts[k] for k in ("p1", "p2", "p3", "p4"))
    assert p1["tweet_time"] == "2020-03-01 09:00"
    assert p1["tweet_text"] == (f"hello @{t('2001')} and @admin, see https://twitter.com/newsroom and "
                                f"https://twitter.com/{t('1001')}/status/5 #tag")
    assert p1["urls"] == f"['https://twitter.com/{t('1001')}/status/5']"
    assert p1["hashtags"] == "['tag']"
    assert p1["user_mentions"] == f"['{t('2001')}', '2002']"
    assert (p2["is_retweet"], p2["retweet_userid"], p2["retweet_tweetid"]) == ("True", t("1001"), "p1")
    assert p2["tweet_text"] == f"RT @{t('1001')}: hello"
    assert p2["user_mentions"] == f"['{t('1001')}']"
    assert (p3["userid"], p3["user_screen_name"], p3["user_display_name"]) == ("1003", "newsroom", "Li Wei")
    assert (p3["in_reply_to_userid"], p3["in_reply_to_tweetid"]) == (t("2003"), "x9")
    assert p3["tweet_text"] == f"@{t('2003')} ids {t('2001')} and 20011 and {t('2003')}'s; news is news"
    unknown = Hasher(SECRET).unknown_handle("someone_unknown")
    assert p4["tweet_text"] == (f'look @{unknown}: <script>alert(1)</script>, "quoted"\nnew line, '
                                f"班农@{t('1002')}班农")
    assert (p4["quoted_tweet_tweetid"], p4["is_retweet"], p4["retweet_userid"]) == ("p9", "False", "")
    assert p4["like_count"] == "4"


def test_readme_and_manifest(world: Store, tmp_path: Path) -> None:
    out = release(world, tmp_path / "rel")
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "network `N1`" in readme and "run `run-1`" in readme
    assert "| core | 1 | 1 |" in readme and "| amplifier | 2 | 1 |" in readme
    assert "2020-03-01 09:00 to 2020-03-01 09:03" in readme
    assert "fewer than 5,000 followers" in readme and "`accounts.followers`" in readme
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    import hashlib
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert set(manifest["files"]) == {p.name for p in out.iterdir()} - {"manifest.json"}
    assert manifest["source"] == {"run_id": "run-1", "network_id": "N1", "case_id": None,
                                  "core_only": False}
    assert manifest["counts"]["anonymised"] == 2 and manifest["counts"]["posts"] == 4
    everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert SECRET.decode() not in everything


def test_release_checks_clean(world: Store, tmp_path: Path) -> None:
    res = check_release(world, release(world, tmp_path / "rel"))
    assert res.ok, [str(x) for x in res.leaks]
    assert res.files == 4 and res.cells > 100


def test_core_only(world: Store, tmp_path: Path) -> None:
    out = release(world, tmp_path / "rel", core_only=True)
    _, rows = read_csv(out / release_files("test_release")[0])
    assert [r[0] for r in rows] == [Hasher(SECRET).token("1001")]
    assert check_release(world, out).ok


def _tokens(folder: Path) -> set[str]:
    return set(re.findall(r"\b[0-9a-f]{40}\b", "".join(
        p.read_text(encoding="utf-8") for p in folder.glob("*.csv"))))


def test_same_secret_same_tokens_other_secret_none_in_common(world: Store, tmp_path: Path) -> None:
    a = _tokens(release(world, tmp_path / "a"))
    b = _tokens(release(world, tmp_path / "b", core_only=True))
    c = _tokens(release(world, tmp_path / "c", secret=OTHER_SECRET))
    assert b and b <= a            # the core-only release joins the full one
    assert len(c) == len(a) and not a & c


def test_secret_is_required_and_long(tmp_path: Path) -> None:
    with pytest.raises(DisclosureError, match=r"no secret.*--secret-file.*INFOOPS_DISCLOSE_SECRET"):
        load_secret(None, environ={})
    with pytest.raises(DisclosureError, match="at least 16"):
        load_secret(None, environ={"INFOOPS_DISCLOSE_SECRET": "short"})
    f = tmp_path / "s"
    f.write_bytes(SECRET + b"\n")
    assert load_secret(f, environ={"INFOOPS_DISCLOSE_SECRET": "ignored when a file is given"}) == SECRET
    with pytest.raises(DisclosureError, match="cannot read"):
        load_secret(tmp_path / "missing", environ={})


def test_bad_name_busy_folder_unknown_network(world: Store, tmp_path: Path) -> None:
    sel = select_network(world, "N1")
    with pytest.raises(DisclosureError, match="release name"):
        write_release(world, sel, "../evil", tmp_path / "x", SECRET)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "old.txt").write_text("x")
    with pytest.raises(DisclosureError, match="not an empty folder"):
        write_release(world, sel, "ok", busy, SECRET)
    with pytest.raises(NotFoundError, match="no network 'N9' in run run-1; its networks: N1"):
        select_network(world, "N9")
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("test.duckdb"))
    assert left == ["busy"]  # nothing half-written, no temporary folder left


def test_latest_run_unless_named(world: Store) -> None:
    add_network(world, [("1002", "core")], run_id="run-0", minutes_ago=60)
    assert select_network(world, "N1").run_id == "run-1"
    assert select_network(world, "N1", run_id="run-0").account_ids == {"1002"}


def test_case_without_review_tables(world: Store) -> None:
    with pytest.raises(NotFoundError, match="no case 'C1'; cases come from `infoops serve`"):
        select_case(world, "C1")


def test_case_releases_confirmed_and_active_takedowns(world: Store, tmp_path: Path) -> None:
    # the review app's tables (migration 3), filled as its case and takedown code fills them
    with pytest.raises(NotFoundError, match="no case 'C1'"):
        select_case(world, "C1")
    world.execute("INSERT INTO cases (case_id, run_id, network_id, title, status, created_by, "
                  "created_at, updated_at, version) "
                  "VALUES ('C1', 'run-1', 'N1', 'PRC network', 'decided', 'ann', now(), now(), 3), "
                  "('C2', 'run-1', 'N1', 'no takedowns yet', 'open', 'ann', now(), now(), 1)")
    world.execute("INSERT INTO case_accounts (case_id, account_id, decision) VALUES "
                  "('C1', '1001', 'confirm'), ('C1', '1002', 'confirm'), ('C1', '1003', 'dismiss'), "
                  "('C1', '2001', 'confirm'), "
                  "('C2', '1001', 'confirm'), ('C2', '1002', NULL), ('C2', '1003', 'needs_evidence')")
    world.execute("INSERT INTO takedowns (account_id, case_id, status, requested_by, requested_at) "
                  "SELECT *, 'ann', now() FROM (VALUES ('1001', 'C1', 'active'), "
                  "('1002', 'C1', 'restored'), ('2001', 'C1', 'active'), ('1002', 'C9', 'active'))")
    c1 = select_case(world, "C1")
    assert c1.members == (("1001", "core"), ("2001", None))
    assert select_case(world, "C1", core_only=True).members == (("1001", "core"),)
    assert select_case(world, "C2").members == (("1001", "core"),)
    out = tmp_path / "case"
    write_release(world, c1, "case1", out, SECRET)
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "case `C1` (PRC network)" in readme and "| unknown | 1 | 1 |" in readme
    res = check_release(world, out)
    assert res.ok, [str(x) for x in res.leaks]


def _plant(path: Path, index: int, column: str, value: str) -> int:
    header, rows = read_csv(path)
    rows[index][header.index(column)] = value
    write_csv(path, header, rows)
    return line_of(path, index)


@pytest.mark.parametrize(("file", "column", "value", "kind"), [
    ("users", "userid", "1001", "anonymised id"),
    ("users", "user_screen_name", "NEWS", "anonymised handle"),
    ("users", "user_display_name", "carlos", "anonymised display name"),
    ("users", "user_profile_url", "https://x.com/@Carlos_Lopez28", "anonymised handle (url)"),
    ("users", "user_profile_description", "ex @news", "anonymised handle (mention)"),
    ("tweets", "user_mentions", "['1002']", "anonymised id"),
    ("tweets", "in_reply_to_userid", "2003", "anonymised id"),
    ("tweets", "retweet_userid", "@bystander_1", "anonymised handle"),
    ("tweets", "tweet_text", "RT @News: hi", "anonymised handle (mention)"),
    ("tweets", "tweet_text", "see twitter.com/i/user/2001?x", "anonymised id (url)"),
    ("tweets", "tweet_text", "by carlos_lopez28.", "anonymised handle (word)"),
    ("tweets", "userid", "2002", "non-member account as userid"),
    ("tweets", "user_screen_name", "admin", "non-member handle as user_screen_name"),
    ("tweets", "tweetid", "2001", "anonymised id"),
])
def test_check_finds_each_planted_leak(world: Store, tmp_path: Path, file: str, column: str,
                                       value: str, kind: str) -> None:
    out = release(world, tmp_path / "rel")
    path = out / release_files("test_release")[0 if file == "users" else 1]
    line = _plant(path, 0, column, value)
    leaks = check_release(world, out).leaks
    assert any(x.file == path.name and x.line == line and x.column == column and x.kind == kind
               for x in leaks), [str(x) for x in leaks]
    assert any(x.kind.startswith("file changed") for x in leaks)


def test_public_member_keeps_own_name_but_not_others(world: Store, tmp_path: Path) -> None:
    out = release(world, tmp_path / "rel")
    path = out / release_files("test_release")[0]
    header, rows = read_csv(path)
    i = next(i for i, r in enumerate(rows) if r[0] == "1003")
    rows[i][header.index("user_display_name")] = "Big Admin"  # a non-member's name
    write_csv(path, header, rows)
    kinds = {x.kind for x in check_release(world, out).leaks}
    assert "non-member display name as user_display_name" in kinds


def test_leak_in_readme_and_extra_file(world: Store, tmp_path: Path) -> None:
    out = release(world, tmp_path / "rel")
    with open(out / "README.md", "a", encoding="utf-8") as f:
        f.write("thanks to \u0430dmin (@\u0430DMIN)\n")
    (out / "notes.txt").write_text("ok\n", encoding="utf-8")
    leaks = check_release(world, out).leaks
    readme_lines = (out / "README.md").read_text(encoding="utf-8").count("\n")
    assert any(x.file == "README.md" and x.line == readme_lines and x.kind == "anonymised handle (mention)"
               for x in leaks)
    assert any(x.file == "notes.txt" and x.kind == "file not in the manifest" for x in leaks)


def test_cli_release_check_and_errors(world: Store, tmp_path: Path, runner: CliRunner,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db = world.path
    world.close()
    out = tmp_path / "cli"
    monkeypatch.delenv("INFOOPS_DISCLOSE_SECRET", raising=False)
    args = ["disclose", "--db", db, "--network", "N1", "--name", "china_052020", "--out", str(out)]
    from infoops.cli import main
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2 and not out.exists()
    monkeypatch.setenv("INFOOPS_DISCLOSE_SECRET", SECRET.decode())
    res = runner.invoke(cli, [*args, "--quiet"])
    assert res.exit_code == 0, res.output
    assert "3 accounts (2 anonymised), 4 posts" in res.output
    assert (out / "china_052020_tweets_csv_hashed.csv").exists()
    res = runner.invoke(cli, ["disclose", "--check", str(out), "--db", db])
    assert res.exit_code == 0 and "clean" in res.output, res.output
    line = _plant(out / "china_052020_users_csv_hashed.csv", 1, "user_screen_name", "carlos_LOPEZ28")
    res = runner.invoke(cli, ["disclose", "--check", str(out), "--db", db])
    assert res.exit_code == 1
    assert f"china_052020_users_csv_hashed.csv:{line}:user_screen_name: anonymised handle" in res.output
    res = runner.invoke(cli, ["disclose", "--db", db, "--network", "N1", "--case", "C1",
                              "--name", "x", "--out", str(tmp_path / "y")])
    assert res.exit_code == 2 and "either --network" in res.output


def test_ingest_reads_a_release_back(world: Store, tmp_path: Path, runner: CliRunner) -> None:
    out = release(world, tmp_path / "rel")
    db = tmp_path / "back.duckdb"
    res = runner.invoke(cli, ["ingest", str(out), "--db", str(db), "--quiet"])
    assert res.exit_code == 0, res.output
    t = Hasher(SECRET).token
    with Store(db, read_only=True) as back:
        accounts = {r[0]: r[1:] for r in back.execute(
            "SELECT account_id, screen_name, followers, is_stub FROM accounts").fetchall()}
        posts = back.execute("SELECT post_id, account_id, kind, ref_account_id FROM posts "
                             "ORDER BY post_id").fetchall()
    assert accounts[t("1001")] == (t("1001"), 10, False)
    assert accounts["1003"] == ("newsroom", 12_000, False)
    assert accounts[t("2003")][2] is True  # referenced only: a stub under its token
    assert posts == [("p1", t("1001"), "original", None), ("p2", t("1002"), "retweet", t("1001")),
                     ("p3", "1003", "reply", None), ("p4", t("1001"), "quote", None)]
    assert not any(a in accounts for a in ("1001", "1002", "2001", "2003"))
    with Store(db, read_only=True) as back:  # README.md and manifest.json are skipped, not quarantined
        assert back.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    assert "manifest" in res.output or "manifest.json" in res.output


def test_check_with_the_secret_proves_every_userid_a_member(world: Store, tmp_path: Path) -> None:
    out = release(world, tmp_path / "rel")
    res = check_release(world, out, SECRET)
    assert res.ok and res.members_verified
    users = out / release_files("test_release")[0]
    stranger = Hasher(SECRET).token("2001")  # a non-member under its own token
    line = _plant(users, 0, "userid", stranger)
    assert not [x for x in check_release(world, out).leaks if x.column == "userid"]
    leaks = check_release(world, out, SECRET).leaks
    assert any(x.line == line and x.column == "userid" and x.kind.startswith("userid of no released")
               for x in leaks), [str(x) for x in leaks]
    wrong = check_release(world, release(world, tmp_path / "other", secret=OTHER_SECRET), SECRET)
    assert [x.kind for x in wrong.leaks] == [
        "the secret does not match this release (no userid is a member's token)"]
