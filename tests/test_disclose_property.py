"""Property test: random small networks with hostile handles release clean, and every planted leak is found.

Handles are drawn to be hard: common words (``news``), substrings and
extensions of each other, Cyrillic look-alikes of each other, digits only;
display names collide; ids appear inside URLs and as bare numbers; text
carries HTML, bidi marks, quotes, commas, newlines and CJK run-on text.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclose_fixtures import (
    SECRET,
    add_accounts,
    add_network,
    add_posts,
    line_of,
    read_csv,
    write_csv,
)
from infoops.disclose import check_release, release_files, select_network, write_release
from infoops.store import Store

COMMON = ["news", "the", "china", "hk", "info", "admin", "a", "Official"]
LOOKALIKE = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "i": "\u0456"})
NAMES = ["Li Wei", "News", "admin", "", None, "Ahmet Yılmaz", "Анна"]
HOSTILE = ["<script>alert(1)</script>", "\u202eevil", '"quoted"', "a, b", "line\nbreak", "😀",
           "班农", "news", "the", "#tag", "me@example.com", "ok."]
ANON_FOLLOWERS = [None, 0, 12, 4_999]
ANY_FOLLOWERS = [*ANON_FOLLOWERS, 5_000, 80_000]


@st.composite
def handles(draw: st.DrawFn, n: int) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        style = draw(st.sampled_from(["common", "random", "lookalike", "prefix", "extend", "digits"]))
        if style == "common":
            h = draw(st.sampled_from(COMMON))
        elif style == "random":
            h = draw(st.from_regex(r"[A-Za-z0-9_]{1,12}", fullmatch=True))
        elif style == "lookalike" and out:
            h = draw(st.sampled_from(out)).translate(LOOKALIKE)
        elif style == "prefix" and out:
            base = draw(st.sampled_from(out))
            h = base[: draw(st.integers(1, len(base)))]
        elif style == "extend" and out:
            h = draw(st.sampled_from(out)) + draw(st.sampled_from(["s", "_1", "2", "room"]))
        else:
            h = str(draw(st.integers(0, 99_999)))
        if h.casefold() in seen:  # handles are unique up to case, as on the platform
            h = f"{h}_{i}"
        seen.add(h.casefold())
        out.append(h)
    return out


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(4, 9))
    hs = draw(handles(n))
    ids = draw(st.lists(st.integers(100_000, 10**18), min_size=n, max_size=n, unique=True))
    ids = [str(i) for i in ids]
    accounts = []
    for i in range(n):
        followers = draw(st.sampled_from(
            ANON_FOLLOWERS if i == 0 else [80_000] if i == n - 1 else ANY_FOLLOWERS))
        display = draw(st.sampled_from([*NAMES, hs[(i + 1) % n]]))
        accounts.append({
            "account_id": ids[i], "screen_name": hs[i], "display_name": display,
            "followers": followers, "language": "en",
            "profile_url": draw(st.sampled_from(["", f"https://twitter.com/{hs[i]}", "https://t.co/x"])),
        })
    # account 0 is an anonymised member; the last one a public non-member
    n_members = draw(st.integers(2, n - 1))
    members = [(ids[i], draw(st.sampled_from(["core", "amplifier"]))) for i in range(n_members)]

    def fragment() -> str:
        j = draw(st.integers(0, n - 1))
        h = draw(st.sampled_from([hs[j], hs[j].upper(), hs[j].lower()]))
        return draw(st.sampled_from([
            f"@{h}", f"RT @{h}:", f"https://twitter.com/{h}", f"twitter.com/i/user/{ids[j]}",
            ids[j], h, f"班农@{h}班农", f"(@{h})", f"@unknown_{j}", *HOSTILE,
        ]))

    for a in accounts[:n_members]:
        a["description"] = " ".join(fragment() for _ in range(draw(st.integers(0, 3))))
    posts = []
    for k in range(draw(st.integers(1, 12))):
        author = ids[0 if k == 0 else draw(st.integers(0, n_members - 1))]
        kind = draw(st.sampled_from(["original", "retweet", "reply", "quote"]))
        target = ids[draw(st.integers(0, n - 1))]
        text = " ".join(fragment() for _ in range(draw(st.integers(1, 5))))
        posts.append({
            "post_id": f"t{k}", "account_id": author, "minute": k, "kind": kind,
            "text": (f"RT @{hs[ids.index(target)]}: " + text) if kind == "retweet" else text,
            "ref_post_id": f"t{max(k - 1, 0)}" if kind in ("retweet", "quote") else None,
            "ref_account_id": target if kind in ("retweet", "quote") else None,
            "reply_to_post_id": "x" if kind == "reply" else None,
            "reply_to_account_id": target if kind == "reply" else None,
            "mentions": draw(st.lists(st.sampled_from(ids), max_size=3, unique=True)),
            "urls": [f"https://twitter.com/{hs[draw(st.integers(0, n - 1))]}/status/1"],
            "hashtags": [hs[draw(st.integers(0, n - 1))], "香港"],
            "client": draw(st.sampled_from(["Twitter Web App", f"bot of @{hs[-1]}", hs[0]])),
        })
    return {"accounts": accounts, "posts": posts, "members": members, "handles": hs, "ids": ids}


_H = r"[^\W\u2e80-\u9fff]"


def _oracle_leaks(folder: Path, world: dict[str, Any]) -> list[str]:
    """An independent look for raw identities, written without the scanner."""
    anon = [a for a in world["accounts"] if a["followers"] is None or a["followers"] < 5_000]
    users, tweets = release_files("r")
    found = []
    for name in (users, tweets):
        header, rows = read_csv(folder / name)
        for row in rows:
            cells = dict(zip(header, row, strict=False))
            for a in anon:
                for col in ("userid", "in_reply_to_userid", "retweet_userid", "user_screen_name"):
                    if cells.get(col, "").casefold() in (a["account_id"], a["screen_name"].casefold()):
                        found.append(f"{name}:{col}:{a['account_id']}")
                if a["account_id"] in re.findall(r"\d+", cells.get("user_mentions", "")):
                    found.append(f"{name}:user_mentions:{a['account_id']}")
                for col in ("tweet_text", "user_profile_description", "user_profile_url", "urls",
                            "hashtags", "tweet_client_name"):
                    text = cells.get(col, "")
                    if re.search(rf"(?<![A-Za-z0-9_\u0400-\u04ff!#$%&*@＠])[@＠]"
                                 rf"{re.escape(a['screen_name'])}(?!{_H})", text, re.IGNORECASE):
                        found.append(f"{name}:{col}:@{a['screen_name']}")
                    if re.search(rf"(?<![0-9A-Za-z]){a['account_id']}(?![0-9A-Za-z])", text):
                        found.append(f"{name}:{col}:{a['account_id']}")
    return found


def _plants(world: dict[str, Any]) -> list[tuple[str, int, str, str, str]]:
    """(file, account index, column, value, kind prefix): one leak of each kind."""
    a0 = world["accounts"][0]
    big = world["accounts"][-1]
    h, i = a0["screen_name"], a0["account_id"]
    out = [
        ("users", 0, "userid", i, "anonymised"),
        ("users", 0, "user_screen_name", h.upper(), "anonymised"),
        ("users", 0, "user_profile_url", f"https://twitter.com/{h}", "anonymised"),
        ("users", 0, "user_profile_description", f"DM @{h.upper()} now", "anonymised handle (mention)"),
        ("tweets", 0, "user_mentions", f"['{i}']", "anonymised id"),
        ("tweets", 0, "tweet_text", f"RT @{h}: hi", "anonymised handle (mention)"),
        ("tweets", 0, "tweet_text", f"see https://twitter.com/{h}/status/1", "anonymised"),
        ("tweets", 0, "tweet_text", f"see twitter.com/i/user/{i}", "anonymised id (url)"),
        ("tweets", 0, "in_reply_to_userid", i, "anonymised id"),
        ("users", 0, "userid", big["account_id"], "non-member account as userid"),
        ("README", 0, "-", f"thanks @{h}", "anonymised handle (mention)"),
    ]
    if a0["display_name"]:
        out.append(("users", 0, "user_display_name", a0["display_name"], "anonymised"))
    return out


def _row_of(path: Path, userid_token: str) -> int:
    header, rows = read_csv(path)
    return next(k for k, r in enumerate(rows) if r[header.index("userid")] == userid_token)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_random_networks_release_clean_and_planted_leaks_are_found(world: dict[str, Any]) -> None:
    from infoops.disclose import Hasher

    with tempfile.TemporaryDirectory() as tmp, Store(":memory:") as store:
        add_accounts(store, world["accounts"])
        add_posts(store, world["posts"])
        add_network(store, world["members"])
        rel = Path(tmp) / "rel"
        write_release(store, select_network(store, "N1"), "r", rel, SECRET)
        res = check_release(store, rel, SECRET)
        assert res.ok and res.members_verified, [str(x) for x in res.leaks]
        assert _oracle_leaks(rel, world) == []
        token0 = Hasher(SECRET).token(world["accounts"][0]["account_id"])
        users, tweets = release_files("r")
        for n, (file, _, column, value, kind) in enumerate(_plants(world)):
            copy = Path(tmp) / f"plant{n}"
            shutil.copytree(rel, copy)
            if file == "README":
                path = copy / "README.md"
                with open(path, "a", encoding="utf-8") as f:
                    f.write(value + "\n")
                line = path.read_text(encoding="utf-8").count("\n")
            else:
                path = copy / (users if file == "users" else tweets)
                header, rows = read_csv(path)
                k = _row_of(path, token0)  # a row of account 0 (its post, or its profile)
                rows[k][header.index(column)] = value
                write_csv(path, header, rows)
                line = line_of(path, k)
            leaks = check_release(store, copy).leaks
            hit = [x for x in leaks if x.file == path.name and x.line == line
                   and (column == "-" or x.column == column) and x.kind.startswith(kind)]
            assert hit, (file, column, value, [str(x) for x in leaks])
