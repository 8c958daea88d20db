"""Twitter API JSON readers: v2 (pages or single tweets) and v1.1 tweets.

Accepted files: JSON Lines (one object per line: a v1.1 tweet, a v2 tweet, or
a v2 response page ``{"data": [...], "includes": {...}}`` as written by
twarc2), a JSON array of such objects, or one pretty-printed object. Each
tweet becomes one canonical post row; its author's profile (v1.1 ``user``,
v2 ``includes.users`` or twarc's ``author``) rides along as ``author_*``
fields; retweeted, quoted and mentioned accounts become stub accounts with
their screen names. Referenced tweets embedded in a tweet are used for their
ids and authors only; they are not stored as posts of their own.

This path is per-object Python (JSON has to be decoded anyway); the parsing
of times and the validation happen in the same SQL stage as for CSV.

Hostile JSON costs one record, never the file: a value of the wrong type
(``"public_metrics": [1]``), nesting deeper than :data:`MAX_DEPTH`, a line
longer than :data:`~infoops.ingest.guard.MAX_LINE_BYTES` or a NUL character
quarantines that record, with its line and, inside a v2 page or a JSON
array, its position (``item``). A single pretty-printed document is read
whole, so it is limited to :data:`MAX_DOCUMENT_BYTES`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

from infoops.errors import SourceError
from infoops.ingest.fields import POST_FIELDS, Layout
from infoops.ingest.guard import HEAD_BYTES, MAX_LINE_BYTES
from infoops.ingest.sources import Source
from infoops.ingest.tabular import UTF8_HINT, RawBatch
from infoops.ingest.writer import Quarantined

POSTS_LAYOUT = Layout("twitter-json", "posts", {f: f for f in POST_FIELDS})
STUBS_LAYOUT = Layout("twitter-json", "accounts", {"account_id": "account_id", "screen_name": "screen_name",
                                                    "is_stub": "is_stub"})
_TAG = re.compile(r"<[^>]+>")
#: Deepest nesting of arrays read for tweets (json itself stops near 1,000).
MAX_DEPTH = 32
#: Largest single JSON document (not JSON Lines) read whole.
MAX_DOCUMENT_BYTES = 512 << 20


def _d(v: Any) -> dict[str, Any]:
    """``v`` when it is an object, else an empty one (hostile files put lists where objects go)."""
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
    """The objects of ``v`` when it is a list, else none."""
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _s(v: Any) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _client(source: Any) -> str | None:
    return _TAG.sub("", source).strip() or None if isinstance(source, str) else None


#: A column's source: ``|``-separated dotted paths (first non-empty, as text), or a function.
FieldSpec = str | Callable[[dict[str, Any]], Any]


def _get(obj: dict[str, Any], path: str) -> Any:
    """``obj``'s value at a dotted ``path`` (objects on the way; anything else reads as empty)."""
    *parents, key = path.split(".")
    for part in parents:
        obj = _d(obj.get(part))
    return obj.get(key)


def _pick(obj: dict[str, Any], spec: str) -> Any:
    """The first non-empty of ``spec``'s ``|``-separated paths (``a or b``), else the last one's value."""
    value = None
    for path in spec.split("|"):
        value = value or _get(obj, path)
    return value


def _fields(obj: dict[str, Any], table: tuple[tuple[str, FieldSpec], ...]) -> dict[str, Any]:
    """A row from a field table: each column's path(s) read as text, or its function's value."""
    return {column: spec(obj) if callable(spec) else _s(_pick(obj, spec)) for column, spec in table}


def _v1_entities(t: dict[str, Any]) -> dict[str, Any]:
    return _d(_d(t.get("extended_tweet")).get("entities")) or _d(t.get("entities"))


def _v1_text(t: dict[str, Any]) -> Any:
    return _d(t.get("extended_tweet")).get("full_text") or t.get("full_text") or t.get("text")


def _listed(entities: Callable[[dict[str, Any]], dict[str, Any]], kind: str, spec: str) -> FieldSpec:
    """A list column: ``spec`` of each object in the entities' ``kind`` list that has one."""
    def read(t: dict[str, Any]) -> list[str | None]:
        found = (_pick(x, spec) for x in _l(entities(t).get(kind)))
        return [_s(v) for v in found if v]
    return read


