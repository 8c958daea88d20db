"""The line guard's byte scans against the plain bytes operations they replace (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from infoops.ingest.guard import _scan, _valid_utf8

BYTES = st.lists(st.sampled_from([b"\n", b"\r", b"\r\n", b'"', b"a", b",", "中".encode(), b"\xe4", b"\xff",
                                  b"\xed\xa0\x80"]), max_size=40).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(BYTES)
def test_scan_matches_bytes_search(data: bytes) -> None:
    blank = b"\n\n" in data or b"\n\r\n" in data or data.startswith((b"\n", b"\r\n"))
    newlines, may_be_blank = _scan(data)
    assert newlines == data.count(b"\n")
    assert may_be_blank == blank


@settings(max_examples=400, deadline=None)
@given(BYTES)
def test_utf8_check_matches_python(data: bytes) -> None:
    try:
        data.decode("utf-8")
        ok = True
    except UnicodeDecodeError:
        ok = False
    assert _valid_utf8(data) == ok
