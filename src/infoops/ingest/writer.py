"""Write one batch of stage rows into the canonical tables, atomically.

Each batch is one transaction: its posts, entities, accounts, stub accounts,
quarantined rows and the run's counters are committed together, so a process
killed at any moment (kill -9) leaves whole batches, and a re-run skips what
is already stored (posts by primary key, entity and profile-history rows by
value). Counts reconcile per batch: ``read = stored + quarantined + duplicate``.

Account merging: a profile seen on a post carries the post's time
(``profile_seen_at``); a profile from a users file carries none and is taken
as the latest. A newer profile overwrites the fields it has; an older one only
fills gaps. Stub accounts (``is_stub``) are created for every account that
appears only inside posts (authors without a profile, retweeted, replied-to
and mentioned accounts) and are enriched when their profile arrives. A
retweet whose author is only known from the ``RT @name:`` prefix points to the
account with that screen name, resolved once the whole run is stored, by
:func:`resolve_rt_names` (see there for the rule), else to a stub whose id
is ``@name``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from infoops.ingest.entities import extract_columns
from infoops.ingest.fields import ACCOUNT_FIELDS, AUTHOR_FIELDS, Layout
from infoops.ingest.infer import drop_unused_name_stubs
from infoops.ingest.parse import literal_list
from infoops.ingest.stage import TimeRange, fallback_list_sql, q, stage_sql
from infoops.store.sql import registered, scalar


@dataclass
class Quarantined:
    """A source row that could not be parsed.

    ``last_line``: the record's last line when it spans several; ``item``: its
    0-based position in a JSON page or array.
    """

    line: int | None
    reason: str
    raw: str
    last_line: int | None = None
    item: int | None = None


@dataclass
class Part:
    """One raw Arrow table of a batch and how to read it.

    ``counted``: its rows count as rows read (False for profiles the JSON
    readers lift out of posts).
    """

    layout: Layout
    table: pa.Table
    counted: bool = True


@dataclass
class BatchCounts:
    """Rows of one batch; ``conflicting``: duplicates whose content differs from the
    post stored under the same id (counted among ``duplicate``, the first kept)."""

    read: int = 0
    stored: int = 0
    quarantined: int = 0
    duplicate: int = 0
    conflicting: int = 0
    #: what was filled in: entities read from text, made-up post ids, retweet
    #: targets inferred from text (counted over the rows staged)
    filled: dict[str, int] = field(default_factory=dict)

    def add(self, other: BatchCounts) -> None:
        self.read += other.read
        self.stored += other.stored
        self.quarantined += other.quarantined
        self.duplicate += other.duplicate
        self.conflicting += other.conflicting
        for k, v in other.filled.items():
            self.filled[k] = self.filled.get(k, 0) + v


_ACC_COLS = [f for f in ACCOUNT_FIELDS if f not in ("account_id", "is_stub")]


def write_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str,
    parts: Sequence[Part],
    quarantined: Sequence[Quarantined],
    times: TimeRange | None = None,
) -> BatchCounts:
    """Stage and store one batch; the caller wraps it in a transaction."""
    counts = BatchCounts(read=len(quarantined), quarantined=len(quarantined))
    bad = list(quarantined)
    # accounts first: authors' profiles let RT @name resolve within the batch
    ordered = sorted(parts, key=lambda p: {"accounts": 0, "posts": 1}.get(p.layout.target, 2))
    for part in ordered:
        if part.table.num_rows == 0:
            continue
        with registered(con, "_raw", part.table):
            _write_part(con, part, counts, bad, times, source)
    _quarantine(con, run_id, source, bad)
    return counts


def _write_part(con: duckdb.DuckDBPyConnection, part: Part, counts: BatchCounts,
                bad: list[Quarantined], times: TimeRange | None, source: str) -> None:
    """Stage one part (registered as ``_raw``), store its good rows, collect its bad ones."""
    filled = _stage(con, part, times, source)
    if part.counted:
        for k, v in filled.items():
            counts.filled[k] = counts.filled.get(k, 0) + v
    # profiles lifted out of posts are not rows of their own: an unreadable
    # one is dropped, the post it came with is still stored
    errors = _errors(con, part) if part.counted else []
    con.execute("DELETE FROM _stage WHERE _error IS NOT NULL")
    n_good = _scalar(con, "SELECT count(*) FROM _stage")
    if part.layout.target == "posts":
        stored, conflicting = _write_posts(con, source, part.layout.merge_rows)
        counts.conflicting += conflicting if part.counted else 0
    elif part.layout.target == "accounts":
        stored = _write_accounts(con, source)
    else:
        stored = _write_changes(con, source)
    if part.counted:
        bad.extend(errors)
        counts.read += n_good + len(errors)
        counts.quarantined += len(errors)
        counts.stored += stored
        counts.duplicate += n_good - stored
    con.execute("DROP TABLE IF EXISTS _stage")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """A count from ``sql`` (0 when it gives no row or NULL)."""
    return int(scalar(con, sql) or 0)


def _stage(con: duckdb.DuckDBPyConnection, part: Part, times: TimeRange | None = None,
           source: str = "") -> dict[str, int]:
    """Stage a part; return what was filled in (entities from text, ids, targets)."""
    table = part.table
    is_list = {name: pa.types.is_list(table.schema.field(name).type) for name in table.schema.names}
    name = Path(source).name if source else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _stage AS {stage_sql(part.layout, is_list, times, name)}")
    filled: dict[str, int] = {}
    if part.layout.target == "posts":
        if part.layout.text_entities:
            filled.update(_entities_from_text(con))
        if part.layout.post_id_from:
            n = _scalar(con, "SELECT count(*) FROM _stage WHERE _error IS NULL AND post_id LIKE "
                        + ("'h:%'" if part.layout.post_id_from == "@hash" else "'%:%'"))
            if n:
                filled[f"post ids made ({part.layout.post_id_from})"] = n
        if part.layout.text_retweets:
            filled["retweet targets inferred from text"] = _scalar(
                con, "SELECT count(*) FROM _stage WHERE _error IS NULL AND _text_key IS NOT NULL")
    for fname, _col, sql in fallback_list_sql(part.layout, is_list):
        if not _scalar(con, f"SELECT count(*) FROM _stage WHERE {q(fname)} IS NULL"):
            continue
        rows = con.execute(sql).fetchall()
        if rows:
            fix = pa.table({
                "_line": pa.array([r[0] for r in rows], pa.int64()),
                "v": pa.array([literal_list(r[1]) for r in rows], pa.list_(pa.string())),
            })
            with registered(con, "_fix", fix):
                con.execute(f"UPDATE _stage SET {q(fname)} = _fix.v FROM _fix WHERE _stage._line = _fix._line")
    return filled


#: A URL read from text whose domain is unknown on purpose (a shortener's link).
NO_DOMAIN = "-"


def _entities_from_text(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Fill hashtags, mentions, urls and domains of staged posts from their text."""
    rows = con.execute("SELECT _line, text FROM _stage WHERE _error IS NULL AND text IS NOT NULL "
                       "AND (coalesce(len(hashtags), 0) = 0 OR coalesce(len(mentions), 0) = 0 "
                       "OR coalesce(len(urls), 0) = 0)").fetchall()
    if not rows:
        return {}
    cols = extract_columns([r[1] for r in rows])
    fix = pa.table({
        "_line": pa.array([r[0] for r in rows], pa.int64()),
        "h": pa.array(cols.hashtags, pa.list_(pa.string())),
        "m": pa.array(cols.mentions, pa.list_(pa.string())),
        "u": pa.array(cols.urls, pa.list_(pa.string())),
        "d": pa.array([[d or NO_DOMAIN for d in ds] for ds in cols.domains], pa.list_(pa.string())),
    })
    # a list the source gives (CrowdTangle's link, say) stays; the text fills the others
    with registered(con, "_fix", fix):
        con.execute("UPDATE _stage SET "
                    "hashtags = CASE WHEN coalesce(len(hashtags), 0) = 0 THEN _fix.h ELSE hashtags END, "
                    "mentions = CASE WHEN coalesce(len(mentions), 0) = 0 THEN _fix.m ELSE mentions END, "
                    "domains = CASE WHEN coalesce(len(urls), 0) = 0 THEN _fix.d ELSE domains END, "
                    "urls = CASE WHEN coalesce(len(urls), 0) = 0 THEN _fix.u ELSE urls END "
                    "FROM _fix WHERE _stage._line = _fix._line")
    return {f"{k} from text": v for k, v in cols.counts.items()}