#: v1.1 tweet fields, in row order (profile fields follow: :data:`V1_PROFILE`).
V1_TWEET: tuple[tuple[str, FieldSpec], ...] = (
    ("post_id", "id_str|id"),
    ("account_id", "user.id_str|user.id"),
    ("created_at", "created_at"),
    ("text", _v1_text),
    ("language", "lang"),
    ("client", lambda t: _client(t.get("source"))),
    ("reply_to_post_id", "in_reply_to_status_id_str|in_reply_to_status_id"),
    ("reply_to_account_id", "in_reply_to_user_id_str|in_reply_to_user_id"),
    ("like_count", "favorite_count"),
    ("retweet_count", "retweet_count"),
    ("reply_count", "reply_count"),
    ("quote_count", "quote_count"),
    ("hashtags", _listed(_v1_entities, "hashtags", "text")),
    ("urls", _listed(_v1_entities, "urls", "expanded_url|url")),
    ("mentions", _listed(_v1_entities, "user_mentions", "id_str|id")),
)
#: v1.1 ``user`` object fields.
V1_PROFILE: tuple[tuple[str, FieldSpec], ...] = (
    ("author_screen_name", "screen_name"), ("author_display_name", "name"),
    ("author_created_at", "created_at"), ("author_followers", "followers_count"),
    ("author_following", "friends_count"), ("author_language", "lang"),
    ("author_location", "location"), ("author_description", "description"),
    ("author_profile_url", "url"), ("author_verified", "verified"),
    ("author_statuses_count", "statuses_count"),
)


def _v2_entities(t: dict[str, Any]) -> dict[str, Any]:
    return _d(t.get("entities"))


def _v2_urls(t: dict[str, Any]) -> list[str | None]:
    return [_s(u.get("unwound_url") or u.get("expanded_url") or u.get("url"))
            for u in _l(_v2_entities(t).get("urls")) if u.get("expanded_url") or u.get("url")]


#: v2 tweet fields after ``post_id`` and ``account_id``, in row order (then :data:`V2_PROFILE`).
V2_TWEET: tuple[tuple[str, FieldSpec], ...] = (
    ("created_at", "created_at"),
    ("text", lambda t: t.get("text")),
    ("language", "lang"),
    ("client", "source"),
    ("reply_to_account_id", "in_reply_to_user_id"),
    ("like_count", "public_metrics.like_count"),
    ("retweet_count", "public_metrics.retweet_count"),
    ("reply_count", "public_metrics.reply_count"),
    ("quote_count", "public_metrics.quote_count"),
    ("hashtags", _listed(_v2_entities, "hashtags", "tag")),
    ("urls", _v2_urls),
    ("mentions", _listed(_v2_entities, "mentions", "id")),
    ("has_media", lambda t: "true" if _d(t.get("attachments")).get("media_keys") else "false"),
)
#: v2 user object fields.
V2_PROFILE: tuple[tuple[str, FieldSpec], ...] = (
    ("author_screen_name", "username"), ("author_display_name", "name"),
    ("author_created_at", "created_at"), ("author_followers", "public_metrics.followers_count"),
    ("author_following", "public_metrics.following_count"), ("author_location", "location"),
    ("author_description", "description"), ("author_profile_url", "url"),
    ("author_verified", "verified"), ("author_statuses_count", "public_metrics.tweet_count"),
)


def v1_tweet(t: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str | None, str | None]]]:
    """One v1.1 tweet as a canonical row, and the (id, screen name) stubs it names."""
    ext = _d(t.get("extended_tweet"))
    ents = _v1_entities(t)
    row: dict[str, Any] = {**_fields(t, V1_TWEET), **_fields(_d(t.get("user")), V1_PROFILE)}
    media = (_d(ext.get("extended_entities")) or _d(t.get("extended_entities"))).get("media") or ents.get("media")
    row["has_media"] = "true" if media else "false"
    coords = _d(t.get("coordinates")).get("coordinates")
    if isinstance(coords, list) and len(coords) == 2:
        row["longitude"], row["latitude"] = _s(coords[0]), _s(coords[1])
    stubs = [(_s(m.get("id_str") or m.get("id")), _s(m.get("screen_name")))
             for m in _l(ents.get("user_mentions"))]
    rs, qs = t.get("retweeted_status"), t.get("quoted_status")
    if isinstance(rs, dict):
        ru = _d(rs.get("user"))
        row["kind"] = "retweet"
        row["retweet_post_id"] = _s(rs.get("id_str") or rs.get("id"))
        row["retweet_account_id"] = _s(ru.get("id_str") or ru.get("id"))
        stubs.append((row["retweet_account_id"], _s(ru.get("screen_name"))))
    elif isinstance(qs, dict) or t.get("quoted_status_id_str"):
        qs = _d(qs)
        qu = _d(qs.get("user"))
        row["kind"] = "quote"
        row["quoted_post_id"] = _s(qs.get("id_str") or t.get("quoted_status_id_str"))
        row["ref_account_id"] = _s(qu.get("id_str") or qu.get("id"))
        stubs.append((row["ref_account_id"], _s(qu.get("screen_name"))))
    return row, stubs


