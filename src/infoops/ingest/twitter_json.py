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
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

from infoops.ingest.fields import POST_FIELDS, Layout
from infoops.ingest.sources import Source
from infoops.ingest.tabular import UTF8_HINT, RawBatch
from infoops.ingest.writer import Quarantined

POSTS_LAYOUT = Layout("twitter-json", "posts", {f: f for f in POST_FIELDS})
STUBS_LAYOUT = Layout("twitter-json", "accounts", {"account_id": "account_id", "screen_name": "screen_name",
                                                    "is_stub": "is_stub"})
_TAG = re.compile(r"<[^>]+>")


def _s(v: Any) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _client(source: Any) -> str | None:
    return _TAG.sub("", source).strip() or None if isinstance(source, str) else None


def _v1_profile(u: dict[str, Any]) -> dict[str, str | None]:
    return {
        "author_screen_name": _s(u.get("screen_name")), "author_display_name": _s(u.get("name")),
        "author_created_at": _s(u.get("created_at")), "author_followers": _s(u.get("followers_count")),
        "author_following": _s(u.get("friends_count")), "author_language": _s(u.get("lang")),
        "author_location": _s(u.get("location")), "author_description": _s(u.get("description")),
        "author_profile_url": _s(u.get("url")), "author_verified": _s(u.get("verified")),
        "author_statuses_count": _s(u.get("statuses_count")),
    }


def _v2_profile(u: dict[str, Any]) -> dict[str, str | None]:
    m = u.get("public_metrics") or {}
    return {
        "author_screen_name": _s(u.get("username")), "author_display_name": _s(u.get("name")),
        "author_created_at": _s(u.get("created_at")), "author_followers": _s(m.get("followers_count")),
        "author_following": _s(m.get("following_count")), "author_location": _s(u.get("location")),
        "author_description": _s(u.get("description")), "author_profile_url": _s(u.get("url")),
        "author_verified": _s(u.get("verified")), "author_statuses_count": _s(m.get("tweet_count")),
    }


def v1_tweet(t: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str | None, str | None]]]:
    """One v1.1 tweet as a canonical row, and the (id, screen name) stubs it names."""
    user = t.get("user") or {}
    ext = t.get("extended_tweet") or {}
    ents = ext.get("entities") or t.get("entities") or {}
    row: dict[str, Any] = {
        "post_id": _s(t.get("id_str") or t.get("id")),
        "account_id": _s(user.get("id_str") or user.get("id")),
        "created_at": _s(t.get("created_at")),
        "text": ext.get("full_text") or t.get("full_text") or t.get("text"),
        "language": _s(t.get("lang")), "client": _client(t.get("source")),
        "reply_to_post_id": _s(t.get("in_reply_to_status_id_str") or t.get("in_reply_to_status_id")),
        "reply_to_account_id": _s(t.get("in_reply_to_user_id_str") or t.get("in_reply_to_user_id")),
        "like_count": _s(t.get("favorite_count")), "retweet_count": _s(t.get("retweet_count")),
        "reply_count": _s(t.get("reply_count")), "quote_count": _s(t.get("quote_count")),
        "hashtags": [h.get("text") for h in ents.get("hashtags") or [] if h.get("text")],
        "urls": [u.get("expanded_url") or u.get("url") for u in ents.get("urls") or []
                 if u.get("expanded_url") or u.get("url")],
        "mentions": [_s(m.get("id_str") or m.get("id")) for m in ents.get("user_mentions") or []
                     if m.get("id_str") or m.get("id")],
        **_v1_profile(user),
    }
    media = (ext.get("extended_entities") or t.get("extended_entities") or {}).get("media") or ents.get("media")
    row["has_media"] = "true" if media else "false"
    coords = (t.get("coordinates") or {}).get("coordinates")
    if isinstance(coords, list) and len(coords) == 2:
        row["longitude"], row["latitude"] = _s(coords[0]), _s(coords[1])
    stubs = [(_s(m.get("id_str") or m.get("id")), _s(m.get("screen_name")))
             for m in ents.get("user_mentions") or []]
    rs, qs = t.get("retweeted_status"), t.get("quoted_status")
    if isinstance(rs, dict):
        ru = rs.get("user") or {}
        row["kind"] = "retweet"
        row["retweet_post_id"] = _s(rs.get("id_str") or rs.get("id"))
        row["retweet_account_id"] = _s(ru.get("id_str") or ru.get("id"))
        stubs.append((row["retweet_account_id"], _s(ru.get("screen_name"))))
    elif isinstance(qs, dict) or t.get("quoted_status_id_str"):
        qs = qs or {}
        qu = qs.get("user") or {}
        row["kind"] = "quote"
        row["quoted_post_id"] = _s(qs.get("id_str") or t.get("quoted_status_id_str"))
        row["ref_account_id"] = _s(qu.get("id_str") or qu.get("id"))
        stubs.append((row["ref_account_id"], _s(qu.get("screen_name"))))
    return row, stubs