def _errors(con: duckdb.DuckDBPyConnection, part: Part) -> list[Quarantined]:
    rows = con.execute("SELECT _line, _error FROM _stage WHERE _error IS NOT NULL ORDER BY _line").fetchall()
    if not rows:
        return []
    lines = pa.table({"_line": pa.array([r[0] for r in rows], pa.int64())})
    names = [n for n in part.table.schema.names if n not in ("_line", "_src_line", "_item")]
    where = [n for n in ("_src_line", "_item") if n in part.table.schema.names]
    names = where + names
    with registered(con, "_bad", lines):
        raw = {
            r[0]: r[1:]
            for r in con.execute(
                f"SELECT _line, {', '.join(q(n) for n in names)} FROM _raw SEMI JOIN _bad USING (_line)"
            ).fetchall()
        }
    out = []
    for line, reason in rows:
        values = raw.get(line, ())
        out.append(_quarantined(names, values, line, reason))
    return out


def _quarantined(names: list[str], values: Sequence[object], line: int | None, reason: str) -> Quarantined:
    """A staged row as a quarantine record (JSON rows carry their line and page item)."""
    item = None
    if names and names[0] == "_src_line" and values:
        line, item = values[0], values[1]  # type: ignore[assignment]
    if "_raw" in names:
        text = str(values[names.index("_raw")] or "") if values else ""
    else:
        buf = io.StringIO()
        fields = [v for n, v in zip(names, values, strict=False) if n not in ("_src_line", "_item")]
        csv.writer(buf, lineterminator="").writerow(["" if v is None else v for v in fields])
        text = buf.getvalue()
    return Quarantined(int(line) if line and int(line) > 0 else None, reason, text,
                       item=int(item) if item is not None else None)  # type: ignore[call-overload]