def v2_tweet(
    t: dict[str, Any], users: dict[str, dict[str, Any]], tweets: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], list[tuple[str | None, str | None]]]:
    """One v2 tweet (with the page's ``includes``) as a canonical row, and its stubs."""
    ents = _v2_entities(t)
    embedded = t.get("author")
    author: dict[str, Any] = embedded if isinstance(embedded, dict) else _d(users.get(str(t.get("author_id"))))
    row: dict[str, Any] = {
        "post_id": _s(t.get("id")), "account_id": _s(t.get("author_id") or author.get("id")),
        **_fields(t, V2_TWEET), **_fields(author or {}, V2_PROFILE),
    }
    stubs = [(_s(x.get("id")), _s(x.get("username"))) for x in _l(ents.get("mentions"))]
    geo = _d(_d(t.get("geo")).get("coordinates")).get("coordinates")
    if isinstance(geo, list) and len(geo) == 2:
        row["longitude"], row["latitude"] = _s(geo[0]), _s(geo[1])
    for ref in _l(t.get("referenced_tweets")):
        _reference(row, stubs, ref, users, tweets)
    if row.get("kind") == "reply" and (row.get("retweet_post_id") or row.get("quoted_post_id")):
        row["kind"] = "retweet" if row.get("retweet_post_id") else "quote"
    return row, stubs


def _reference(row: dict[str, Any], stubs: list[tuple[str | None, str | None]], ref: dict[str, Any],
               users: dict[str, dict[str, Any]], tweets: dict[str, dict[str, Any]]) -> None:
    """Apply one of a v2 tweet's ``referenced_tweets`` (retweeted, quoted, replied_to) to its row."""
    rid = _s(ref.get("id"))
    target = _d(tweets.get(str(rid))) or ref
    ref_author = _s(target.get("author_id") or _d(target.get("author")).get("id"))
    kind = ref.get("type")
    if kind == "retweeted":
        row["kind"], row["retweet_post_id"], row["retweet_account_id"] = "retweet", rid, ref_author
    elif kind == "quoted" and row.get("kind") != "retweet":
        row["kind"], row["quoted_post_id"], row["ref_account_id"] = "quote", rid, ref_author
    elif kind == "replied_to":
        row["reply_to_post_id"] = rid
        row.setdefault("kind", "reply")
    if ref_author:
        name = (_d(users.get(ref_author)) or _d(target.get("author"))).get("username")
        stubs.append((ref_author, _s(name)))


def _objects(obj: Any, depth: int = 0) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]]:
    """(tweet, users by id, tweets by id, version) for every tweet in a decoded object."""
    if isinstance(obj, list):
        if depth >= MAX_DEPTH:
            raise ValueError(f"arrays nested deeper than {MAX_DEPTH}")
        for o in obj:
            yield from _objects(o, depth + 1)
        return
    if not isinstance(obj, dict):
        return
    if "data" in obj and isinstance(obj["data"], (list, dict)):
        inc = _d(obj.get("includes"))
        users = {str(u.get("id")): u for u in _l(inc.get("users"))}
        tweets = {str(t.get("id")): t for t in _l(inc.get("tweets"))}
        data = obj["data"] if isinstance(obj["data"], list) else [obj["data"]]
        for t in data:
            if isinstance(t, dict):
                yield t, users, tweets, "v2"
        return
    if "id" not in obj and "id_str" not in obj:
        return  # not a tweet (reported by the caller)
    version = "v1" if ("user" in obj or "id_str" in obj or "retweeted_status" in obj) else "v2"
    yield obj, {}, {}, version