def v2_tweet(
    t: dict[str, Any], users: dict[str, dict[str, Any]], tweets: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], list[tuple[str | None, str | None]]]:
    """One v2 tweet (with the page's ``includes``) as a canonical row, and its stubs."""
    ents = t.get("entities") or {}
    m = t.get("public_metrics") or {}
    embedded = t.get("author")
    author: dict[str, Any] = embedded if isinstance(embedded, dict) else users.get(str(t.get("author_id")), {})
    row: dict[str, Any] = {
        "post_id": _s(t.get("id")), "account_id": _s(t.get("author_id") or author.get("id")),
        "created_at": _s(t.get("created_at")), "text": t.get("text"), "language": _s(t.get("lang")),
        "client": _s(t.get("source")),
        "reply_to_account_id": _s(t.get("in_reply_to_user_id")),
        "like_count": _s(m.get("like_count")), "retweet_count": _s(m.get("retweet_count")),
        "reply_count": _s(m.get("reply_count")), "quote_count": _s(m.get("quote_count")),
        "hashtags": [h.get("tag") for h in ents.get("hashtags") or [] if h.get("tag")],
        "urls": [u.get("unwound_url") or u.get("expanded_url") or u.get("url")
                 for u in ents.get("urls") or [] if u.get("expanded_url") or u.get("url")],
        "mentions": [_s(x.get("id")) for x in ents.get("mentions") or [] if x.get("id")],
        "has_media": "true" if (t.get("attachments") or {}).get("media_keys") else "false",
        **_v2_profile(author or {}),
    }
    stubs = [(_s(x.get("id")), _s(x.get("username"))) for x in ents.get("mentions") or []]
    geo = ((t.get("geo") or {}).get("coordinates") or {}).get("coordinates")
    if isinstance(geo, list) and len(geo) == 2:
        row["longitude"], row["latitude"] = _s(geo[0]), _s(geo[1])
    for ref in t.get("referenced_tweets") or []:
        rid = _s(ref.get("id"))
        target = tweets.get(str(rid)) or ref
        ref_author = _s(target.get("author_id") or (target.get("author") or {}).get("id"))
        kind = ref.get("type")
        if kind == "retweeted":
            row["kind"], row["retweet_post_id"], row["retweet_account_id"] = "retweet", rid, ref_author
        elif kind == "quoted" and row.get("kind") != "retweet":
            row["kind"], row["quoted_post_id"], row["ref_account_id"] = "quote", rid, ref_author
        elif kind == "replied_to":
            row["reply_to_post_id"] = rid
            row.setdefault("kind", "reply")
        if ref_author:
            name = (users.get(ref_author) or target.get("author") or {}).get("username")
            stubs.append((ref_author, _s(name)))
    if row.get("kind") == "reply" and (row.get("retweet_post_id") or row.get("quoted_post_id")):
        row["kind"] = "retweet" if row.get("retweet_post_id") else "quote"
    return row, stubs


def _objects(obj: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]]:
    """(tweet, users by id, tweets by id, version) for every tweet in a decoded object."""
    if isinstance(obj, list):
        for o in obj:
            yield from _objects(o)
        return
    if not isinstance(obj, dict):
        return
    if "data" in obj and isinstance(obj["data"], (list, dict)):
        inc = obj.get("includes") or {}
        users = {str(u.get("id")): u for u in inc.get("users") or [] if isinstance(u, dict)}
        tweets = {str(t.get("id")): t for t in inc.get("tweets") or [] if isinstance(t, dict)}
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
        first = f.readline()
        stripped = first.strip().lstrip(b"\xef\xbb\xbf")
        if stripped in (b"{", b"[") or (stripped.startswith(b"[") and not stripped.endswith(b"]")):
            data = first + f.read()  # one pretty-printed document
            try:
                yield 1, None, json.loads(data.decode("utf-8-sig")), ""
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield 1, data[:2000].decode("utf-8", "backslashreplace"), None, f"broken JSON document: {exc}"
            return
        number = 0
        for raw in _chain(first, f):
            number += 1
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, raw.decode("utf-8", "backslashreplace").rstrip("\r\n"), None, UTF8_HINT
                continue
            text = text.rstrip("\r\n")
            if not text.strip():
                continue
            try:
                yield number, text, json.loads(text), ""
            except json.JSONDecodeError as exc:
                yield number, text, None, f"broken JSON line: {exc.msg} at column {exc.colno}"


def _chain(first: bytes, rest: Any) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def read_json(
    source: Source, batch_size: int, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[RawBatch, RawBatch]]:
    """Yield (posts batch, stub accounts batch) pairs of a Twitter JSON source."""
    rows: list[dict[str, Any]] = []
    stubs: list[tuple[str | None, str | None]] = []
    bad: list[Quarantined] = []
    for line, text, obj, error in _records(source):
        if error:
            bad.append(Quarantined(line, error, text or ""))
            continue
        found = False
        for tweet, users, tweets, version in _objects(obj):
            found = True
            row, st = v1_tweet(tweet) if version == "v1" else v2_tweet(tweet, users, tweets)
            row["_line"] = line
            row["_raw"] = text if version == "v1" and text is not None else json.dumps(tweet, ensure_ascii=False)
            rows.append(row)
            stubs.extend(st)
        if not found:
            bad.append(Quarantined(line, "not a tweet: expected a v1.1 or v2 tweet object or a v2 page",
                                   (text or "")[:2000]))
        if len(rows) >= batch_size:
            yield _tables(rows, stubs, bad)
            rows, stubs, bad = [], [], []
    yield _tables(rows, stubs, bad)


_POST_TYPES = {f: (pa.list_(pa.string()) if k == "list" else pa.string()) for f, k in POST_FIELDS.items()}


def _tables(rows: list[dict[str, Any]], stubs: list[tuple[str | None, str | None]],
            bad: list[Quarantined]) -> tuple[RawBatch, RawBatch]:
    cols: dict[str, pa.Array] = {"_line": pa.array([r["_line"] for r in rows], pa.int64())}
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