def row_quarantine(part: Part, row: int, reason: str) -> Quarantined:
    """Row ``row`` of a raw part as a quarantine record (for a row the store refused)."""
    names = [n for n in ("_src_line", "_item") if n in part.table.schema.names]
    names += [n for n in part.table.schema.names if n not in ("_line", "_src_line", "_item")]
    one = part.table.slice(row, 1).to_pylist()[0]
    values = [one.get(n) for n in names]
    values = [", ".join(map(str, v)) if isinstance(v, list) else v for v in values]
    return _quarantined(names, values, one.get("_line"), reason)


def _quarantine(con: duckdb.DuckDBPyConnection, run_id: str, source: str, bad: Sequence[Quarantined]) -> None:
    if not bad:
        return
    t = pa.table({
        "line": pa.array([b.line for b in bad], pa.int64()),
        "last_line": pa.array([b.last_line for b in bad], pa.int64()),
        "item": pa.array([b.item for b in bad], pa.int32()),
        "reason": pa.array([b.reason for b in bad], pa.string()),
        "raw": pa.array([b.raw for b in bad], pa.string()),
    })
    # the same bad row met again (re-run) is counted again but stored once
    with registered(con, "_q", t):
        con.execute(
            "INSERT INTO quarantine (run_id, source, line, last_line, item, reason, raw) "
            "SELECT DISTINCT ?, ?, line, last_line, item, reason, raw FROM _q "
            "WHERE NOT EXISTS (SELECT 1 FROM quarantine x WHERE x.source = ? "
            "AND x.line IS NOT DISTINCT FROM _q.line AND x.item IS NOT DISTINCT FROM _q.item "
            "AND x.reason = _q.reason AND x.raw = _q.raw)",
            [run_id, source, source],
        )


