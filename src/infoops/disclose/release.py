"""Writing a release in the Twitter Information Operations archive format.

A release folder holds ``<name>_users_csv_hashed.csv`` (the archive's 10 user
columns), ``<name>_tweets_csv_hashed.csv`` (its 30-column tweet layout, every
row carrying the author's profile, as the archive's rows do), a README and
``manifest.json`` with the SHA-256 of every other file. Accounts below the
follower threshold are anonymised by :class:`~infoops.disclose.policy.Hasher`
tokens wherever they appear — id columns, ``user_mentions``, ``@name`` and
``RT @name:`` in text, handles and ids in URLs (see :mod:`infoops.disclose.scan`).
Posts are streamed from the store in batches; the folder is written under a
temporary name and renamed when complete, so a failed run leaves nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from infoops import __version__
from infoops.disclose.policy import Hasher, Policy
from infoops.disclose.readme import readme_text
from infoops.disclose.scan import Identities, redact
from infoops.disclose.select import Selection
from infoops.errors import DisclosureError
from infoops.ioarchive import (
    CREATION_DATE_FORMAT,
    TWEET_COLUMNS_30,
    TWEET_TIME_FORMAT,
    USER_COLUMNS,
)
from infoops.store import Store
from infoops.store.sql import registered

MANIFEST = "manifest.json"
README = "README.md"
BATCH_ROWS = 20_000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def release_files(name: str) -> tuple[str, str]:
    """The users and tweets file names of release ``name``."""
    return f"{name}_users_csv_hashed.csv", f"{name}_tweets_csv_hashed.csv"


@dataclass
class ReleaseStats:
    """What a release holds; the README and manifest are written from it."""

    accounts: int = 0
    anonymised: int = 0
    posts: int = 0
    roles: Counter[str] = field(default_factory=Counter)
    roles_anonymised: Counter[str] = field(default_factory=Counter)
    account_languages: Counter[str] = field(default_factory=Counter)
    post_languages: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    first_post: str | None = None
    last_post: str | None = None
    first_created: str | None = None
    last_created: str | None = None
    references_hashed: int = 0
    references_public: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts, "anonymised": self.anonymised, "posts": self.posts,
            "roles": dict(self.roles), "roles_anonymised": dict(self.roles_anonymised),
            "account_languages": dict(self.account_languages.most_common()),
            "post_languages": dict(self.post_languages.most_common()),
            "kinds": dict(self.kinds), "first_post": self.first_post, "last_post": self.last_post,
            "first_account_created": self.first_created, "last_account_created": self.last_created,
        }


@dataclass
class Release:
    """A written release: its folder, files and counts."""

    out: Path
    name: str
    stats: ReleaseStats
    manifest: dict[str, Any]
    seconds: float


class _Anonymiser:
    """Maps account ids and text of the store to their released form."""

    def __init__(self, store: Store, policy: Policy, hasher: Hasher) -> None:
        self.policy = policy
        self.hasher = hasher
        self.idents = Identities()
        self.public: set[str] = set()
        cur = store.reader()
        result = cur.execute("SELECT account_id, screen_name, followers FROM accounts")
        while True:
            rows = result.fetchmany(100_000)
            if not rows:
                break
            for acc, handle, followers in rows:
                if handle:
                    self.idents.known_handles.add(handle.strip().lstrip("@＠").casefold())
                if policy.anonymised(followers):
                    self.idents.add(acc, handle)
                else:
                    self.public.add(acc)

    def is_public(self, account_id: str) -> bool:
        return account_id in self.public

    def uid(self, account_id: str | None) -> str:
        """The released id: raw for a public account, else its token (unknown ids too)."""
        if not account_id:
            return ""
        return account_id if account_id in self.public else self.hasher.token(account_id)

    def text(self, value: str | None, hash_unknown: bool = True) -> str:
        """``value`` with its references to anonymised accounts replaced by tokens.

        ``hash_unknown``: also hash ``@handles`` the store has no account for
        (off for the README, whose ``@name`` examples name nobody).
        """
        if not value:
            return ""
        unknown = self.hasher.unknown_handle if hash_unknown else (lambda h: h)
        return redact(value, self.idents, self.hasher.token, unknown)


def _writer(path: Path) -> tuple[Any, Any]:
    f = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 (closed by the caller)
    return f, csv.writer(f, lineterminator="\n")


def _num(v: object) -> str:
    return "" if v is None else str(v)


def _pylist(values: list[str]) -> str:
    """A Python-list string, as the archive writes ``hashtags``, ``urls``, ``user_mentions``."""
    return repr([str(v) for v in values])


def write_release(store: Store, selection: Selection, name: str, out: str | Path, secret: bytes,
                  policy: Policy | None = None,
                  progress: Callable[[str], None] | None = None) -> Release:
    """Write the release of ``selection`` as ``name`` into the new folder ``out``.

    Parameters
    ----------
    store: the store holding the accounts, posts and detect results.
    selection: the accounts to release (:func:`~infoops.disclose.select.select_network`
        or :func:`~infoops.disclose.select.select_case`).
    name: the release name, e.g. ``china_052020`` (letters, digits, ``_ . -``).
    out: the folder to create; it must not exist or be empty.
    secret: the operator's key (:func:`~infoops.disclose.policy.load_secret`);
        it is never written anywhere.
    policy: follower threshold, token length, core-only (recorded in the manifest).

    Returns
    -------
    Release with the counts and the manifest.
    """
    t0 = time.perf_counter()
    policy = policy or Policy(core_only=selection.core_only)
    if not _NAME.fullmatch(name):
        raise DisclosureError(
            f"release name {name!r}: use letters, digits, '_', '.' or '-' (e.g. china_052020)"
        )
    if not selection.members:
        what = f"case {selection.case_id}" if selection.case_id else f"network {selection.network_id}"
        raise DisclosureError(f"{what} has no account to release"
                              + (" (none is core)" if selection.core_only else ""))
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DisclosureError(f"{out}: already exists and is not an empty folder; choose a new --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        anon = _Anonymiser(store, policy, Hasher(secret, policy.token_hex))
        stats = ReleaseStats()
        users_name, tweets_name = release_files(name)
        profiles = _write_users(store, selection, anon, tmp / users_name, stats)
        if progress:
            progress(f"{stats.accounts:,} accounts ({stats.anonymised:,} anonymised)")
        rows = {users_name: len(profiles),
                tweets_name: _write_tweets(store, selection, anon, tmp / tweets_name, profiles,
                                           stats, progress)}
        readme = readme_text(name, selection, policy, stats, users_name, tweets_name)
        (tmp / README).write_text(anon.text(readme, hash_unknown=False), encoding="utf-8")
        manifest = _manifest(tmp, name, selection, policy, stats, rows)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
        tmp.chmod(0o755)  # mkdtemp's folder is private; a release is meant to be shared
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Release(out, name, stats, manifest, time.perf_counter() - t0)


def _members_table(selection: Selection) -> pa.Table:
    """The selected members as ``(account_id, role)``, registered as ``_rel`` by the writers."""
    return pa.table({
        "account_id": pa.array([a for a, _ in selection.members], pa.string()),
        "role": pa.array([r for _, r in selection.members], pa.string()),
    })


def _write_users(store: Store, selection: Selection, anon: _Anonymiser, path: Path,
                 stats: ReleaseStats) -> dict[str, tuple[str, ...]]:
    """Write the users file; return the released profile columns by released user id."""
    cur = store.reader()
    with registered(cur, "_rel", _members_table(selection)):
        rows = cur.execute(
            "SELECT r.account_id, r.role, a.screen_name, a.display_name, a.location, a.description, "
            "a.profile_url, a.followers, a.following, "
            f"strftime(a.created_at, '{CREATION_DATE_FORMAT}'), a.language "
            "FROM _rel r LEFT JOIN accounts a USING (account_id)"
        ).fetchall()
    out = []
    for acc, role, handle, display, loc, desc, url, followers, following, created, lang in rows:
        public = anon.is_public(acc)
        uid = anon.uid(acc)
        out.append((
            uid,
            anon.text(display) if public else uid,
            (handle or "") if public else uid,
            anon.text(loc), anon.text(desc), anon.text(url),
            _num(followers), _num(following), created or "", lang or "",
        ))
        stats.accounts += 1
        stats.anonymised += not public
        stats.roles[role or "unknown"] += 1
        stats.roles_anonymised[role or "unknown"] += not public
        stats.account_languages[lang or "unknown"] += 1
        if created:
            stats.first_created = min(stats.first_created or created, created)
            stats.last_created = max(stats.last_created or created, created)
    out.sort()
    f, w = _writer(path)
    with f:
        w.writerow(USER_COLUMNS)
        w.writerows(out)
    return {row[0]: row for row in out}


_POSTS_SQL = f"""
WITH rp AS (SELECT p.* FROM posts p SEMI JOIN _rel USING (account_id)),
h AS (SELECT post_id, list(tag ORDER BY r) AS v FROM
      (SELECT rowid AS r, post_id, tag FROM post_hashtags) x SEMI JOIN rp USING (post_id) GROUP BY post_id),
