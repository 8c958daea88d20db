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

import fnmatch
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
    post_id_from: how to make a post id when the source has none: ``@hash``
        (a stable hash of account, time and text, so re-ingesting the same
        file stores nothing new) or ``@row`` (file name and line).
    entities_from_text: read hashtags, cashtags, mentions and URLs from the
        post text (:mod:`infoops.ingest.entities`); None: on when the layout
        maps text but no entity column.
    infer_retweets: give retweets without a retweeted-post id a content id
        from their normalised text (:mod:`infoops.ingest.infer`); None: on
        when the layout maps text but no retweeted-post column.
    fallback: field -> column used when the mapped column is absent (file
        variants of one layout, e.g. the IRA files with and without ids).
    """

    name: str
    target: str
    mapping: Mapping[str, str]
    constants: Mapping[str, str] = field(default_factory=dict)
    merge_rows: bool = False
    positional: tuple[str, ...] = ()
    post_id_from: str | None = None
    entities_from_text: bool | None = None
    infer_retweets: bool | None = None
    fallback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def text_entities(self) -> bool:
        """Whether entities are read from the text (the ``None`` default resolved)."""
        if self.target != "posts" or "text" not in self.mapping:
            return False
        if self.entities_from_text is not None:
            return self.entities_from_text
        return not any(f in self.mapping for f in ("hashtags", "urls", "mentions", "domains"))

    @property
    def text_retweets(self) -> bool:
        """Whether retweet targets are inferred from text (the ``None`` default resolved)."""
        if self.target != "posts" or "text" not in self.mapping:
            return False
        if self.infer_retweets is not None:
            return self.infer_retweets
        return not any(f in self.mapping for f in ("retweet_post_id", "ref_post_id"))

    def check(self, columns: Iterable[str], source: str) -> None:
        """Raise :class:`MappingError` when the source lacks a mapped column."""
        fields = TARGET_FIELDS[self.target]
        unknown = sorted(set(self.mapping) - set(fields))
        post_only = sorted(u for u in unknown if u in POST_FIELDS)
        if unknown and self.target == "accounts" and post_only:
            raise MappingError(
                f"{source}: field(s) {', '.join(post_only)} are post fields, but the mapping names no "
                "post_id, so it was read as a profiles (accounts) file; add --map post_id=COLUMN, "
                "or --map post_id=@hash (a stable hash of account, time and text) when the file has "
                "no post ids"
            )
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
        lacking = [f for f in REQUIRED[self.target] if f not in self.mapping and f not in self.constants
                   and not (f == "post_id" and self.post_id_from)]
        if lacking:
            raise MappingError(
                f"{source}: the mapping lacks required field(s) {', '.join(lacking)} "
                f"for {self.target}; add --map {lacking[0]}=COLUMN"
                + (" (or --map post_id=@hash when the file has no post ids)" if "post_id" in lacking else "")
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
# FiveThirtyEight's IRA tweets (Linvill & Warren, Clemson, 2018) and the copies
# researchers pass around without ids (author, content, ..., post_type, retweet)
_FTE_IRA = {
    "post_id": "tweet_id", "account_id": "alt_external_id", "author_screen_name": "author",
    "text": "content", "language": "language", "created_at": "publish_date",
    "author_following": "following", "author_followers": "followers",
    "author_statuses_count": "updates", "author_location": "region", "kind": "post_type",
    "is_retweet": "retweet",
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
    # FiveThirtyEight / Clemson IRA tweets: no entity columns, no retweeted-post id,
    # retweet text without ``RT @name:``; without tweet_id / external_author_id
    # (copies that dropped them) the post id is hashed and the author's name is the id.
    "fivethirtyeight-ira": Layout(
        "fivethirtyeight-ira", "posts", _FTE_IRA, post_id_from="@hash",
        # external_author_id is the real id rounded by a spreadsheet in many rows
        fallback={"account_id": ("external_author_id", "author")},
    ),
    # CrowdTangle's CSV export of Facebook / Instagram posts: the post's URL is its id,
    # times carry a zone abbreviation (EST), hashtags only in the message text
    "crowdtangle": Layout(
        "crowdtangle", "posts",
        {"post_id": "URL", "account_id": "Facebook Id", "author_screen_name": "User Name",
         "author_display_name": "Page Name", "author_followers": "Followers at Posting",
         "author_description": "Page Description", "author_created_at": "Page Created",
         "created_at": "Post Created", "text": "Message", "urls": "Final Link",
         "like_count": "Likes", "reply_count": "Comments", "retweet_count": "Shares"},
        entities_from_text=True, infer_retweets=False, fallback={"urls": ("Link",)},
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
JSON_FORMATS = ("twitter-json", "telegram-json")
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
    if {"author", "content", "publish_date"} <= h:
        return only_present(PRESETS["fivethirtyeight-ira"], h)
    if {"Facebook Id", "Post Created", "URL"} <= h:
        return only_present(PRESETS["crowdtangle"], h)
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
    """Drop optional mapped columns a file variant lacks (matched by name), or use
    the layout's fallback column for the field."""
    mapping = {}
    for k, v in layout.mapping.items():
        if v in have:
            mapping[k] = v
        else:
            alt = next((c for c in layout.fallback.get(k, ()) if c in have), None)
            if alt is not None:
                mapping[k] = alt
    return replace(layout, mapping=mapping)