# -- accounts -----------------------------------------------------------------
def _upsert_accounts(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Merge profiles (one row per account_id) from ``relation`` into accounts."""
    newer = (
        "(accounts.is_stub OR excluded.profile_seen_at IS NULL OR "
        "(accounts.profile_seen_at IS NOT NULL AND excluded.profile_seen_at >= accounts.profile_seen_at))"
    )
    sets = ", ".join(
        f"{c} = CASE WHEN {newer} THEN coalesce(excluded.{c}, accounts.{c}) "
        f"ELSE coalesce(accounts.{c}, excluded.{c}) END"
        for c in _ACC_COLS
    )
    cols = ", ".join(["account_id", *_ACC_COLS, "is_stub", "source", "profile_seen_at"])
    con.execute(
        f"INSERT INTO accounts ({cols}) SELECT {cols} FROM {relation} "
        f"ON CONFLICT (account_id) DO UPDATE SET {sets}, "
        f"profile_seen_at = CASE WHEN {newer} THEN excluded.profile_seen_at ELSE accounts.profile_seen_at END, "
        "source = coalesce(accounts.source, excluded.source), is_stub = FALSE"
    )


def _insert_stubs(con: duckdb.DuckDBPyConnection, relation: str, source: str) -> None:
    """Create stub accounts (id, optional screen name) for ids the store lacks."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _ids AS SELECT account_id, any_value(screen_name) AS screen_name "
        f"FROM {relation} WHERE account_id IS NOT NULL GROUP BY account_id"
    )
    con.execute(
        "INSERT INTO accounts (account_id, screen_name, is_stub, source) "
        "SELECT account_id, screen_name, TRUE, ? FROM _ids ANTI JOIN accounts USING (account_id)",
        [source],
    )
    con.execute(
        "UPDATE accounts SET screen_name = _ids.screen_name FROM _ids "
        "WHERE accounts.account_id = _ids.account_id AND accounts.screen_name IS NULL "
        "AND _ids.screen_name IS NOT NULL"
    )
    con.execute("DROP TABLE _ids")


def _write_accounts(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """Profiles (users files, JSON user objects); returns the rows that changed something."""
    cols = ", ".join(q(c) for c in _ACC_COLS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _acc AS SELECT account_id, {cols}, FALSE AS is_stub, "
        "? AS source, CAST(NULL AS TIMESTAMP) AS profile_seen_at, _line FROM _stage "
        "WHERE NOT coalesce(is_stub, FALSE) "
        "QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY _line DESC) = 1",
        [source],
    )
    differs = " OR ".join(f"(s.{c} IS NOT NULL AND s.{c} IS DISTINCT FROM a.{c})" for c in _ACC_COLS)
    changed = _scalar(
        con,
        "SELECT count(*) FROM _acc s LEFT JOIN accounts a USING (account_id) "
        f"WHERE a.account_id IS NULL OR a.is_stub OR {differs}",
    )
    _upsert_accounts(con, "_acc")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _stubs AS SELECT account_id, screen_name FROM _stage "
        "WHERE coalesce(is_stub, FALSE)"
    )
    _insert_stubs(con, "_stubs", source)
    return changed


# -- posts ----------------------------------------------------------------------
_POST_COLS = (
    "post_id", "account_id", "created_at", "kind", "text", "language", "client",
    "ref_post_id", "ref_account_id", "reply_to_post_id", "reply_to_account_id",
    "like_count", "retweet_count", "reply_count", "quote_count", "has_media",
    "latitude", "longitude",
)

_DOMAIN = (
    "NULLIF(regexp_replace(lower(regexp_extract(url, "
    "'^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]+)', 1)), '^www\\.', ''), '')"
)


