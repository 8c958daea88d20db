"""Turn one raw batch into canonical *stage* rows, in SQL.

The raw batch is an Arrow table registered in DuckDB as ``_raw``: a ``_line``
column (the source line of each row) plus the source columns, as text (or as
lists, for list fields that arrive already split, e.g. from JSON or Parquet).
:func:`stage_sql` writes the ``SELECT`` that maps, parses and validates it
into the canonical columns of the layout's target plus ``_error`` (the
reason a row must be quarantined, NULL when it is fine).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from infoops.ingest import infer, parse
from infoops.ingest.fields import REQUIRED, TARGET_FIELDS, Layout
from infoops.store.sql import quote_ident, quote_literal

_SQL_TYPE = {
    "id": "VARCHAR", "text": "VARCHAR", "kind": "VARCHAR", "int": "BIGINT",
    "float": "DOUBLE", "bool": "BOOLEAN", "time": "TIMESTAMP", "list": "VARCHAR[]",
}
KINDS = ("original", "retweet", "quote", "reply")
#: Twitter opened in March 2006; no post or account of it is older.
DEFAULT_EARLIEST = datetime(2006, 1, 1)


def _default_latest() -> datetime:
    return (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class TimeRange:
    """The times a row may carry; a time outside is quarantined as implausible.

    Defaults: 2006-01-01 (Twitter's start) to now plus a day. Set with
    ``infoops ingest --time-range START..END``.
    """

    earliest: datetime = DEFAULT_EARLIEST
    latest: datetime = field(default_factory=_default_latest)

    def describe(self) -> str:
        return f"{self.earliest:%Y-%m-%d}..{self.latest:%Y-%m-%d}"


#: Identifier and literal quoting, short names for the SQL built here.
q = quote_ident
lit = quote_literal


def _trimmed(col: str) -> str:
    """The inner query's column holding ``trim(col)`` of a list-string column."""
    return q(f"_tr_{col}")


def _raw_source(layout: Layout, list_columns: Mapping[str, bool]) -> str:
    """``_raw``, with each list-string column trimmed once (each ``trim`` in an
    expression is evaluated anew, so the list parsers read ``_tr_COL`` instead)."""
    fields = TARGET_FIELDS[layout.target]
    list_text = sorted({layout.mapping[n] for n, k in fields.items()
                        if k == "list" and n in layout.mapping and not list_columns.get(layout.mapping[n], False)})
    if not list_text:
        return "_raw"
    return "(SELECT *, " + ", ".join(f"trim({q(c)}) AS {_trimmed(c)}" for c in list_text) + " FROM _raw)"


def _field_sql(kind: str, col: str, is_list_col: bool) -> str:
    c = q(col)
    if kind == "list":
        if is_list_col:
            return f"list_filter({c}, lambda x: x IS NOT NULL AND x <> '')"
        return parse.list_sql(c, _trimmed(col))
    if is_list_col:  # a scalar field fed by a list column: take the first element
        c = f"{c}[1]"
    return {
        "id": parse.id_sql, "text": parse.text_sql,
        # ``QUOTE_TWEET`` (FiveThirtyEight) is a quote; an empty cell says nothing
        "kind": lambda x: f"NULLIF(replace(lower(trim({x})), '_tweet', ''), '')",
        "int": parse.int_sql, "float": parse.float_sql, "bool": parse.bool_sql,
        "time": parse.timestamp_sql,
    }[kind](c)


def parse_time_range(text: str) -> TimeRange:
    """``"2006-01-01..2026-12-31"`` (either end may be left out) as a :class:`TimeRange`."""
    from infoops.errors import OptionValueError

    start, sep, end = text.partition("..")
    try:
        if not sep:
            raise ValueError("no '..'")
        default = TimeRange()
        earliest = datetime.fromisoformat(start.strip()) if start.strip() else default.earliest
        latest = datetime.fromisoformat(end.strip()) if end.strip() else default.latest
    except ValueError:
        raise OptionValueError(f"--time-range {text!r}: expected START..END, e.g. 2006-01-01..2026-12-31") from None
    if earliest.tzinfo or latest.tzinfo:
        earliest, latest = (d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d for d in (earliest, latest))
    if latest <= earliest:
        raise OptionValueError(f"--time-range {text!r}: the end must be after the start")
    return TimeRange(earliest, latest)


def stage_sql(layout: Layout, list_columns: Mapping[str, bool], times: TimeRange | None = None,
              source: str = "") -> str:
    """The ``SELECT`` over ``_raw`` that yields the layout's stage rows.

    ``list_columns`` tells, for each source column, whether it is already a
    list (True) or text (False). ``times``: the plausible time range.

    A row is quarantined (``_error``) for any value that cannot be stored as
    its field's type: a time that does not parse or lies outside ``times``, a
    count that is not a non-negative integer in BIGINT range, a number that
    is not finite, a list literal cut short, an id a spreadsheet turned into
    ``1.2E+18`` or a negative number; and for a missing required field.

    Posts also get what :mod:`infoops.ingest.infer` fills in where the layout
    asks for it: a made-up ``post_id`` (``post_id_from``), and for retweets
    without a target a content id from their text (``_text_key``).
    """
    times = times or TimeRange()
    fields = TARGET_FIELDS[layout.target]
    inner, errors, raw_cols = _field_columns(layout, list_columns, times)
    required = [
        f"WHEN {q(f)} IS NULL THEN 'missing {f} (column {_msg(layout.mapping.get(f, f))})'"
        for f in ("post_id", "account_id", "created_at", "field")
        if f in fields and (f in layout.mapping or f in layout.constants)
        and f in REQUIRED[layout.target] and not (f == "post_id" and layout.post_id_from)
    ]
    error = "CASE " + " ".join(errors + required)
    if layout.target == "posts":
        error += f" WHEN kind IS NOT NULL AND kind NOT IN {KINDS} THEN 'unknown kind ' || kind"
    error += " END"
    if layout.target != "posts":
        exclude = f" EXCLUDE ({', '.join(raw_cols)})" if raw_cols else ""
        return (f"SELECT *{exclude}, {error} AS _error "
                f"FROM (SELECT {', '.join(inner)} FROM {_raw_source(layout, list_columns)})")
    return _posts_sql(layout, inner, error, source, _raw_source(layout, list_columns))


def _field_columns(layout: Layout, list_columns: Mapping[str, bool],
                   times: TimeRange) -> tuple[list[str], list[str], list[str]]:
    """The inner SELECT's columns, the error cases of their values, and the helper
    columns (raw times, value checks) the outer SELECT leaves out."""
    fields = TARGET_FIELDS[layout.target]
    inner = ["_line"]
    errors: list[str] = []
    raw_cols: list[str] = []
    lo, hi = f"TIMESTAMP '{times.earliest:%Y-%m-%d %H:%M:%S}'", f"TIMESTAMP '{times.latest:%Y-%m-%d %H:%M:%S}'"
    for name, kind in fields.items():
        col = layout.mapping.get(name)
        if col is not None:
            is_list = list_columns.get(col, False)
            expr = _field_sql(kind, col, is_list)
            src = f"{q(col)}[1]" if is_list and kind != "list" else q(col)
            if kind == "time":  # parsed once; the raw text is kept for the message
                tcol = q(f"_t_{name}")
                inner.append(f"{src} AS {tcol}")
                raw_cols.append(tcol)
                shown = f"left(trim(CAST({tcol} AS VARCHAR)), 80)"
                errors.append(
                    f"WHEN {q(name)} IS NULL AND NULLIF(trim(CAST({tcol} AS VARCHAR)), '') IS NOT NULL "
                    f"THEN 'bad timestamp in column {_msg(col)}: ' || {shown}"
                )
                errors.append(
                    f"WHEN {q(name)} NOT BETWEEN {lo} AND {hi} THEN 'implausible time in column "
                    f"{_msg(col)}: ' || {shown} || ' (outside {times.describe()}; see --time-range)'"
                )
            else:
                check = _value_check(name, kind, col, src, expr, is_list)
                if check is not None:
                    ecol = q(f"_e_{name}")
                    inner.append(f"{check} AS {ecol}")
                    raw_cols.append(ecol)
                    errors.append(f"WHEN {ecol} IS NOT NULL THEN {ecol}")
        elif name in layout.constants:
            expr = f"CAST({lit(layout.constants[name])} AS {_SQL_TYPE[kind]})"
        else:
            expr = f"CAST(NULL AS {_SQL_TYPE[kind]})"
        inner.append(f"{expr} AS {q(name)}")
    return inner, errors, raw_cols


def _posts_sql(layout: Layout, inner: list[str], error: str, source: str, raw: str = "_raw") -> str:
    """The posts' SELECT: kind, made post ids, retweet targets (also from text), entities."""
    fields = TARGET_FIELDS[layout.target]
    kind_expr = (
        "CASE WHEN kind IS NOT NULL THEN kind "
        "WHEN is_retweet OR retweet_post_id IS NOT NULL THEN 'retweet' "
        "WHEN quoted_post_id IS NOT NULL THEN 'quote' "
        "WHEN reply_to_post_id IS NOT NULL OR reply_to_account_id IS NOT NULL THEN 'reply' "
        "WHEN ref_post_id IS NOT NULL THEN 'retweet' "
        + ("WHEN is_retweet IS NULL AND regexp_matches(text, '^RT @[A-Za-z0-9_]{1,50}:') THEN 'retweet' "
           if layout.text_retweets else "")
        + "ELSE 'original' END"
    )
    post_id = "post_id"
    if layout.post_id_from:
        made = infer.post_id_sql(layout.post_id_from, "account_id", "created_at", "text", "_line",
                                 lit(source))
        post_id = f"coalesce(post_id, {made})"
    target = "coalesce(retweet_post_id, ref_post_id, quoted_post_id)"
    text_key = (f"CASE WHEN k = 'retweet' AND {target} IS NULL THEN {infer.text_key_sql('text')} END"
                if layout.text_retweets else "CAST(NULL AS VARCHAR)")
    outer = f"""
    SELECT _line, {post_id} AS post_id, account_id, created_at, k AS kind, text, language, client,
        CASE WHEN k = 'retweet' THEN coalesce({target}, '{infer.CONTENT_ID_PREFIX}' || _text_key)
             WHEN k = 'quote' THEN coalesce(quoted_post_id, ref_post_id)
             ELSE ref_post_id END AS ref_post_id,
        CASE WHEN k = 'retweet' THEN coalesce(retweet_account_id, ref_account_id)
             ELSE ref_account_id END AS ref_account_id,
        CASE WHEN k = 'retweet' AND retweet_account_id IS NULL AND ref_account_id IS NULL
             THEN NULLIF(regexp_extract(text, '^RT @([A-Za-z0-9_]{{1,50}}):', 1), '')
             END AS ref_screen_name,
        reply_to_post_id, reply_to_account_id, like_count, retweet_count, reply_count,
        quote_count, coalesce(has_media, len(media) > 0) AS has_media, latitude, longitude,
        hashtags, urls, domains, mentions, media,
        {', '.join(q(f) for f in fields if f.startswith('author_'))},
        _text_key, {error} AS _error
    FROM (SELECT *, {text_key} AS _text_key FROM (
          SELECT *, {kind_expr} AS k FROM (SELECT {', '.join(inner)} FROM {raw})))
    """
    return outer


def _value_check(name: str, kind: str, col: str, src: str, expr: str, is_list: bool) -> str | None:
    """A ``CASE`` giving the reason a raw value cannot be stored, else NULL."""
    shown = f"left(trim({src}), 80)"
    if kind in ("int", "float"):
        tail = " || ' (not a non-negative integer)'" if kind == "int" else ""
        return (f"CASE WHEN {parse.bad_number_sql(src, expr, kind)} THEN "
                f"'bad number in column {_msg(col)}: ' || {shown}{tail} END")
    if kind == "list" and not is_list:
        return (f"CASE WHEN {parse.bad_list_sql(src, _trimmed(col))} THEN "
                f"'malformed list in column {_msg(col)}: ' || {shown} END")
    if kind == "id" and name in ("post_id", "account_id") and not is_list:
        return (f"CASE WHEN {parse.bad_id_sql(src)} THEN 'implausible id in column {_msg(col)}: ' "
                f"|| {shown} || ' (a number a spreadsheet rewrote, or negative)' END")
    return None


def _msg(name: str) -> str:
    """A column name inside a SQL string literal of a message."""
    return name.replace("'", "''")


def fallback_list_sql(layout: Layout, list_columns: Mapping[str, bool]) -> list[tuple[str, str, str]]:
    """(field, column, SQL) for list fields whose literals need the Python decoder."""
    out = []
    for name, kind in TARGET_FIELDS[layout.target].items():
        col = layout.mapping.get(name)
        if kind == "list" and col is not None and not list_columns.get(col, False):
            out.append((name, col, (f"SELECT _line, {q(col)} FROM _raw WHERE _line IN "
                                   f"(SELECT _line FROM _stage WHERE {q(name)} IS NULL)")))
    return out
