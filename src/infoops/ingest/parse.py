"""Vectorized field parsers, written as DuckDB SQL expressions.

Ingest parses every source column inside DuckDB, a batch at a time, so the
IO-archive path never loops over rows in Python. Each ``*_sql`` function takes
the SQL expression of a text column and returns the SQL expression of the
parsed value. :func:`parse_timestamps` and :func:`parse_list_strings` run the
same expressions on plain Python values; tests (and notebook users) call them.

Timestamps (always returned as naive UTC):

- unix epoch numbers (``1623881091.0``), truncated to the second, their unit
  told by their size: below 10^11 seconds, below 10^14 milliseconds, below
  10^17 microseconds, below 10^20 nanoseconds; larger numbers are no time;
- ``YYYY-MM-DD HH:MM`` (IO archive), ``YYYY-MM-DD HH:MM:SS``, ``YYYY-MM-DD``
  and ISO 8601 with ``T``; a trailing ``Z`` or ``+hh:mm`` offset is applied;
- Twitter v1.1 ``Wed Jan 07 04:38:02 +0000 2009``.

List strings (IO-archive ``hashtags``, ``urls``, ``user_mentions``) are Python
list literals such as ``['a', 'b']`` or ``[]``; unquoted ``[a, b]`` is split on
commas, and a bare value without brackets is split on whitespace (one id, or
coordination-network-toolkit's space-separated urls). Literals that contain a
backslash escape are rare; they are decoded in Python with
:func:`ast.literal_eval` (see :func:`literal_list`).
"""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from infoops.store.sql import registered

_NUMBER = r"^\s*-?[0-9]+(\.[0-9]*)?\s*$"
_OFFSET = r"(Z|[+-][0-9][0-9]:?[0-9][0-9])\s*$"
#: a trailing time-zone abbreviation after a date and time
_ZONE = r"[0-9] ?([A-Z]{2,5})$"
#: abbreviations whose offset is unambiguous in the data we meet (US zones, UTC, Europe, Moscow)
ZONE_OFFSETS = {
    "UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00",
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
    "CET": "+01:00", "CEST": "+02:00", "BST": "+01:00", "MSK": "+03:00",
}


def _zone_offset(t: str) -> str:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in ZONE_OFFSETS.items())
    return f"(CASE regexp_extract({t}, '{_ZONE}', 1) {cases} END)"
_V1_FORMAT = "%a %b %d %H:%M:%S %z %Y"


def text_sql(col: str) -> str:
    """Empty or blank text becomes NULL; other text is kept as written."""
    return f"NULLIF({col}, '')"


def id_sql(col: str) -> str:
    """Ids are trimmed TEXT taken verbatim (hashed or numeric); empty ids and
    ``None``/``nan``/``null`` are NULL."""
    return f"CASE WHEN trim({col}) NOT IN {NULL_WORDS} THEN NULLIF(trim({col}), '') END"


#: Cell values that mean "no value" (pandas and Python write them for missing data).
NULL_WORDS = ("None", "none", "NULL", "null", "nan", "NaN")


def int_sql(col: str) -> str:
    """Counts: integers (``12``, ``12.0``); anything else (or out of BIGINT range) is NULL.

    :func:`bad_number_sql` tells a missing value from one that is not a count.
    """
    return f"TRY_CAST(TRY_CAST(NULLIF(trim({col}), '') AS DOUBLE) AS BIGINT)"


def bad_number_sql(col: str, parsed: str, kind: str) -> str:
    """True when ``col`` holds text that is not a storable number (``parsed`` is NULL)."""
    given = f"(NULLIF(trim({col}), '') IS NOT NULL AND trim({col}) NOT IN {NULL_WORDS})"
    if kind == "int":
        return f"({given} AND ({parsed} IS NULL OR {parsed} < 0))"
    return f"({given} AND ({parsed} IS NULL OR NOT isfinite({parsed})))"


def bad_id_sql(col: str) -> str:
    """True for ids a spreadsheet mangled (``1.2E+18``) or negative numbers (``-5``)."""
    return (f"((starts_with({col}, '-') OR contains({col}, '.') OR contains({col}, '+')) AND "
            f"regexp_full_match(trim({col}), '-?[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?'))")


def float_sql(col: str) -> str:
    """Coordinates and other real numbers; anything else is NULL."""
    return f"TRY_CAST(NULLIF(trim({col}), '') AS DOUBLE)"


def bool_sql(col: str) -> str:
    """``True/False``, ``1/0``, ``yes/no``, ``t/f`` (any case); else NULL."""
    t = f"lower(trim({col}))"
    return (
        f"CASE WHEN {t} IN ('true', 't', '1', 'yes', 'y') THEN TRUE "
        f"WHEN {t} IN ('false', 'f', '0', 'no', 'n') THEN FALSE END"
    )


