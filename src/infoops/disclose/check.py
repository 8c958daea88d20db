"""The leak check: every file of a release scanned for identities that must not leave.

Against the store that made the release (``--db``), the check looks for

- the raw id, handle or display name of every **anonymised** account (fewer
  followers than the release's threshold, or unknown; members or not), and
- any **non-member** account shown as an account of the release: its raw id
  as ``userid``, its handle as ``user_screen_name``, its display name as
  ``user_display_name``. (A non-member with enough followers may be referred
  to by its real id, as a reply target or mention: that is the policy.)

In id and name columns (``userid``, ``in_reply_to_userid``, ``retweet_userid``,
``user_screen_name``, ``user_display_name``, the elements of ``user_mentions``)
a whole value is compared, case-insensitively, with or without ``@``; in post
ids, counts and dates only raw ids are looked for; every other column, the
README and the manifest are scanned as text with :func:`infoops.disclose.scan.scan`
(``@name``, handles and ids in URLs, ids and distinctive handles as words).
A public member's own row may carry its own name. Files that differ from the
manifest's checksums, or that it does not list, are reported too.
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infoops.disclose.policy import FOLLOWER_THRESHOLD, TOKEN_HEX, Hasher, Policy
from infoops.disclose.release import MANIFEST, sha256_file
from infoops.disclose.scan import Identities, key, scan
from infoops.disclose.select import select_source
from infoops.errors import DisclosureError
from infoops.ingest.parse import literal_list
from infoops.store import Store

_NOT_RELEASED = "userid of no released account (with the secret)"
_ID_COLUMNS = frozenset({"userid", "in_reply_to_userid", "retweet_userid"})
_NAME_COLUMNS = frozenset({"user_screen_name", "user_display_name"})
_LIST_ID_COLUMNS = frozenset({"user_mentions"})
#: Columns that hold post ids, numbers, dates, flags or language codes.
_STRUCTURED = frozenset({
    "tweetid", "in_reply_to_tweetid", "quoted_tweet_tweetid", "retweet_tweetid",
    "follower_count", "following_count", "account_creation_date", "account_language",
    "tweet_language", "tweet_time", "is_retweet", "latitude", "longitude",
    "quote_count", "reply_count", "like_count", "retweet_count",
})


@dataclass(frozen=True)
class Leak:
    """One finding: where (file, 1-based line and column) and what."""

    file: str
    line: int
    column: str
    kind: str
    text: str
    account_id: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.kind}: {_printable(self.text)}"


@dataclass
class CheckResult:
    """The findings of :func:`check_release` and how much it read."""

    folder: Path
    members_verified: bool = False
    leaks: list[Leak] = field(default_factory=list)
    files: int = 0
    cells: int = 0

    @property
    def ok(self) -> bool:
        return not self.leaks


def _printable(text: str, limit: int = 80) -> str:
    """Text safe for a terminal: controls and bidi marks escaped, long text cut."""
    out = "".join(
        c if unicodedata.category(c)[0] != "C" else f"\\u{ord(c):04x}" for c in text[:limit]
    )
    return repr(out + ("…" if len(text) > limit else ""))


class _Known:
    """The identities the check looks for, from the store."""

    def __init__(self, store: Store, policy: Policy, members: set[str],
                 hasher: Hasher | None = None) -> None:
        self.anon = Identities()
        #: with the secret: the released user id of every member (token or raw id)
        self.released: set[str] | None = set() if hasher else None
        self.tokens: set[str] = set()
        self.anon_names: dict[str, str] = {}
        self.outside = Identities()
        self.outside_names: dict[str, str] = {}
        self.public_members: dict[str, tuple[str, str]] = {}
        result = store.reader().execute(
            "SELECT account_id, screen_name, display_name, followers FROM accounts")
        while rows := result.fetchmany(100_000):
            for acc, handle, display, followers in rows:
                if handle:
                    self.anon.known_handles.add(key(handle))
                if self.released is not None and hasher and acc in members:
                    if policy.anonymised(followers):
                        self.tokens.add(hasher.token(acc))
                    self.released.add(hasher.token(acc) if policy.anonymised(followers) else acc)
                if policy.anonymised(followers):
                    self.anon.add(acc, handle)
                    if display and key(display):
                        self.anon_names.setdefault(key(display), acc)
                if acc not in members:
                    self.outside.add(acc, handle)
                    if display and key(display):
                        self.outside_names.setdefault(key(display), acc)
                elif not policy.anonymised(followers):
                    self.public_members[key(acc)] = (key(handle or ""), key(display or ""))
        self.matched_tokens = 0


def check_release(store: Store, folder: str | Path, secret: bytes | None = None) -> CheckResult:
    """Scan every file of the release in ``folder`` for leaked identities.

    The manifest says which accounts were released (detect run and network,
    or case) and under which policy; ``store`` must be the store the release
    was made from. With the release's ``secret`` the check also proves that
    every ``userid`` of the users and tweets files is a member's (its token, or
    its raw id when public), which finds a non-member released under a token.
    """
    folder = Path(folder)
    mpath = folder / MANIFEST
    if not folder.is_dir():
        raise DisclosureError(f"{folder}: no such folder")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DisclosureError(f"{mpath}: missing; is {folder} a release made by `infoops disclose`?") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DisclosureError(f"{mpath}: not valid JSON ({exc})") from exc
    pol = manifest.get("policy") or {}
    policy = Policy(follower_threshold=int(pol.get("follower_threshold", FOLLOWER_THRESHOLD)),
                    token_hex=int(pol.get("token_hex", TOKEN_HEX)))
    selection = select_source(store, manifest.get("source") or {})
    hasher = Hasher(secret, policy.token_hex) if secret is not None else None
    known = _Known(store, policy, selection.account_ids, hasher)
    result = CheckResult(folder, members_verified=hasher is not None)
    listed: dict[str, Any] = manifest.get("files") or {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        result.files += 1
        if rel != MANIFEST:
            entry = listed.get(rel)
            if entry is None:
                result.leaks.append(Leak(rel, 0, "-", "file not in the manifest", rel))
            elif entry.get("sha256") != sha256_file(path):
                result.leaks.append(Leak(rel, 0, "-", "file changed since release (SHA-256 differs)", rel))
        leaks = _scan_csv(path, rel, known, result) if path.suffix == ".csv" else _scan_text(path, rel, known, result)
        result.leaks.extend(leaks)
    for rel in sorted(set(listed) - {p.relative_to(folder).as_posix() for p in folder.rglob("*")}):
        result.leaks.append(Leak(rel, 0, "-", "file in the manifest is missing", rel))
    strangers = [x for x in result.leaks if x.kind == _NOT_RELEASED]
    # not one member's token among the userids: the wrong secret, not thousands of leaks
    if strangers and known.tokens and known.matched_tokens == 0:
        result.leaks = [x for x in result.leaks if x.kind != _NOT_RELEASED]
        result.leaks.append(Leak(strangers[0].file, 0, "userid", "the secret does not match this "
                                 "release (no userid is a member's token)", ""))
    return result


def _text_hits(text: str, known: _Known) -> Iterator[tuple[int, str, str, str]]:
    """(offset, kind, matched text, account) of anonymised accounts referred to in ``text``."""
    for hit in scan(text, known.anon):
        if hit.account_id is not None:
            yield hit.start, f"anonymised {hit.what} ({hit.via})", text[hit.start:hit.end], hit.account_id


def _scan_text(path: Path, rel: str, known: _Known, result: CheckResult) -> Iterator[Leak]:
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            result.cells += 1
            for off, kind, text, acc in _text_hits(line, known):
                yield Leak(rel, n, str(off + 1), kind, text, acc)


def _whole(value: str, known: _Known, column: str, names: bool) -> Iterator[tuple[str, str]]:
    k = key(value)
    if not k:
        return
    if k in known.anon.ids:
        yield "anonymised id", known.anon.ids[k]
    elif names and k in known.anon.handles:
        yield "anonymised handle", known.anon.handles[k]
    elif names and k in known.anon_names:
        yield "anonymised display name", known.anon_names[k]
    if column == "userid" and k in known.outside.ids:
        yield "non-member account as userid", known.outside.ids[k]
    elif column == "user_screen_name" and k in known.outside.handles:
        yield "non-member handle as user_screen_name", known.outside.handles[k]
    elif column == "user_display_name" and k in known.outside_names:
        yield "non-member display name as user_display_name", known.outside_names[k]


def _scan_csv(path: Path, rel: str, known: _Known, result: CheckResult) -> Iterator[Leak]:
    csv.field_size_limit(min(sys.maxsize, 1 << 30))  # megabyte fields are hostile input, still read
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            return
        line = reader.line_num + 1
        for row in reader:
            uid = key(row[header.index("userid")]) if "userid" in header and len(row) == len(header) else ""
            own = known.public_members.get(uid) if uid else None
            for column, value in zip(header, row, strict=False):
                result.cells += 1
                if not value:
                    continue
                if column == "userid" and known.released is not None:
                    if value in known.released:
                        known.matched_tokens += value in known.tokens
                    else:
                        yield Leak(rel, line, column, _NOT_RELEASED, value)
                exempt = own is not None and (
                    (column == "user_screen_name" and key(value) == own[0])
                    or (column == "user_display_name" and key(value) == own[1]))
                if column in _ID_COLUMNS or column in _NAME_COLUMNS:
                    if not exempt:
                        for kind, acc in _whole(value, known, column, names=True):
                            yield Leak(rel, line, column, kind, value, acc)
                    if column == "user_display_name":
                        for _, kind, text, acc in _text_hits(value, known):
                            yield Leak(rel, line, column, kind, text, acc)
                elif column in _LIST_ID_COLUMNS:
                    for item in literal_list(value):
                        for kind, acc in _whole(item, known, column, names=True):
                            yield Leak(rel, line, column, kind, item, acc)
                elif column in _STRUCTURED:
                    k = key(value)
                    if k in known.anon.ids:
                        yield Leak(rel, line, column, "anonymised id", value, known.anon.ids[k])
                else:
                    for _, kind, text, acc in _text_hits(value, known):
                        yield Leak(rel, line, column, kind, text, acc)
            line = reader.line_num + 1
