"""What a source leaves out, inferred and marked as inferred.

Researchers' files often lack what the traces need. Three inferences fill
the gaps, each recorded so that the evidence can say it was inferred:

- **post ids** (:func:`post_id_sql`): a stable hash of (account, time,
  text), so re-ingesting the same file stores nothing new; or the file name
  and line (``--map post_id=@row``).
- **retweet targets** (:func:`text_key_sql`, :func:`resolve_text_retweets`):
  a retweet without a retweeted-post id gets, as its target, a *content id*
  from its normalised text (``RT @name:`` prefix, URLs and a trailing
  ellipsis removed, case and spaces folded; at least
  :data:`MIN_TEXT_CHARS` characters, since short texts such as "lol" say
  nothing about which post was retweeted). Retweets of one text then share a
  target, as retweets of one post do (the object of co-retweet,
  Pacheco et al. ICWSM 2021). Where the store holds an original post with that
  text, posted no later than the retweet, the retweet is linked to it (the
  earliest; one whose author has the ``RT @name`` screen name first) and to
  its author. Rows are kept in ``post_inferred_refs``.
- **mentions** read from text are screen names (``@name``); once the run is
  stored they point to the account with that screen name when one is known
  (:func:`resolve_mention_names`).

Both resolutions run over the whole store after every ingest, so the result
does not depend on the order in which files came.
"""

from __future__ import annotations

import duckdb

from infoops.store.sql import first_row

#: Shortest normalised text that may stand for a retweeted post.
MIN_TEXT_CHARS = 12
#: Prefix of the content ids of retweet targets inferred from text.
CONTENT_ID_PREFIX = "text:"


def post_id_sql(method: str, account: str, created: str, text: str, line: str, source: str) -> str:
    """SQL for a made-up post id: ``@hash`` (``h:`` + 24 hex digits of MD5 over
    account, time and text) or ``@row`` (``FILE:LINE``)."""
    if method == "@row":
        return f"{source} || ':' || CAST({line} AS VARCHAR)"
    parts = " || chr(31) || ".join(
        f"coalesce(CAST({c} AS VARCHAR), '')" for c in (account, created, text))
    return f"'h:' || left(md5({parts}), 24)"


def normalised_text_sql(col: str) -> str:
    """SQL: the text a retweet and its original share (see the module)."""
    t = f"nfc_normalize(coalesce({col}, ''))"
    t = f"regexp_replace({t}, '^RT @[A-Za-z0-9_]{{1,50}}:\\s*', '')"
    t = f"regexp_replace({t}, 'https?://\\S+', ' ', 'g')"
    t = f"regexp_replace(trim({t}), '(…|\\.\\.\\.)$', '')"
    return f"trim(regexp_replace(lower({t}), '\\s+', ' ', 'g'))"


def text_key_sql(col: str) -> str:
    """SQL: the content key of a text (MD5 of the normalised text, first 24 hex
    digits), NULL when it is shorter than :data:`MIN_TEXT_CHARS`."""
    n = normalised_text_sql(col)
    return f"CASE WHEN length({n}) >= {MIN_TEXT_CHARS} THEN left(md5({n}), 24) END"


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = first_row(con.execute(sql))
    return int(row[0]) if row and row[0] is not None else 0