def timestamp_sql(col: str) -> str:
    """Parse a text timestamp column into naive UTC ``TIMESTAMP`` (NULL if it fails)."""
    t = f"NULLIF(trim({col}), '')"
    # fast path: plain ``YYYY-MM-DD HH:MM[:SS]`` without a zone offset
    plain = (
        f"CASE WHEN NOT (ends_with({col}, 'Z') OR contains({col}, '+') OR (length({col}) > 19 AND "
        f"regexp_matches({col}, '{_OFFSET}')) OR regexp_matches({col}, '{_ZONE}')) "
        f"THEN TRY_CAST({col} AS TIMESTAMP) END"
    )
    return (
        f"coalesce({plain}, CASE "
        f"WHEN {t} IS NULL THEN NULL "
        f"WHEN regexp_matches({t}, '{_NUMBER}') THEN "
        f"  {_epoch(f'TRY_CAST({t} AS DOUBLE)')} "
        f"WHEN regexp_matches({t}, '^[A-Za-z]') THEN timezone('UTC', try_strptime({t}, '{_V1_FORMAT}')) "
        f"WHEN regexp_matches({t}, '{_OFFSET}') THEN timezone('UTC', TRY_CAST({t} AS TIMESTAMPTZ)) "
        # a zone abbreviation (CrowdTangle: ``2021-01-05 21:05:26 EST``); unknown ones fail
        f"WHEN regexp_matches({t}, '{_ZONE}') THEN timezone('UTC', TRY_CAST("
        f"regexp_replace({t}, ' ?[A-Z]{{2,5}}$', '') || {_zone_offset(t)} AS TIMESTAMPTZ)) "
        # US month/day/year, as FiveThirtyEight's IRA files and spreadsheets write it
        f"WHEN regexp_matches({t}, '^[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}') THEN coalesce("
        f"try_strptime({t}, '%m/%d/%Y %H:%M:%S'), try_strptime({t}, '%m/%d/%Y %H:%M'), "
        f"try_strptime({t}, '%m/%d/%Y')) "
        f"ELSE TRY_CAST({t} AS TIMESTAMP) END)"
    )


def _epoch(x: str) -> str:
    """An epoch number to a timestamp, its unit told by its size (never overflows)."""
    def at(scale: str) -> str:
        return f"make_timestamp(CAST(floor({x} / {scale}) AS BIGINT) * 1000000)"
    return (f"CASE WHEN abs({x}) < 1e11 THEN {at('1')} WHEN abs({x}) < 1e14 THEN {at('1e3')} "
            f"WHEN abs({x}) < 1e17 THEN {at('1e6')} WHEN abs({x}) < 1e20 THEN {at('1e9')} END")


def bad_list_sql(col: str, trimmed: str | None = None) -> str:
    """True for a list literal cut short or unbalanced (``['a',``).

    ``trimmed``: an expression already holding ``trim(col)``, if there is one.
    """
    t = trimmed or f"trim({col})"
    return f"(starts_with({t}, '[') <> ends_with({t}, ']'))"


def list_sql(col: str, trimmed: str | None = None) -> str:
    """Parse a list-string column into ``VARCHAR[]``.

    Returns NULL (the marker for the Python fallback) for list literals with
    backslash escapes. ``trimmed``: an expression already holding
    ``trim(col)`` (computed once in an inner query: DuckDB evaluates every
    ``trim`` written here, which cost a third of the parse).
    """
    t = trimmed or f"trim({col})"
    quoted = r"""'[^']*'|"[^"]*\""""
    return (
        "(CASE "
        f"WHEN {col} IS NULL OR {col} IN ('', '[]') OR {t} IN ('', '[]', {', '.join(map(repr, NULL_WORDS))}) "
        "THEN []::VARCHAR[] "
        f"WHEN starts_with({t}, '[') AND ends_with({t}, ']') THEN "
        f"  CASE WHEN contains({t}, '\\') THEN NULL "
        f"  WHEN regexp_matches({t}, '^\\[\\s*[''\"]') THEN "
        f"    list_transform(regexp_extract_all({t}, $${quoted}$$), lambda x: x[2:-2]) "
        f"  ELSE list_filter(list_transform(string_split({t}[2:-2], ','), lambda x: trim(x)),"
        f"                   lambda x: x <> '' AND x NOT IN {NULL_WORDS}) END "
        f"ELSE list_filter(string_split_regex({t}, '\\s+'), lambda x: x <> '') END)"
    )


def literal_list(text: str) -> list[str]:
    """Decode one Python list literal (the slow path of :func:`list_sql`).

    Uses :func:`ast.literal_eval`; a literal it rejects is read leniently by
    taking every quoted element.
    """
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return [m[1:-1] for m in re.findall(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", text)]
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value if v is not None]
    return [] if value is None else [str(value)]


def parse_timestamps(values: Sequence[str | None]) -> list[datetime | None]:
    """Parse timestamps with the same SQL as ingest (see :func:`timestamp_sql`)."""
    return _run(values, timestamp_sql("v"), pa.string())


def parse_list_strings(values: Sequence[str | None]) -> list[list[str]]:
    """Parse list strings with the same SQL as ingest, plus the Python fallback."""
    out = _run(values, list_sql("v"), pa.string())
    return [literal_list(v) if r is None and v is not None else (r or []) for v, r in zip(values, out, strict=False)]


_CON: list[duckdb.DuckDBPyConnection] = []
_LOCK = threading.Lock()


def _run(values: Sequence[Any], expr: str, typ: pa.DataType) -> list[Any]:
    with _LOCK:  # one private in-memory connection, reused (connecting is slow)
        if not _CON:
            _CON.append(duckdb.connect())
        con = _CON[0]
        frame = pa.table({"i": pa.array(range(len(values)), pa.int64()), "v": pa.array(values, typ)})
        with registered(con, "_v", frame):
            rows = con.execute(f"SELECT {expr} FROM _v ORDER BY i").fetchall()
    return [r[0] for r in rows]
