"""Round trips of the list-string and timestamp parsers (hypothesis)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from infoops.ingest import parse_list_strings, parse_timestamps

# decoded UTF-8 text: any character but lone surrogates
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
ITEMS = st.lists(TEXT, max_size=5)


@settings(max_examples=60, deadline=None)
@given(st.lists(ITEMS, min_size=1, max_size=8))
def test_python_list_literals_round_trip(lists: list[list[str]]) -> None:
    """IO-archive list fields are Python reprs of lists of strings."""
    assert parse_list_strings([repr(x) for x in lists]) == lists


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.from_regex(r"[A-Za-z0-9_+/=]{1,12}", fullmatch=True), max_size=4),
                min_size=1, max_size=6))
def test_unquoted_id_lists_round_trip(lists: list[list[str]]) -> None:
    """``[123, 456]``-style lists (numeric or hashed ids, no quotes)."""
    text = ["[" + ", ".join(x) + "]" for x in lists]
    assert parse_list_strings(text) == lists


def test_list_edge_cases() -> None:
    got = parse_list_strings(["", "[]", None, " [ ] ", "abc def", "['a\\'b', \"c\"]",
                              "['https://x.com/a?b=1,2']", "[bad", "['unterminated"])
    assert got[:4] == [[], [], [], []]
    assert got[4] == ["abc", "def"]  # bare values: whitespace separated
    assert got[5] == ["a'b", "c"]  # escaped quote: Python decoder
    assert got[6] == ["https://x.com/a?b=1,2"]
    assert got[7] == ["[bad"] and got[8] == ["['unterminated"]
    assert ast.literal_eval(repr(got[5])) == got[5]


MOMENTS = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0))


@settings(max_examples=50, deadline=None)
@given(st.lists(MOMENTS, min_size=1, max_size=10), st.integers(-12 * 60, 14 * 60))
def test_timestamps_round_trip_in_every_layout(moments: list[datetime], offset_min: int) -> None:
    minute = [m.replace(second=0) for m in moments]
    tz = timezone(timedelta(minutes=offset_min))
    layouts = [
        ([m.strftime("%Y-%m-%d %H:%M") for m in minute], minute),  # IO archive
        ([m.strftime("%Y-%m-%d %H:%M:%S") for m in moments], moments),
        ([str(int(m.replace(tzinfo=UTC).timestamp())) + ".0" for m in moments], moments),
        ([m.strftime("%a %b %d %H:%M:%S +0000 %Y") for m in moments], moments),  # v1.1
        ([m.strftime("%Y-%m-%dT%H:%M:%S.000Z") for m in moments], moments),  # v2
        ([m.replace(tzinfo=UTC).astimezone(tz).isoformat() for m in moments], moments),
    ]
    texts = [t for text, _ in layouts for t in text]  # one parser call per example
    wants = [w for _, want in layouts for w in want]
    assert parse_timestamps(texts) == wants


def test_bad_timestamps_are_none() -> None:
    assert parse_timestamps(["2019-13-45 99:99", "soon", "", None]) == [None, None, None, None]
    assert parse_timestamps(["1623881091.9"]) == [datetime(2021, 6, 16, 22, 4, 51)]  # seconds kept