def custom_layout(
    mapping: Mapping[str, str], base: Layout | None = None, *, target: str | None = None
) -> Layout:
    """A layout from a user mapping, optionally on top of a preset.

    ``mapping`` may hold the options ``target`` (posts | accounts |
    profile_changes), ``merge_rows``, ``kind`` (a constant post kind),
    ``entities_from_text`` and ``infer_retweets`` (true | false), and
    ``post_id = "@hash"`` or ``"@row"`` (make ids for a source without them).
    A mapping with post fields (text, retweet ids, ...) but no ``post_id``
    reads posts with hashed ids, never profiles.
    """
    m = dict(mapping)
    opts_target = m.pop("target", None) or target
    merge = _flag(m.pop("merge_rows", "false"), "merge_rows")
    text_ents = _opt_flag(m.pop("entities_from_text", None), "entities_from_text")
    infer = _opt_flag(m.pop("infer_retweets", None), "infer_retweets")
    id_from = None
    if str(m.get("post_id", "")).startswith("@"):
        id_from = m.pop("post_id")
        if id_from not in ("@hash", "@row"):
            raise MappingError(f"post_id={id_from}: use a column, @hash (account, time, text) or @row")
    if (base is None and opts_target is None and "post_id" not in m and id_from is None
            and any(f in POST_FIELDS and f not in ACCOUNT_FIELDS for f in m)):
        id_from = "@hash"  # post fields without ids: hash them, say so in the counts
    constants: dict[str, str] = dict(base.constants) if base else {}
    kind = m.get("kind")
    if kind in ("original", "retweet", "quote", "reply"):
        constants["kind"] = m.pop("kind")
    opts = {"entities_from_text": text_ents, "infer_retweets": infer}
    if base is not None:
        extra = {k: v for k, v in opts.items() if v is not None}
        return replace(base, name=f"{base.name}+map", mapping={**base.mapping, **m},
                       constants=constants, merge_rows=base.merge_rows or merge,
                       post_id_from=id_from or base.post_id_from, **extra)  # type: ignore[arg-type]
    if opts_target is None:
        if "post_id" in m or id_from:
            opts_target = "posts"
        elif "field" in m and "changed_at" in m:
            opts_target = "profile_changes"
        elif "account_id" in m:
            opts_target = "accounts"
        else:
            raise MappingError("the mapping names no post_id or account_id; add --map post_id=COLUMN")
    if opts_target not in TARGET_FIELDS:
        raise MappingError(f"unknown mapping target {opts_target!r}; use posts, accounts or profile_changes")
    return Layout("mapped", opts_target, m, constants=constants, merge_rows=merge,
                  post_id_from=id_from if opts_target == "posts" else None,
                  entities_from_text=text_ents, infer_retweets=infer)