def _write_posts(con: duckdb.DuckDBPyConnection, source: str, merge_rows: bool) -> tuple[int, int]:
    """Posts and their entities; returns the rows that stored something new, and
    the duplicates whose content differs from the post kept."""
    _write_authors(con, source)
    conflicting = _insert_new_posts(con, source, merge_rows)
    stored = _write_entities(con, merge_rows)
    _write_stubs(con, source, merge_rows)
    return stored, conflicting


def _write_authors(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Upsert the profiles that came with the staged posts (each author's latest row)."""
    authors = " OR ".join(f"author_{c} IS NOT NULL" for c in AUTHOR_FIELDS)
    # each author's latest row (time, then line; a row without a time last):
    # its line by arg_max, then the row (a third of a window over all columns)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _acc AS SELECT account_id, "
        + ", ".join(f"author_{c} AS {c}" for c in AUTHOR_FIELDS)
        + ", FALSE AS is_stub, ? AS source, created_at AS profile_seen_at FROM _stage "
        "SEMI JOIN (SELECT arg_max(_line, (created_at IS NOT NULL, created_at, _line)) AS _line "
        f"FROM _stage WHERE {authors} GROUP BY account_id) USING (_line)",
        [source],
    )
    _upsert_accounts(con, "_acc")
    # ``RT @name:`` authors are resolved once the whole run is stored
    # (resolve_rt_names): resolving now would depend on the batch order
    con.execute("UPDATE _stage SET ref_account_id = '@' || ref_screen_name "
                "WHERE ref_screen_name IS NOT NULL AND ref_account_id IS NULL")


def _insert_new_posts(con: duckdb.DuckDBPyConnection, source: str, merge_rows: bool) -> int:
    """Insert the staged posts the store lacks (as ``_new``); return the conflicting duplicates."""
    # the new posts: first occurrence in the batch, not yet in the store
    first = "SELECT * FROM _stage QUALIFY row_number() OVER (PARTITION BY post_id ORDER BY _line) = 1"
    conflicting = 0
    if not merge_rows:
        dups = _scalar(con, "SELECT count(*) - count(DISTINCT post_id) FROM _stage")
        if dups:  # a post id twice in the batch: the first row wins
            conflicting = _scalar(
                con, f"SELECT count(*) FROM _stage s JOIN ({first}) f USING (post_id) WHERE s._line <> f._line "
                f"AND {_DIFFERS}")
            con.execute("DELETE FROM _stage WHERE _line NOT IN (SELECT _line FROM (" + first + "))")
        first = "SELECT * FROM _stage"
    # ids already stored (an earlier batch or run), found by one join with the
    # store's ids: cheaper than the primary key's conflict check row by row
    # and a RETURNING list of every inserted id
    con.execute(f"CREATE OR REPLACE TEMP TABLE _old AS SELECT post_id FROM ({first}) SEMI JOIN posts USING (post_id)")
    old = _scalar(con, "SELECT count(*) FROM _old")
    cols = ", ".join(_POST_COLS)
    if old and not merge_rows:
        conflicting += _scalar(
            con, "SELECT count(*) FROM _stage s JOIN posts f USING (post_id) "
            f"WHERE s.post_id IN (SELECT post_id FROM _old) AND {_DIFFERS}")
        con.execute("DELETE FROM _stage WHERE post_id IN (SELECT post_id FROM _old)")
    if merge_rows:  # all rows feed entities; only new posts are inserted
        con.execute(f"CREATE OR REPLACE TEMP TABLE _new AS SELECT * FROM ({first}) ANTI JOIN _old USING (post_id)")
    else:  # the stage itself becomes the new posts (no copy)
        con.execute("CREATE OR REPLACE TEMP VIEW _new AS SELECT * FROM _stage")
    con.execute(f"INSERT INTO posts ({cols}, source) SELECT {cols}, ? FROM _new", [source])
    con.execute("DROP TABLE _old")
    con.execute("INSERT OR IGNORE INTO post_rt_names SELECT DISTINCT ON (post_id) post_id, ref_screen_name "
                "FROM _new WHERE ref_screen_name IS NOT NULL")
    con.execute("INSERT OR IGNORE INTO post_inferred_refs (post_id, content_key) "
                "SELECT DISTINCT ON (post_id) post_id, _text_key FROM _new WHERE _text_key IS NOT NULL")
    return conflicting


def _write_entities(con: duckdb.DuckDBPyConnection, merge_rows: bool) -> int:
    """Hashtags, mentions, media and URLs of ``_new`` (all staged rows when merging);
    returns the staged rows that stored something new."""
    entity_src = "_stage" if merge_rows else "_new"
    stored_lines = "SELECT _line FROM _new"
    specs = (
        ("post_hashtags", "tag", "hashtags", "ltrim(v, '#')"),
        # ``@name`` (from text) is a screen name, resolved after the run; a bare value is an id
        ("post_mentions", "account_id", "mentions",
         "CASE WHEN regexp_matches(v, '^[@＠][A-Za-z0-9_]{1,50}$') THEN '@' || v[2:] ELSE ltrim(v, '@') END"),
        ("post_media", "media_hash", "media", "v"),
    )
    for table, col, fld, clean in specs:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _ent AS SELECT post_id, {clean} AS v, min(_line) AS _line "
            f"FROM (SELECT post_id, _line, unnest({fld}) AS v FROM {entity_src}) "
            f"WHERE v IS NOT NULL AND {clean} <> '' GROUP BY ALL"
        )
        if merge_rows:
            con.execute(
                f"DELETE FROM _ent WHERE EXISTS (SELECT 1 FROM {table} t "
                f"WHERE t.post_id = _ent.post_id AND t.{col} = _ent.v)"
            )
            stored_lines += " UNION SELECT _line FROM _ent"
        con.execute(f"INSERT INTO {table} (post_id, {col}) SELECT post_id, v FROM _ent")
        if table == "post_mentions":
            con.execute("CREATE OR REPLACE TEMP TABLE _mentioned AS SELECT DISTINCT v FROM _ent")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _ent AS SELECT post_id, url, "
        # NO_DOMAIN: the text's URL is a shortener's; its domain says nothing
        f"CASE WHEN domain = '{NO_DOMAIN}' THEN NULL "
        f"ELSE coalesce(NULLIF(trim(domain), ''), {_DOMAIN}) END AS domain, min(_line) AS _line "
        f"FROM (SELECT post_id, _line, unnest(urls) AS url, unnest(domains) AS domain FROM {entity_src}) "
        "WHERE url IS NOT NULL AND url <> '' GROUP BY ALL"
    )
    if merge_rows:
        con.execute(
            "DELETE FROM _ent WHERE EXISTS (SELECT 1 FROM post_urls t "
            "WHERE t.post_id = _ent.post_id AND t.url = _ent.url)"
        )
        stored_lines += " UNION SELECT _line FROM _ent"
    con.execute("INSERT INTO post_urls (post_id, url, domain) SELECT post_id, url, domain FROM _ent")
    stored = _scalar(con, f"SELECT count(*) FROM ({stored_lines})")
    return stored