def _records(source: Source) -> Iterator[tuple[int, str | None, Any, str]]:
    """(line, text, decoded object or None, error) per JSON record."""
    with source.open() as f:
        first = f.readline(MAX_LINE_BYTES + 1)
        stripped = first.strip().lstrip(b"\xef\xbb\xbf")
        if stripped in (b"{", b"[") or (stripped.startswith(b"[") and not stripped.endswith(b"]")):
            data = first + f.read(MAX_DOCUMENT_BYTES + 1 - len(first))  # one pretty-printed document
            if len(data) > MAX_DOCUMENT_BYTES:
                raise SourceError(source.name, f"one JSON document larger than {MAX_DOCUMENT_BYTES >> 20} MiB; "
                                  "write it as JSON Lines (jq -c '.[]' FILE > FILE.jsonl)")
            text, obj, error = _decode(data, "utf-8-sig", "broken JSON document")
            yield 1, text, obj, error
            return
        number = 0
        for raw in _lines(first, f):
            number += 1
            if raw is None:
                yield number, None, None, (f"line too long: over the {MAX_LINE_BYTES:,}-byte limit; "
                                           "split the record or remove it")
                continue
            if not raw.strip():
                continue
            if b"\x00" in raw:
                text = raw.decode("utf-8", "backslashreplace").rstrip("\r\n")
                yield number, text, None, "NUL byte in the line; remove NUL bytes if the record is wanted"
                continue
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, raw.decode("utf-8", "backslashreplace").rstrip("\r\n"), None, UTF8_HINT
                continue
            text = text.rstrip("\r\n")
            obj, error = _loads(text, "broken JSON line")
            yield number, text, obj, error


def _decode(data: bytes, encoding: str, what: str) -> tuple[str | None, Any, str]:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return data[:HEAD_BYTES].decode("utf-8", "backslashreplace"), None, f"{what}: {exc}"
    obj, error = _loads(text, what)
    return (None if not error else text[:HEAD_BYTES]), obj, error


def _loads(text: str, what: str) -> tuple[Any, str]:
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        return None, f"{what}: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, f"{what}: nested too deeply"


def _lines(first: bytes, f: Any) -> Iterator[bytes | None]:
    """The file's lines, each at most MAX_LINE_BYTES; None for a longer one (skipped)."""
    line = first
    while line:
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip to the end of the line
                line = f.readline(MAX_LINE_BYTES + 1)
            yield None
        else:
            yield line
        line = f.readline(MAX_LINE_BYTES + 1)


def _chain(first: bytes, rest: Any) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def read_json(
    source: Source, batch_size: int, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[RawBatch, RawBatch]]:
    """Yield (posts batch, stub accounts batch) pairs of a Twitter JSON source.

    Each row carries ``_line`` (a running number: unique, in file order),
    ``_src_line`` (the line it came from) and ``_item`` (its position in a
    page or array, else NULL).
    """
    rows: list[dict[str, Any]] = []
    stubs: list[tuple[str | None, str | None]] = []
    bad: list[Quarantined] = []
    seq = 0
    for line, text, obj, error in _records(source):
        if error:
            bad.append(Quarantined(line, error, (text or "")[:HEAD_BYTES * 1000]))
            continue
        several = not (isinstance(obj, dict) and "data" not in obj)
        found = False
        try:
            objects = list(_objects(obj))
        except (ValueError, RecursionError) as exc:
            bad.append(Quarantined(line, f"not a tweet: {exc}", (text or "")[:HEAD_BYTES]))
            continue
        for item, (tweet, users, tweets, version) in enumerate(objects):
            found = True
            raw = text if not several and text is not None else _dump(tweet)
            try:
                row, st = v1_tweet(tweet) if version == "v1" else v2_tweet(tweet, users, tweets)
            except (AttributeError, TypeError, ValueError, KeyError, RecursionError) as exc:
                bad.append(Quarantined(line, f"malformed {version} tweet ({type(exc).__name__}: "
                                       f"{str(exc)[:120]})", raw, item=item if several else None))
                continue
            problem = _clean(row)
            if problem:
                bad.append(Quarantined(line, problem, raw, item=item if several else None))
                continue
            seq += 1
            row["_line"], row["_src_line"], row["_item"] = seq, line, item if several else None
            row["_raw"] = raw
            rows.append(row)
            stubs.extend(st)
        if not found:
            bad.append(Quarantined(line, "not a tweet: expected a v1.1 or v2 tweet object or a v2 page",
                                   (text or "")[:2000]))
        if len(rows) + len(bad) >= batch_size:
            yield _tables(rows, stubs, bad)
            rows, stubs, bad = [], [], []
    yield _tables(rows, stubs, bad)