def _flag(value: object, name: str) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise MappingError(f"{name} = {value!r}: expected true or false")


def _opt_flag(value: object, name: str) -> bool | None:
    return None if value is None else _flag(value, name)


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
    """Read a TOML mapping: ``field = "column"`` pairs, optionally under ``[mapping]``.

    Per-file sections (``[files."GLOB"]``) are left out; :func:`load_mapping_spec`
    reads them too.
    """
    return _default_table(_read_toml(Path(path)), Path(path))


def _read_toml(p: Path) -> dict[str, object]:
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"{p}: no such mapping file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{p}: not a valid TOML mapping ({exc}); write field = \"column\" lines") from exc


@dataclass(frozen=True)
class MappingSpec:
    """Mappings per file: ``files`` is (glob, format or None, mapping) in file order;
    ``default`` applies to files no glob matches (``{}``: read by detection)."""

    default: Mapping[str, str] = field(default_factory=dict)
    default_format: str | None = None
    files: tuple[tuple[str, str | None, Mapping[str, str]], ...] = ()

    def for_source(self, name: str) -> tuple[str | None, dict[str, str] | None, str | None]:
        """(format, mapping, glob that matched) for a source; the first matching glob wins.

        A glob matches the file's name or its whole path (``*tweets*.csv``,
        ``data/*/users.csv``).
        """
        base = Path(name).name
        for glob, fmt, mapping in self.files:
            if fnmatch.fnmatch(base, glob) or fnmatch.fnmatch(name, glob):
                return fmt, dict(mapping) or None, glob
        return self.default_format, dict(self.default) or None, None


def load_mapping_spec(path: str | Path) -> MappingSpec:
    """Read a TOML mapping with optional per-file sections.

    ```toml
    [mapping]                      # files no section below matches (optional)
    post_id = "id"
    [files."*tweets*.csv"]         # a glob on the file name (or path)
    format = "fivethirtyeight-ira" # optional: a preset, mapped on top of
    post_id = "@hash"
    [files."users*.csv"]
    format = "twitter-users"
    ```
    """
    p = Path(path)
    data = _read_toml(p)
    files = data.get("files", {})
    if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
        raise MappingError(f'{p}: [files."GLOB"] sections must be tables of field = "column"')
    default = _default_table(data, p)
    default_format = default.pop("format", None)
    sections = []
    for glob, table in files.items():
        m = {str(k): str(v) for k, v in table.items() if not isinstance(v, dict)}
        fmt = m.pop("format", None)
        if fmt is not None and fmt not in ALL_FORMATS:
            raise MappingError(f'{p}: [files."{glob}"] format = {fmt!r}; formats are: {", ".join(ALL_FORMATS)}')
        sections.append((str(glob), fmt, m))
    return MappingSpec(default, default_format, tuple(sections))


def _default_table(data: dict[str, object], p: Path) -> dict[str, str]:
    table = data.get("mapping", data)
    if not isinstance(table, dict):
        raise MappingError(f"{p}: [mapping] must be a table of field = \"column\"")
    out = {str(k): str(v) for k, v in table.items() if not isinstance(v, dict)}
    for k, v in data.items():  # top-level options next to a [mapping] table
        if k not in ("mapping", "files") and not isinstance(v, dict):
            out.setdefault(str(k), str(v))
    return out


def mapping_for(path: str | Path | None, maps: Mapping[str, str]) -> dict[str, str] | MappingSpec | None:
    """The mapping of one ``ingest`` call: a ``--mapping`` file (with per-file
    sections, a :class:`MappingSpec`) and ``--map`` pairs on top of every part of it."""
    if path is None:
        return dict(maps) or None
    spec = load_mapping_spec(path)
    if not spec.files:
        return {**spec.default, **maps} or None
    return MappingSpec(
        {**spec.default, **maps} if (spec.default or maps) else {}, spec.default_format,
        tuple((g, f, {**m, **maps}) for g, f, m in spec.files),
    )