def _write_stubs(con: duckdb.DuckDBPyConnection, source: str, merge_rows: bool) -> None:
    """Stub accounts for authors, targets and mentions without a profile; drop the batch's temp tables."""
    # stubs: authors without a profile, retweeted / quoted, replied-to, mentioned
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _stubs AS "
        "SELECT account_id, NULL AS screen_name FROM _new "
        "UNION ALL SELECT ref_account_id, CASE WHEN starts_with(ref_account_id, '@') "
        "  THEN ref_account_id[2:] END FROM _new "
        "UNION ALL SELECT reply_to_account_id, NULL FROM _new "
        "UNION ALL SELECT v, CASE WHEN starts_with(v, '@') THEN v[2:] END FROM _mentioned"
    )
    _insert_stubs(con, "_stubs", source)
    con.execute("DROP VIEW IF EXISTS _new" if not merge_rows else "DROP TABLE _new")
    for t in ("_ent", "_mentioned", "_stubs", "_acc"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


#: Two rows of one post id differ in content (author, time or text).
_DIFFERS = ("(s.account_id IS DISTINCT FROM f.account_id OR s.created_at IS DISTINCT FROM f.created_at "
            "OR s.text IS DISTINCT FROM f.text)")


def resolve_rt_names(con: duckdb.DuckDBPyConnection) -> int:
    """Point ``RT @name:`` retweets at the account with that screen name; return the ambiguous ones.

    Runs after every ingest over every such retweet in the store
    (``post_rt_names``), so the result depends on what the store holds, not
    on the order files or batches came in. The rule, case-insensitive on the
    name:

    1. an account with that screen name that the retweet's own mentions name
       (the smallest id if several);
    2. else the only account with that screen name;
    3. else the only one that has a profile (not a stub);
    4. else the stub ``@name``: none is known, or several are and nothing
       tells them apart (*ambiguous*, counted and reported).
    """
    if not _scalar(con, "SELECT count(*) FROM post_rt_names"):
        return 0
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _rt AS
        WITH cand AS (
            SELECT r.post_id, a.account_id, a.is_stub
            FROM post_rt_names r JOIN accounts a
              ON lower(a.screen_name) = lower(r.screen_name) AND NOT starts_with(a.account_id, '@')
        ), agg AS (
            SELECT post_id, count(*) AS n, count(*) FILTER (WHERE NOT is_stub) AS n_profile,
                   min(account_id) AS only_one, min(account_id) FILTER (WHERE NOT is_stub) AS only_profile
            FROM cand GROUP BY post_id
        ), mentioned AS (
            SELECT c.post_id, min(c.account_id) AS account_id
            FROM cand c JOIN post_mentions m ON m.post_id = c.post_id AND m.account_id = c.account_id
            GROUP BY c.post_id
        )
        SELECT r.post_id, '@' || r.screen_name AS stub,
               coalesce(m.account_id,
                        CASE WHEN g.n = 1 THEN g.only_one WHEN g.n_profile = 1 THEN g.only_profile END,
                        '@' || r.screen_name) AS account_id,
               m.account_id IS NULL AND g.n > 1 AND coalesce(g.n_profile, 0) <> 1 AS ambiguous
        FROM post_rt_names r LEFT JOIN agg g USING (post_id) LEFT JOIN mentioned m USING (post_id)
    """)
    ambiguous = _scalar(con, "SELECT count(*) FROM _rt WHERE ambiguous")
    con.execute("UPDATE posts SET ref_account_id = _rt.account_id FROM _rt "
                "WHERE posts.post_id = _rt.post_id AND posts.ref_account_id IS DISTINCT FROM _rt.account_id")
    con.execute("INSERT INTO accounts (account_id, screen_name, is_stub, source) "
                "SELECT DISTINCT account_id, account_id[2:], TRUE, NULL FROM _rt "
                "WHERE starts_with(account_id, '@') AND account_id NOT IN (SELECT account_id FROM accounts)")
    drop_unused_name_stubs(con)
    con.execute("DROP TABLE _rt")
    return ambiguous


# -- profile history ------------------------------------------------------------
def _write_changes(con: duckdb.DuckDBPyConnection, source: str) -> int:
    cols = ("account_id", "changed_at", "field", "old_value", "new_value")
    same = " AND ".join(f"p.{c} IS NOT DISTINCT FROM s.{c}" for c in cols)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _new AS SELECT DISTINCT ON ({', '.join(cols)}) * FROM _stage s "
        f"WHERE NOT EXISTS (SELECT 1 FROM profile_changes p WHERE {same}) ORDER BY _line"
    )
    con.execute(f"INSERT INTO profile_changes ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _new")
    stored = _scalar(con, "SELECT count(*) FROM _new")
    con.execute("CREATE OR REPLACE TEMP TABLE _stubs AS SELECT DISTINCT account_id, NULL AS screen_name FROM _stage")
    _insert_stubs(con, "_stubs", source)
    con.execute("DROP TABLE _new")
    con.execute("DROP TABLE _stubs")
    return stored
