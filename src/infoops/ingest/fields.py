"""Canonical fields, column mappings and the named presets.

A *mapping* says which source column holds which canonical field
(``{"post_id": "tweetid", ...}``). Every tabular source — IO-archive CSVs,
CooRTweet and coordination-network-toolkit files, users files, any CSV or
Parquet a researcher holds, and the rows the JSON readers build — goes
through a mapping into one of three targets:

- ``posts``: one row per post (or, with ``merge_rows``, one row per post *and*
  entity, as in CooRTweet's long ``german_elections`` layout);
- ``accounts``: one row per profile;
- ``profile_changes``: one row per profile-history event.

Field kinds decide how the text is parsed (see :mod:`infoops.ingest.parse`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from infoops.errors import MappingError
from infoops.ioarchive import PROFILE_CHANGE_COLUMNS

# field -> kind ("id", "text", "int", "float", "bool", "time", "list", "kind")
POST_FIELDS: dict[str, str] = {
    "post_id": "id", "account_id": "id", "created_at": "time", "text": "text",
    "language": "text", "client": "text", "kind": "kind", "is_retweet": "bool",
    "retweet_post_id": "id", "retweet_account_id": "id", "quoted_post_id": "id",
    "ref_post_id": "id", "ref_account_id": "id",
    "reply_to_post_id": "id", "reply_to_account_id": "id",
    "like_count": "int", "retweet_count": "int", "reply_count": "int", "quote_count": "int",
    "has_media": "bool", "latitude": "float", "longitude": "float",
    "hashtags": "list", "urls": "list", "domains": "list", "mentions": "list",
    "media": "list",
    # the author's profile as seen on the post (IO-archive tweets, JSON)
    "author_screen_name": "text", "author_display_name": "text",
    "author_created_at": "time", "author_followers": "int", "author_following": "int",
    "author_language": "text", "author_location": "text", "author_description": "text",
    "author_profile_url": "text", "author_verified": "bool", "author_statuses_count": "int",
}
ACCOUNT_FIELDS: dict[str, str] = {
    "account_id": "id", "screen_name": "text", "display_name": "text", "created_at": "time",
    "followers": "int", "following": "int", "language": "text", "location": "text",
    "description": "text", "profile_url": "text", "verified": "bool", "statuses_count": "int",
    "is_stub": "bool",
}
CHANGE_FIELDS: dict[str, str] = {
    "account_id": "id", "changed_at": "time", "field": "text",
    "old_value": "text", "new_value": "text",
}
TARGET_FIELDS = {"posts": POST_FIELDS, "accounts": ACCOUNT_FIELDS, "profile_changes": CHANGE_FIELDS}
REQUIRED = {
    "posts": ("post_id", "account_id", "created_at"),
    "accounts": ("account_id",),
    "profile_changes": ("account_id", "field"),
}
#: Account columns filled from ``author_*`` post fields.
AUTHOR_FIELDS = tuple(f for f in ACCOUNT_FIELDS if f not in ("account_id", "is_stub"))


@dataclass(frozen=True)
class Layout:
    """How to read one tabular source: target table, mapping, options.

    Attributes
    ----------
    name: preset or format name, recorded in ``ingest_runs.format``.
    target: ``posts``, ``accounts`` or ``profile_changes``.
    mapping: canonical field -> source column.
    constants: canonical field -> constant value (e.g. ``kind = "retweet"``).
    merge_rows: several rows per post, each adding entities (long layouts).
    positional: source columns are named by position (the header row is
        skipped, as coordination-network-toolkit does).
    """

    name: str
    target: str
    mapping: Mapping[str, str]
    constants: Mapping[str, str] = field(default_factory=dict)
    merge_rows: bool = False
    positional: tuple[str, ...] = ()

    def check(self, columns: Iterable[str], source: str) -> None:
        """Raise :class:`MappingError` when the source lacks a mapped column."""
        fields = TARGET_FIELDS[self.target]
        unknown = sorted(set(self.mapping) - set(fields))
        if unknown:
            raise MappingError(
                f"{source}: unknown field(s) {', '.join(unknown)} for {self.target}; "
                f"fields are: {', '.join(fields)}"
            )
        have = set(columns)
        missing = sorted(c for c in self.mapping.values() if c not in have)
        if missing:
            raise MappingError(
                f"{source}: mapped column(s) {', '.join(missing)} not in the header "
                f"({', '.join(list(columns)[:12])}); fix the mapping (--map field=column)"
            )
        lacking = [f for f in REQUIRED[self.target] if f not in self.mapping and f not in self.constants]
        if lacking:
            raise MappingError(
                f"{source}: the mapping lacks required field(s) {', '.join(lacking)} "
                f"for {self.target}; add --map {lacking[0]}=COLUMN"
            )


_IO_TWEETS = {
    "post_id": "tweetid", "account_id": "userid", "created_at": "tweet_time",
    "text": "tweet_text", "language": "tweet_language", "client": "tweet_client_name",
    "reply_to_post_id": "in_reply_to_tweetid", "reply_to_account_id": "in_reply_to_userid",
    "quoted_post_id": "quoted_tweet_tweetid", "is_retweet": "is_retweet",
    "retweet_account_id": "retweet_userid", "retweet_post_id": "retweet_tweetid",
    "latitude": "latitude", "longitude": "longitude", "quote_count": "quote_count",
    "reply_count": "reply_count", "like_count": "like_count", "retweet_count": "retweet_count",
    "hashtags": "hashtags", "urls": "urls", "mentions": "user_mentions",
    "author_screen_name": "user_screen_name", "author_display_name": "user_display_name",
    "author_location": "user_reported_location", "author_description": "user_profile_description",
    "author_profile_url": "user_profile_url", "author_followers": "follower_count",
    "author_following": "following_count", "author_created_at": "account_creation_date",
    "author_language": "account_language",
}
_IO_USERS = {
    "account_id": "userid", "display_name": "user_display_name", "screen_name": "user_screen_name",
    "location": "user_reported_location", "description": "user_profile_description",
    "profile_url": "user_profile_url", "followers": "follower_count",
    "following": "following_count", "created_at": "account_creation_date",
    "language": "account_language",
}
_CNT_COLUMNS = ("message_id", "user_id", "username", "repost_id", "reply_id", "message",
                "timestamp", "urls")

#: Named layouts (``--format NAME``). Auto-detection picks among the same.
PRESETS: dict[str, Layout] = {
    "ioarchive-tweets": Layout("ioarchive-tweets", "posts", _IO_TWEETS),
    "ioarchive-users": Layout("ioarchive-users", "accounts", _IO_USERS),
    "profile-changes": Layout(
        "profile-changes", "profile_changes",
        {"account_id": "userid", "changed_at": "changed_at", "field": "field",
         "old_value": "old_value", "new_value": "new_value"},
    ),
    # CooRTweet: object = the reposted post, content = the repost, unix seconds.
    "coortweet": Layout(
        "coortweet", "posts",
        {"post_id": "content_id", "account_id": "account_id",
         "retweet_post_id": "object_id", "created_at": "timestamp_share"},
        constants={"kind": "retweet"},
    ),
    # CooRTweet's multi-modal layout (german_elections): one row per post and entity.
    "coortweet-multi": Layout(
        "coortweet-multi", "posts",
        {"post_id": "post_id", "account_id": "account_id", "created_at": "timestamp",
         "urls": "url_id", "domains": "domain_id", "hashtags": "hashtag_id", "media": "phash_id"},
        merge_rows=True,
    ),
    # coordination-network-toolkit's CSV: 8 columns in this order, header skipped.
    "cnt": Layout(
        "cnt", "posts",
        {"post_id": "message_id", "account_id": "user_id", "author_screen_name": "username",
         "retweet_post_id": "repost_id", "reply_to_post_id": "reply_id", "text": "message",
         "created_at": "timestamp", "urls": "urls"},
        positional=_CNT_COLUMNS,
    ),
    # R packages' (rtweet / hongkongio) IO-archive users layout.
    "hkio-users": Layout(
        "hkio-users", "accounts",
        {"account_id": "user_id", "display_name": "name", "screen_name": "screen_name",
         "location": "location", "description": "description", "profile_url": "profile_url",
         "followers": "followers_count", "following": "following_count",
         "created_at": "account_created_at", "language": "account_lang"},
    ),
    # Twitter v1.1 user objects flattened to CSV (NBC IRA users, Cresci 2017).
    "twitter-users": Layout(
        "twitter-users", "accounts",
        {"account_id": "id", "screen_name": "screen_name", "display_name": "name",
         "created_at": "created_at", "followers": "followers_count",
         "following": "friends_count", "language": "lang", "location": "location",
         "description": "description", "profile_url": "url", "verified": "verified",
         "statuses_count": "statuses_count"},
    ),
}

#: Formats that are not tabular layouts.
JSON_FORMATS = ("twitter-json",)
ALL_FORMATS = tuple(PRESETS) + JSON_FORMATS


def preset(name: str) -> Layout:
    """The named preset; :class:`MappingError` lists the names if unknown."""
    try:
        return PRESETS[name]
    except KeyError:
        raise MappingError(
            f"unknown format {name!r}; formats are: {', '.join(ALL_FORMATS)}"
        ) from None


def layout_for_header(header: Iterable[str]) -> Layout | None:
    """Recognise a tabular layout from its column names (not the file name)."""
    cols = [c.strip() for c in header]
    h = set(cols)
    if set(PROFILE_CHANGE_COLUMNS) <= h:
        return PRESETS["profile-changes"]
    if {"tweetid", "userid", "tweet_time"} <= h:
        return only_present(PRESETS["ioarchive-tweets"], h)
    if {"userid", "user_screen_name"} <= h:
        return only_present(PRESETS["ioarchive-users"], h)
    if {"object_id", "account_id", "content_id", "timestamp_share"} <= h:
        return PRESETS["coortweet"]
    if {"account_id", "post_id", "timestamp"} <= h and h & {"url_id", "hashtag_id", "domain_id", "phash_id"}:
        return only_present(PRESETS["coortweet-multi"], h)
    if tuple(cols) == _CNT_COLUMNS:
        return PRESETS["cnt"]
    if {"user_id", "screen_name", "account_created_at"} <= h:
        return only_present(PRESETS["hkio-users"], h)
    if {"id", "screen_name", "followers_count", "created_at"} <= h:
        return only_present(PRESETS["twitter-users"], h)
    return None


def is_truth_header(header: Iterable[str]) -> bool:
    """A simulator ground-truth file (``userid,operation,role,group``)."""
    return {"userid", "operation", "role"} <= {c.strip() for c in header}


def only_present(layout: Layout, have: set[str]) -> Layout:
    """Drop optional mapped columns a file variant lacks (matched by name)."""
    mapping = {k: v for k, v in layout.mapping.items() if v in have}
    return replace(layout, mapping=mapping)


def custom_layout(
    mapping: Mapping[str, str], base: Layout | None = None, *, target: str | None = None
) -> Layout:
    """A layout from a user mapping, optionally on top of a preset.

    ``mapping`` may hold the options ``target`` (posts | accounts |
    profile_changes), ``merge_rows`` and ``kind`` (a constant post kind).
    """
    m = dict(mapping)
    opts_target = m.pop("target", None) or target
    merge = str(m.pop("merge_rows", "false")).lower() in ("true", "1", "yes")
    constants: dict[str, str] = dict(base.constants) if base else {}
    kind = m.get("kind")
    if kind in ("original", "retweet", "quote", "reply"):
        constants["kind"] = m.pop("kind")
    if base is not None:
        return replace(base, name=f"{base.name}+map", mapping={**base.mapping, **m},
                       constants=constants, merge_rows=base.merge_rows or merge)
    if opts_target is None:
        if "post_id" in m:
            opts_target = "posts"
        elif "field" in m and "changed_at" in m:
            opts_target = "profile_changes"
        elif "account_id" in m:
            opts_target = "accounts"
        else:
            raise MappingError("the mapping names no post_id or account_id; add --map post_id=COLUMN")
    if opts_target not in TARGET_FIELDS:
        raise MappingError(f"unknown mapping target {opts_target!r}; use posts, accounts or profile_changes")
    return Layout("mapped", opts_target, m, constants=constants, merge_rows=merge)


def parse_map_options(items: Iterable[str]) -> dict[str, str]:
    """``["post_id=id", ...]`` (from ``--map``) as a dict."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise MappingError(f"--map {item!r}: expected field=column, e.g. --map post_id=tweet_id")
        out[key.strip()] = value.strip()
    return out


def load_mapping_file(path: str | Path) -> dict[str, str]:
    """Read a TOML mapping: ``field = "column"`` pairs, optionally under ``[mapping]``."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"{p}: no such mapping file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{p}: not a valid TOML mapping ({exc}); write field = \"column\" lines") from exc
    table = data.get("mapping", data)
    if not isinstance(table, dict):
        raise MappingError(f"{p}: [mapping] must be a table of field = \"column\"")
    out = {str(k): str(v) for k, v in table.items() if not isinstance(v, dict)}
    for k, v in data.items():  # top-level options next to a [mapping] table
        if k != "mapping" and not isinstance(v, dict):
            out.setdefault(str(k), str(v))
    return out
