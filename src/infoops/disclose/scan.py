"""Finding accounts inside text: what a release rewrites and what the check calls a leak.

The release writer and the leak check both call :func:`scan`, so the check
looks for exactly the references the writer replaces. Identities are compared
case-insensitively (:meth:`str.casefold`), never after Unicode folding: a
Cyrillic look-alike handle (``аdmin``) is a different account from ``admin``.

Where an account can hide in text:

- **mention**: ``@`` (or the full-width ``＠``) not preceded by a handle
  character or one of ``!#$%&*@`` (twitter-text's rule), then a run of handle
  characters. Handle characters are word characters except CJK, kana and
  Hangul, because Chinese, Japanese and Korean text runs on without a space:
  ``@name班农`` mentions ``name``. ``RT @name:`` is a mention.
- **URL**: ``http(s)://``, ``www.`` or ``host.tld/`` up to white space; its
  path, query and fragment split at ``/ ? # & = ;``. A piece (less a leading
  ``@``) that is a handle or an id is one (``twitter.com/name``,
  ``.../user/123``, ``?screen_name=name``). Host names are left alone.
- **word**: any other run of handle characters that is an account id, or a
  *distinctive* handle — one with a letter and a digit or underscore
  (``carlos_lopez28``). A letters-only handle (``news``) cannot be told from the
  word and counts only after ``@`` or in a URL; a digits-only one only after ``@``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

_NOT_HANDLE_CJK = "\u2e80-\u9fff\u3040-\u30ff\uac00-\ud7af\uf900-\ufaff"
#: One handle character: a word character that is not CJK, kana or Hangul.
H = rf"[^\W{_NOT_HANDLE_CJK}]"
_URL = (
    r"(?:https?://|www\.|(?<![\w@./-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/)"
    r"[^\s<>\"'`{}|\\^\[\]]*[^\s<>\"'`{}|\\^\[\].,;:!?)]"
)
_PATTERN = re.compile(
    rf"(?P<url>{_URL})"
    rf"|(?<!{H})(?<![!#$%&*@＠])[@＠](?P<handle>{H}+)"
    rf"|(?P<word>{H}+)"
)
_WORD = re.compile(rf"{H}+")
_URL_HEAD = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#]*")
_URL_PIECE = re.compile(r"[^/?#&=;]+")
_LETTER = re.compile(r"[^\W\d_]")


def distinctive(handle: str) -> bool:
    """A handle that cannot be an ordinary word: it has a letter and a digit or ``_``."""
    return bool(_LETTER.search(handle)) and any(c.isdigit() or c == "_" for c in handle)


def key(value: str) -> str:
    """How identities are compared: trimmed, without a leading ``@``, case-folded."""
    return value.strip().lstrip("@＠").casefold()


@dataclass
class Identities:
    """The accounts to find, keyed by :func:`key`.

    ``ids`` and ``handles`` map to the account id; ``known_handles`` holds the
    keys of every handle the store knows (protected or not), so that a
    mention of a handle outside it can be told apart (``unknown``).
    """

    ids: dict[str, str] = field(default_factory=dict)
    handles: dict[str, str] = field(default_factory=dict)
    known_handles: set[str] = field(default_factory=set)

    def add(self, account_id: str, screen_name: str | None) -> None:
        self.ids.setdefault(key(account_id), account_id)
        if screen_name and key(screen_name):
            self.handles.setdefault(key(screen_name), account_id)


@dataclass(frozen=True)
class Hit:
    """One reference found: ``text[start:end]`` names ``account_id`` (None: an unknown handle).

    ``what``: ``id`` or ``handle``; ``via``: ``mention``, ``url`` or ``word``.
    """

    start: int
    end: int
    account_id: str | None
    what: str
    via: str


def _lookup(piece: str, idents: Identities, *, bare: bool) -> tuple[str, str] | None:
    k = piece.casefold()
    acc = idents.ids.get(k)
    if acc is not None:
        return acc, "id"
    acc = idents.handles.get(k)
    if acc is not None and (not bare or distinctive(piece)):
        return acc, "handle"
    return None


def _words(text: str, base: int, idents: Identities, via: str) -> Iterator[Hit]:
    for w in _WORD.finditer(text):
        found = _lookup(w.group(), idents, bare=True)
        if found:
            yield Hit(base + w.start(), base + w.end(), found[0], found[1], via)


def _url(url: str, base: int, idents: Identities) -> Iterator[Hit]:
    head = _URL_HEAD.match(url)
    start = head.end() if head else 0
    for m in _URL_PIECE.finditer(url, start):
        piece, at = m.group(), m.start()
        if piece[:1] in "@＠":
            piece, at = piece[1:], at + 1
        found = _lookup(piece, idents, bare=False) if piece else None
        if found:
            yield Hit(base + at, base + at + len(piece), found[0], found[1], "url")
        else:
            yield from _words(piece, base + at, idents, "url")


def scan(text: str, idents: Identities) -> Iterator[Hit]:
    """Every reference to a protected account in ``text``, left to right.

    Mentions of handles the store does not know are yielded with
    ``account_id=None`` (``what="unknown"``); the release hashes them too.
    """
    for m in _PATTERN.finditer(text):
        if m.group("url") is not None:
            yield from _url(m.group("url"), m.start(), idents)
        elif m.group("handle") is not None:
            handle = m.group("handle")
            s, e = m.start("handle"), m.end("handle")
            found = _lookup(handle, idents, bare=False)
            if found:
                yield Hit(s, e, found[0], found[1], "mention")
            elif handle.casefold() not in idents.known_handles:
                yield Hit(s, e, None, "unknown", "mention")
        else:
            yield from _words(m.group("word"), m.start(), idents, "word")


def redact(text: str, idents: Identities, token: Callable[[str], str],
           unknown: Callable[[str], str]) -> str:
    """``text`` with every hit of :func:`scan` replaced by its account's token.

    ``token(account_id)`` gives the replacement of a protected account;
    ``unknown(handle)`` that of a mention of a handle the store lacks.
    """
    out: list[str] = []
    pos = 0
    for hit in scan(text, idents):
        out.append(text[pos:hit.start])
        piece = text[hit.start:hit.end]
        out.append(token(hit.account_id) if hit.account_id is not None else unknown(piece))
        pos = hit.end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)