u AS (SELECT post_id, list(url ORDER BY r) AS v FROM
      (SELECT rowid AS r, post_id, url FROM post_urls) x SEMI JOIN rp USING (post_id) GROUP BY post_id),
m AS (SELECT post_id, list(account_id ORDER BY r) AS v FROM
      (SELECT rowid AS r, post_id, account_id FROM post_mentions) x SEMI JOIN rp USING (post_id)
      GROUP BY post_id)
SELECT rp.post_id, rp.account_id, strftime(rp.created_at, '{TWEET_TIME_FORMAT}'), rp.kind, rp.text,
       rp.language, rp.client, rp.ref_post_id, rp.ref_account_id, rp.reply_to_post_id,
       rp.reply_to_account_id, rp.latitude, rp.longitude, rp.quote_count, rp.reply_count,
       rp.like_count, rp.retweet_count, h.v, u.v, m.v
FROM rp LEFT JOIN h USING (post_id) LEFT JOIN u USING (post_id) LEFT JOIN m USING (post_id)
ORDER BY rp.created_at, rp.post_id
"""


def _write_tweets(store: Store, selection: Selection, anon: _Anonymiser, path: Path,
                  profiles: dict[str, tuple[str, ...]], stats: ReleaseStats,
                  progress: Callable[[str], None] | None) -> int:
    """Write the tweets file, streaming the members' posts; return the rows written."""
    cur = store.reader()
    n = 0
    with registered(cur, "_rel", _members_table(selection)):
        result = cur.execute(_POSTS_SQL)
        f, w = _writer(path)
        with f:
            w.writerow(TWEET_COLUMNS_30)
            while True:
                batch = result.fetchmany(BATCH_ROWS)
                if not batch:
                    break
                w.writerows(_tweet_row(r, anon, profiles, stats) for r in batch)
                n += len(batch)
                if progress:
                    progress(f"{n:,} posts")
    return n


