"""Telegram Desktop's JSON export (``result.json``): one chat or channel, or all chats.

The export is one JSON document: ``{"name", "type", "id", "messages": [...]}``
for a chat, or ``{"chats": {"list": [chat, ...]}}`` for a full export. Each
message of type ``message`` becomes a post:

- ``post_id`` is ``CHAT:MESSAGE`` (message ids are per chat), ``account_id``
  the sender's ``from_id`` (``user123``, ``channel456``; the chat itself when a
  channel post has none), the sender's name its display name;
- the time is ``date_unixtime`` (UTC) where present, else ``date`` (the
  exporting machine's local time, read as UTC: the export says no zone);
- a forwarded message is a repost (``kind`` retweet); the export names only
  the original sender (``forwarded_from``), never the original message, so its
  target is inferred from the text as for retweets without ids
  (:mod:`infoops.ingest.infer`);
- a reply points to ``CHAT:reply_to_message_id``;
- hashtags, cashtags, mentions and links come from the export's own
  ``text_entities`` (``text_link`` gives its ``href``), links canonicalised as
  for text (:func:`infoops.ingest.entities.canonical_url`); service messages
  (joins, pins) are not posts: counted as quarantined with that reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from infoops.ingest.entities import canonical_url
from infoops.ingest.fields import POST_FIELDS, Layout
from infoops.ingest.sources import Source
from infoops.ingest.tabular import RawBatch
from infoops.ingest.twitter_json import MAX_DOCUMENT_BYTES, _clean, _tables
from infoops.ingest.writer import NO_DOMAIN, Quarantined

POSTS_LAYOUT = Layout("telegram-json", "posts", {f: f for f in POST_FIELDS},
                      entities_from_text=False, infer_retweets=True)


def looks_like_telegram(head: str) -> bool:
    """A Telegram Desktop export, from the first bytes of the file."""
    h = head.lstrip()
    return h.startswith("{") and ('"messages"' in h or '"chats"' in h) and (
        '"type"' in h or '"about"' in h or '"personal_information"' in h)


def _text(value: Any) -> str:
    """The message text: a string, or a list of strings and ``{"text": ...}`` parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) if isinstance(p, dict) else ""
                       for p in value)
    return ""


def _entities(msg: dict[str, Any]) -> dict[str, list[str]]:
    ents = msg.get("text_entities")
    if not isinstance(ents, list):
        ents = [p for p in msg.get("text", []) if isinstance(p, dict)] if isinstance(msg.get("text"), list) else []
    out: dict[str, list[str]] = {"hashtags": [], "mentions": [], "urls": []}
    for e in ents:
        if not isinstance(e, dict):
            continue
        kind, text = e.get("type"), str(e.get("text", ""))
        if kind == "hashtag":
            out["hashtags"].append(text.lstrip("#"))
        elif kind == "cashtag":
            out["hashtags"].append("$" + text.lstrip("$").upper())
        elif kind == "mention":
            out["mentions"].append("@" + text.lstrip("@"))
        elif kind == "mention_name" and e.get("user_id") is not None:
            out["mentions"].append(f"user{e['user_id']}")
        elif kind == "link":
            out["urls"].append(text)
        elif kind == "text_link" and e.get("href"):
            out["urls"].append(str(e["href"]))
    return out


def _chats(doc: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(doc, dict):
        return
    if isinstance(doc.get("messages"), list):
        yield doc
    chats = doc.get("chats")
    if isinstance(chats, dict) and isinstance(chats.get("list"), list):
        for chat in chats["list"]:
            if isinstance(chat, dict) and isinstance(chat.get("messages"), list):
                yield chat


def message_row(chat: dict[str, Any], msg: dict[str, Any]) -> dict[str, Any]:
    """One export message as a canonical post row (see the module)."""
    chat_id = str(chat.get("id", ""))
    sender = msg.get("from_id") or (f"channel{chat_id}" if chat.get("type", "").endswith("channel") else None)
    when = msg.get("date_unixtime") or msg.get("date")
    reply = msg.get("reply_to_message_id")
    forwarded = msg.get("forwarded_from") is not None
    ents = _entities(msg)
    links = [canonical_url(u) for u in ents["urls"]]
    return {
        "post_id": f"{chat_id}:{msg.get('id')}", "account_id": sender, "created_at": when,
        "text": _text(msg.get("text")),
        "kind": "retweet" if forwarded else ("reply" if reply is not None else "original"),
        "reply_to_post_id": f"{chat_id}:{reply}" if reply is not None else None,
        "has_media": "true" if any(k in msg for k in ("photo", "file", "media_type")) else "false",
        "hashtags": ents["hashtags"], "mentions": ents["mentions"], "urls": [u for u, _ in links],
        "domains": [d or NO_DOMAIN for _, d in links],
        "author_display_name": msg.get("from"),
    }


def read_telegram(
    source: Source, batch_size: int, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[RawBatch, RawBatch]]:
    """Yield (posts, stub accounts) batches of a Telegram Desktop export."""
    if source.size > MAX_DOCUMENT_BYTES:
        from infoops.errors import SourceError

        raise SourceError(source.name, f"a Telegram export over {MAX_DOCUMENT_BYTES >> 20} MiB; "
                                       "export the chat in parts")
    with source.open() as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        from infoops.errors import SourceError

        raise SourceError(source.name, f"not a readable Telegram export ({str(exc)[:200]}); "
                                       "export again as JSON (Telegram Desktop: Export chat history)") from exc
    rows: list[dict[str, Any]] = []
    bad: list[Quarantined] = []
    seq = 0
    for chat in _chats(doc):
        for item, msg in enumerate(chat["messages"]):
            if not isinstance(msg, dict):
                bad.append(Quarantined(None, "not a message object", str(msg)[:2000], item=item))
                continue
            dump = json.dumps(msg, ensure_ascii=False)[:20000]
            if msg.get("type") != "message":
                bad.append(Quarantined(None, f"service message ({msg.get('action') or msg.get('type')}), "
                                             "not a post", dump, item=item))
                continue
            row = message_row(chat, msg)
            problem = _clean(row)
            if problem:
                bad.append(Quarantined(None, problem, dump, item=item))
                continue
            seq += 1
            row["_line"], row["_src_line"], row["_item"], row["_raw"] = seq, None, item, dump
            rows.append(row)
            if len(rows) + len(bad) >= batch_size:
                yield _tables(rows, [], bad)
                rows, bad = [], []
    if progress:
        progress(source.size)
    yield _tables(rows, [], bad)
