"""What each trace has to work with, and why a trace that has nothing is empty.

A trace with no input finds nothing, and "co-retweet 0 0 0" reads as if the
data held no coordination. :func:`trace_inputs` counts, before detection, the
rows each trace reads (the same conditions as its actions query in
:mod:`infoops.detect.traces`) and, where there are none, says why and what to
do: the data has no retweets at all, or its retweets name no retweeted post
(map ``retweet_post_id``, or give the text so that targets are inferred), and
so on. ``detect`` records it in the run summary (``detect_runs.summary``
→ ``inputs``); the CLI summary and the report print it.
"""

from __future__ import annotations

from typing import Any

import duckdb

from infoops.store.sql import first_row

#: trace -> (SQL counting its input rows, what the rows are)
_INPUT_SQL: dict[str, tuple[str, str]] = {
    "co-retweet": (
        "SELECT count(*) FROM posts WHERE kind = 'retweet' AND ref_post_id IS NOT NULL",
        "retweets with a target"),
    "fast-retweet": (
        ("SELECT count(*) FROM posts p JOIN posts o ON o.post_id = p.ref_post_id "
         "WHERE p.kind = 'retweet' AND p.account_id <> o.account_id"),
        "retweets of a post the data holds"),
    "co-url": (
        "SELECT count(*) FROM post_urls u JOIN posts p USING (post_id) WHERE p.kind <> 'retweet'",
        "URLs in own posts"),
    "co-domain": (
        ("SELECT count(*) FROM post_urls u JOIN posts p USING (post_id) "
         "WHERE p.kind <> 'retweet' AND u.domain IS NOT NULL AND u.domain <> ''"),
        "URL domains in own posts"),
    "co-hashtag": (
        ("SELECT count(*) FROM post_hashtags h JOIN posts p USING (post_id) "
         "WHERE p.kind <> 'retweet'"),
        "hashtags in own posts"),
    "hashtag-sequence": (
        ("SELECT count(*) FROM (SELECT post_id FROM post_hashtags GROUP BY post_id "
         "HAVING count(DISTINCT lower(tag)) >= 3) s JOIN posts p USING (post_id) "
         "WHERE p.kind <> 'retweet'"),
        "own posts with 3+ hashtags"),
    "co-mention": (
        ("SELECT count(*) FROM post_mentions m JOIN posts p USING (post_id) "
         "WHERE p.kind <> 'retweet' AND m.account_id <> p.account_id"),
        "mentions in own posts"),
    "co-reply": (
        "SELECT count(*) FROM posts WHERE kind = 'reply' AND reply_to_post_id IS NOT NULL",
        "replies to a known post"),
    "text-similarity": (
        "SELECT count(*) FROM posts WHERE kind <> 'retweet' AND length(text) >= 12",
        "own posts with text"),
    "synchronized": (
        "SELECT count(*) FROM posts WHERE kind <> 'retweet' AND created_at IS NOT NULL",
        "own posts with a time"),
}


def _n(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = first_row(con.execute(sql))
    return int(row[0]) if row and row[0] is not None else 0


def _why_empty(con: duckdb.DuckDBPyConnection, trace: str) -> str:
    """Why a trace has no input, and what to do about it."""
    if trace in ("co-retweet", "fast-retweet"):
        n_rt = _n(con, "SELECT count(*) FROM posts WHERE kind = 'retweet'")
        if not n_rt:
            return ("no retweets in the data (if the source marks them, map kind or is_retweet; "
                    "text starting 'RT @name:' counts when the text is mapped)")
        if trace == "co-retweet" or not _n(con, "SELECT count(*) FROM posts WHERE kind = 'retweet' "
                                                "AND ref_post_id IS NOT NULL"):
            return (f"no retweet targets: none of the {n_rt:,} retweets names the retweeted post; "
                    "map retweet_post_id, or ingest with the text mapped so targets are inferred "
                    "from it (on by default: infer_retweets)")
        return ("the retweeted posts are not in the data (only their ids or texts), so no "
                "retweet delay can be measured; ingest the originals too")
    if trace in ("co-url", "co-domain"):
        if trace == "co-domain" and _n(con, "SELECT count(*) FROM post_urls"):
            return "URLs have no domain (only link shorteners such as t.co, whose domain says nothing)"
        return ("no URLs: map urls, or ingest with the text mapped so they are read from it "
                "(entities_from_text)")
    if trace in ("co-hashtag", "hashtag-sequence"):
        if trace == "hashtag-sequence" and _n(con, "SELECT count(*) FROM post_hashtags"):
            return "no own post has 3 or more distinct hashtags"
        return ("no hashtags: map hashtags, or ingest with the text mapped so they are read from it "
                "(entities_from_text)")
    if trace == "co-mention":
        return ("no mentions of other accounts: map mentions, or ingest with the text mapped "
                "(entities_from_text)")
    if trace == "co-reply":
        return "no replies naming the post they answer: map reply_to_post_id"
    if not _n(con, "SELECT count(*) FROM posts WHERE kind <> 'retweet'"):
        return "every post is a retweet; this trace compares the accounts' own posts"
    if trace == "text-similarity":
        return "no own posts with text of 12 characters or more: map text"
    return "no own posts with a time: map created_at"


def trace_inputs(con: duckdb.DuckDBPyConnection, traces: list[str]) -> dict[str, dict[str, Any]]:
    """Rows each trace reads, and for a trace with none the reason (``why``).

    Returns ``{trace: {"rows": n, "what": "retweets with a target", "why": str | None}}``.
    """
    out: dict[str, dict[str, Any]] = {}
    for name in traces:
        if name not in _INPUT_SQL:
            continue
        sql, what = _INPUT_SQL[name]
        rows = _n(con, sql)
        out[name] = {"rows": rows, "what": what, "why": None if rows else _why_empty(con, name)}
    return out


def empty_traces(summary: dict[str, Any]) -> dict[str, str]:
    """trace -> why it had no input, from a run summary (empty for older runs)."""
    return {name: str(t.get("why") or "no input")
            for name, t in (summary.get("inputs") or {}).items() if not t.get("rows")}