def resolve_text_retweets(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Link retweets with an inferred target to the original post of that text.

    Returns (retweets with an inferred target, of which linked to a stored
    original). A retweet with no such original keeps the content id
    ``text:KEY`` as its target.
    """
    if not _scalar(con, "SELECT count(*) FROM post_inferred_refs"):
        return 0, 0
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _orig AS
        SELECT p.post_id, p.account_id, p.created_at, lower(a.screen_name) AS screen_name,
               {text_key_sql('p.text')} AS content_key
        FROM posts p LEFT JOIN accounts a USING (account_id)
        WHERE p.kind = 'original' AND p.text IS NOT NULL
          AND {text_key_sql('p.text')} IN (SELECT content_key FROM post_inferred_refs)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _link AS
        SELECT r.post_id, o.post_id AS orig, o.account_id AS author
        FROM post_inferred_refs r
        JOIN posts p ON p.post_id = r.post_id
        LEFT JOIN post_rt_names n ON n.post_id = r.post_id
        JOIN _orig o ON o.content_key = r.content_key AND o.created_at <= p.created_at
                     AND o.post_id <> r.post_id
        QUALIFY row_number() OVER (
            PARTITION BY r.post_id
            ORDER BY (o.screen_name IS NOT DISTINCT FROM lower(n.screen_name)) DESC,
                     o.created_at, o.post_id) = 1
    """)
    con.execute("UPDATE post_inferred_refs SET linked_post_id = NULL WHERE linked_post_id IS NOT NULL "
                "AND post_id NOT IN (SELECT post_id FROM _link)")
    con.execute("UPDATE post_inferred_refs SET linked_post_id = _link.orig FROM _link "
                "WHERE post_inferred_refs.post_id = _link.post_id "
                "AND post_inferred_refs.linked_post_id IS DISTINCT FROM _link.orig")
    con.execute(f"""
        UPDATE posts SET ref_post_id = coalesce(l.orig, '{CONTENT_ID_PREFIX}' || r.content_key),
                         ref_account_id = coalesce(l.author, posts.ref_account_id)
        FROM post_inferred_refs r LEFT JOIN _link l USING (post_id)
        WHERE posts.post_id = r.post_id
          AND (posts.ref_post_id IS DISTINCT FROM coalesce(l.orig, '{CONTENT_ID_PREFIX}' || r.content_key)
               OR (l.author IS NOT NULL AND posts.ref_account_id IS DISTINCT FROM l.author))
    """)
    # the author of a linked original is known: the RT @name rule must not overwrite it
    con.execute("DELETE FROM post_rt_names WHERE post_id IN (SELECT post_id FROM _link)")
    total = _scalar(con, "SELECT count(*) FROM post_inferred_refs")
    linked = _scalar(con, "SELECT count(*) FROM post_inferred_refs WHERE linked_post_id IS NOT NULL")
    con.execute("DROP TABLE _orig")
    con.execute("DROP TABLE _link")
    return total, linked


def resolve_mention_names(con: duckdb.DuckDBPyConnection) -> int:
    """Point ``@name`` mentions at the account with that screen name; return how many.

    Case-insensitive on the name; the only account with it, else the only
    one with a profile. Otherwise the mention stays ``@name`` (a stub
    account), and is tried again after the next ingest.
    """
    if not _scalar(con, "SELECT count(*) FROM post_mentions WHERE starts_with(account_id, '@')"):
        return 0
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _mn AS
        WITH names AS (SELECT DISTINCT account_id AS stub FROM post_mentions
                       WHERE starts_with(account_id, '@')),
        cand AS (
            SELECT n.stub, a.account_id, a.is_stub FROM names n JOIN accounts a
              ON lower(a.screen_name) = lower(n.stub[2:]) AND NOT starts_with(a.account_id, '@')
        )
        SELECT stub, CASE WHEN count(*) = 1 THEN min(account_id)
                          WHEN count(*) FILTER (WHERE NOT is_stub) = 1
                          THEN min(account_id) FILTER (WHERE NOT is_stub) END AS account_id
        FROM cand GROUP BY stub
    """)
    con.execute("DELETE FROM _mn WHERE account_id IS NULL")
    n = _scalar(con, "SELECT count(*) FROM post_mentions m JOIN _mn ON m.account_id = _mn.stub")
    con.execute("UPDATE post_mentions SET account_id = _mn.account_id FROM _mn "
                "WHERE post_mentions.account_id = _mn.stub")
    con.execute("DROP TABLE _mn")
    drop_unused_name_stubs(con)
    return n


def drop_unused_name_stubs(con: duckdb.DuckDBPyConnection) -> None:
    """Delete ``@name`` stub accounts that nothing points at any more."""
    con.execute("""
        DELETE FROM accounts WHERE is_stub AND starts_with(account_id, '@')
          AND account_id NOT IN (SELECT ref_account_id FROM posts WHERE starts_with(ref_account_id, '@'))
          AND account_id NOT IN (SELECT account_id FROM posts WHERE starts_with(account_id, '@'))
          AND account_id NOT IN (SELECT reply_to_account_id FROM posts WHERE starts_with(reply_to_account_id, '@'))
          AND account_id NOT IN (SELECT account_id FROM post_mentions WHERE starts_with(account_id, '@'))
          AND account_id NOT IN (SELECT account_id FROM profile_changes WHERE starts_with(account_id, '@'))
    """)