def _ref(anon: _Anonymiser, account_id: str | None, stats: ReleaseStats) -> str:
    if account_id:
        if anon.is_public(account_id):
            stats.references_public += 1
        else:
            stats.references_hashed += 1
    return anon.uid(account_id)


def _tweet_row(r: tuple[Any, ...], anon: _Anonymiser, profiles: dict[str, tuple[str, ...]],
               stats: ReleaseStats) -> tuple[str, ...]:
    (post_id, acc, t, kind, text, lang, client, ref_post, ref_acc, reply_post, reply_acc,
     lat, lon, quotes, replies, likes, retweets, tags, urls, mentions) = r
    uid = anon.uid(acc)
    prof = profiles[uid]
    rt = kind == "retweet"
    stats.posts += 1
    stats.kinds[kind] += 1
    stats.post_languages[lang or "unknown"] += 1
    if t:
        stats.first_post = min(stats.first_post or t, t)
        stats.last_post = max(stats.last_post or t, t)
    row = {
        "tweetid": post_id, "userid": uid,
        "user_display_name": prof[1], "user_screen_name": prof[2],
        "user_reported_location": prof[3], "user_profile_description": prof[4],
        "user_profile_url": prof[5], "follower_count": prof[6], "following_count": prof[7],
        "account_creation_date": prof[8], "account_language": prof[9],
        "tweet_language": lang or "", "tweet_text": anon.text(text), "tweet_time": t or "",
        "tweet_client_name": anon.text(client),
        "in_reply_to_userid": _ref(anon, reply_acc, stats), "in_reply_to_tweetid": reply_post or "",
        "quoted_tweet_tweetid": (ref_post or "") if kind == "quote" else "",
        "is_retweet": "True" if rt else "False",
        "retweet_userid": _ref(anon, ref_acc, stats) if rt else "",
        "retweet_tweetid": (ref_post or "") if rt else "",
        "latitude": _num(lat), "longitude": _num(lon),
        "quote_count": _num(quotes), "reply_count": _num(replies),
        "like_count": _num(likes), "retweet_count": _num(retweets),
        "hashtags": _pylist([anon.text(x) for x in tags or []]),
        "urls": _pylist([anon.text(u) for u in urls or []]),
        "user_mentions": _pylist([_ref(anon, m, stats) for m in mentions or []]),
    }
    return tuple(row[c] for c in TWEET_COLUMNS_30)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _manifest(folder: Path, name: str, selection: Selection, policy: Policy, stats: ReleaseStats,
              rows: dict[str, int]) -> dict[str, Any]:
    files = {}
    for p in sorted(folder.iterdir()):
        if p.name == MANIFEST or not p.is_file():
            continue
        entry: dict[str, Any] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        if p.name in rows:
            entry["rows"] = rows[p.name]
        files[p.name] = entry
    return {
        "format": "twitter-information-operations-archive",
        "name": name,
        "created_by": f"infoops {__version__}",
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": selection.source(),
        "policy": {
            **policy.to_dict(),
            "hash": f"HMAC-SHA256(secret, account id), first {policy.token_hex} hex characters",
            "followers": "accounts.followers: the latest profile the store holds",
        },
        "counts": stats.to_dict(),
        "files": files,
    }