def _clean(row: dict[str, Any]) -> str:
    """Make every value text (lists of text for list fields); return why the row is unusable."""
    for k, v in row.items():
        if v is None:
            continue
        if POST_FIELDS.get(k) == "list":
            if not isinstance(v, list):
                return f"malformed tweet (field {k} is not a list)"
            row[k] = [x if isinstance(x, str) else _s(x) for x in v if not isinstance(x, (dict, list))]
            if any(x is not None and "\x00" in x for x in row[k]):
                return f"NUL character in field {k}"
        elif isinstance(v, (dict, list)):
            return f"malformed tweet (field {k} is a {'list' if isinstance(v, list) else 'object'})"
        else:
            row[k] = v if isinstance(v, str) else _s(v)
            if row[k] is not None and "\x00" in row[k]:
                return f"NUL character in field {k}"
    return ""


def _dump(tweet: dict[str, Any]) -> str:
    try:
        return json.dumps(tweet, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        return "(not serialisable)"


_POST_TYPES = {f: (pa.list_(pa.string()) if k == "list" else pa.string()) for f, k in POST_FIELDS.items()}


def _tables(rows: list[dict[str, Any]], stubs: list[tuple[str | None, str | None]],
            bad: list[Quarantined]) -> tuple[RawBatch, RawBatch]:
    cols: dict[str, pa.Array] = {"_line": pa.array([r["_line"] for r in rows], pa.int64()),
                                 "_src_line": pa.array([r["_src_line"] for r in rows], pa.int64()),
                                 "_item": pa.array([r["_item"] for r in rows], pa.int32())}
    for f, typ in _POST_TYPES.items():
        cols[f] = pa.array([r.get(f) for r in rows], typ)
    cols["_raw"] = pa.array([r["_raw"] for r in rows], pa.string())
    stub_table = pa.table({
        "_line": pa.array([0] * len(stubs), pa.int64()),
        "account_id": pa.array([s[0] for s in stubs], pa.string()),
        "screen_name": pa.array([s[1] for s in stubs], pa.string()),
        "is_stub": pa.array(["true"] * len(stubs), pa.string()),
    })
    return RawBatch(pa.table(cols), bad), RawBatch(stub_table)


# -- academictwitteR's includes files (users_*.json) ---------------------------
#: A v2 ``includes`` object saved on its own (R's academictwitteR writes the tweets
#: to ``data_*.json`` and the includes to ``users_*.json``).
INCLUDES_START = re.compile(r'\s*\{\s*"(users|tweets|places|media|polls)"\s*:')
USERS_LAYOUT = Layout("twitter-v2-includes", "accounts",
                      {f: f for f in ("account_id", "screen_name", "display_name", "created_at",
                                      "followers", "following", "location", "description",
                                      "profile_url", "verified", "statuses_count")})


def read_v2_includes(source: Source, batch_size: int) -> Iterator[RawBatch]:
    """Profiles of a v2 ``includes`` document (``{"users": [...], ...}``) as account rows.

    Referenced tweets, places and media in it are not posts of the collection and
    are left out (their ids are already on the tweets that name them).
    """
    with source.open() as fh:
        data = fh.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SourceError(source.name, f"one JSON document larger than {MAX_DOCUMENT_BYTES >> 20} MiB")
    line = 1
    _, obj, error = _decode(data, "utf-8-sig", "broken JSON document")
    if error or not isinstance(obj, dict):
        raise SourceError(source.name, error or "expected a v2 includes object {\"users\": [...]}")
    rows: list[dict[str, Any]] = []
    bad: list[Quarantined] = []
    users = obj.get("users")
    for item, u in enumerate(users if isinstance(users, list) else []):
        if not isinstance(u, dict) or u.get("id") in (None, ""):
            bad.append(Quarantined(line, "not a v2 user object (no id)", _dump(u)[:2000], item=item))
            continue
        prof: dict[str, Any] = {k.removeprefix("author_"): v for k, v in _fields(u, V2_PROFILE).items()}
        prof["account_id"] = _s(u.get("id"))
        if any(isinstance(v, str) and "\x00" in v for v in prof.values()):
            bad.append(Quarantined(line, "NUL character in a user field", _dump(u)[:2000], item=item))
            continue
        prof["_line"] = len(rows) + 1
        rows.append(prof)
    for start in range(0, max(len(rows), 1), batch_size):
        chunk = rows[start:start + batch_size]
        cols: dict[str, pa.Array] = {"_line": pa.array([r["_line"] for r in chunk], pa.int64())}
        for name in USERS_LAYOUT.mapping:
            cols[name] = pa.array([r.get(name) for r in chunk], pa.string())
        yield RawBatch(pa.table(cols), bad if start == 0 else [])
