"""Property-based fuzzing of every reader, through the CLI (issue 13).

Hypothesis mutates valid IO-archive CSV rows and Twitter JSON records: random
bytes, field counts, quotes, encodings, NUL, huge and empty fields, numbers
out of range, wrong JSON types, deep nesting. For every input:

- no exception escapes the CLI: exit 0, or one ``Error:`` line and exit 2;
- read = stored + quarantined + duplicate, in the result and in ``ingest_runs``;
- every quarantined CSV row names a line of the file whose fields are the
  quarantined raw text's (a line cut for length keeps the line's first bytes);
  every quarantined JSON record names a line that exists;
- the process stays under a memory bound.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import resource
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardening_fixtures import csv_text, tweet
from infoops.cli import main
from infoops.ioarchive import TWEET_COLUMNS_31
from infoops.store import Store

MEMORY_BOUND_MIB = 3 * 1024
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_NUMERIC = ("follower_count", "following_count", "like_count", "retweet_count", "quote_count",
            "reply_count", "latitude", "longitude")
_WEIRD = st.sampled_from([
    "99999999999999999999", "1e400", "-1", "NaN", "inf", "0001-01-01 00:00", "9999-12-31 23:59",
    "1623881091000000", "['a',", "None", "", " ", "\x00", "abc", "1.2E+18", '"', '""', "\\", "\t",
    "\u202e\u0645", "<script>alert(1)</script>", "'; DROP TABLE posts; --",
])


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    n = draw(st.integers(1, 25))
    rows = [tweet(i) for i in range(n)]
    for r in rows:
        if draw(st.booleans()):
            col = draw(st.sampled_from(TWEET_COLUMNS_31))
            r[col] = draw(st.one_of(_WEIRD, st.text(max_size=30).map(lambda x: x.replace("\r", ""))))
        if draw(st.integers(0, 9)) == 0:
            r[draw(st.sampled_from(_NUMERIC))] = draw(st.sampled_from(["1e400", "-7", "12abc"]))
    if draw(st.integers(0, 15)) == 0:
        rows[0]["tweet_text"] = "h" * draw(st.sampled_from([3 << 20, 200_000]))
    lines = csv_text(rows).split("\n")
    data = []
    for line in lines:
        b = line.encode("utf-8")
        op = draw(st.integers(0, 12))
        if op == 0 and b:  # random bytes at a random place
            at = draw(st.integers(0, len(b)))
            # no CR: a lone CR outside quotes ends a record for Arrow but not a line
            # (docs/reliability.md, known gaps)
            b = b[:at] + draw(st.binary(min_size=1, max_size=4)).replace(b"\r", b"") + b[at:]
        elif op == 1:  # a field more or fewer
            b = b + b",extra" if draw(st.booleans()) else b.rsplit(b",", 1)[0]
        elif op == 2 and b:  # a stray quote
            at = draw(st.integers(0, len(b)))
            b = b[:at] + b'"' + b[at:]
        elif op == 3:  # latin-1 text
            b = b.replace(b"post", "pöst".encode("latin-1"))
        elif op == 4:
            b = b""  # a blank line
        data.append(b)
    return b"\n".join(data[:1] + data[1:])


@st.composite
def json_files(draw: st.DrawFn) -> bytes:
    out = []
    for i in range(draw(st.integers(1, 8))):
        t = {"id": str(100 + i), "author_id": "9", "created_at": "2020-06-01T08:00:00.000Z",
             "text": f"tweet {i}", "public_metrics": {"like_count": 1},
             "entities": {"hashtags": [{"tag": "x"}], "mentions": [{"id": "8", "username": "m"}]},
             "referenced_tweets": [{"type": "retweeted", "id": "5"}]}
        if draw(st.booleans()):
            key = draw(st.sampled_from(sorted(t)))
            t[key] = draw(st.one_of(st.just([1]), st.integers(-2**70, 2**70), st.none(), st.text(max_size=8),
                                    st.just({"a": [None]}), st.just(1e300)))
        if draw(st.booleans()):
            line = json.dumps({"data": [t, {**t, "id": str(200 + i)}],
                               "includes": draw(st.sampled_from([{}, [], {"users": [1, {"id": "9"}]}]))})
        else:
            line = json.dumps(t)
        op = draw(st.integers(0, 8))
        if op == 0:
            line = "[" * draw(st.integers(30, 5000)) + "]" * 3
        elif op == 1:
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(st.text(max_size=3)) + line[at:]
        elif op == 2:
            line = line.replace('"tweet', '"\\u0000tweet')
        out.append(line.encode("utf-8", "surrogatepass"))
    return b"\n".join(out) + b"\n"


def _ingest(data: bytes, name: str) -> tuple[int, str, Path, Path]:
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
    src, db = tmp / name, tmp / "s.duckdb"
    src.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["ingest", str(src), "--db", str(db), "--quiet", "--json"])
        except SystemExit as e:
            code = int(e.code or 0)
    text = err.getvalue().strip()
    if code:
        assert code == 2 and len(text.splitlines()) == 1 and text.startswith("Error: "), (code, text)
    else:
        result = json.loads(out.getvalue())
        assert result["reconciles"]
        assert result["rows_read"] == result["rows_stored"] + result["rows_quarantined"] + result["rows_duplicate"]
    return code, text, src, db


def _fields(text: str) -> list[str]:
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return [text]


def _assert_reconciles(store: Store) -> None:
    """read = stored + quarantined + duplicates, for the one ingest run."""
    (read, *parts), = store.execute(
        "SELECT rows_read, rows_stored, rows_quarantined, rows_duplicate FROM ingest_runs").fetchall()
    assert read == sum(parts)


def _check_memory() -> None:
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 < MEMORY_BOUND_MIB


@SETTINGS
@given(csv_files())
def test_fuzzed_csv_never_escapes_and_reconciles(data: bytes) -> None:
    code, _, src, db = _ingest(data, "t.csv")
    if code:
        return
    lines = src.read_bytes().split(b"\n")
    with Store(db, read_only=True) as s:
        _assert_reconciles(s)
        for line, last, raw in s.execute("SELECT line, last_line, raw FROM quarantine").fetchall():
            assert line is not None and 2 <= line <= len(lines), line
            assert last is None or line < last <= len(lines)
            original = lines[line - 1].decode("utf-8", "backslashreplace").rstrip("\r")
            first = raw.split("\n")[0]
            if len(lines[line - 1]) > (1 << 20):
                assert original.startswith(first[:1000])
            else:
                assert _fields(first) == _fields(original) or first == original, (line, first, original)
    _check_memory()


@SETTINGS
@given(json_files())
def test_fuzzed_json_never_escapes_and_reconciles(data: bytes) -> None:
    code, _, src, db = _ingest(data, "t.jsonl")
    if code:
        return
    n_lines = src.read_bytes().count(b"\n")
    with Store(db, read_only=True) as s:
        _assert_reconciles(s)
        rows = s.execute("SELECT line, item, raw FROM quarantine").fetchall()
        for line, item, _ in rows:
            assert line is not None and 1 <= line <= n_lines
            assert item is None or 0 <= item <= 1
        keys = [(line, item) for line, item, _ in rows]
        assert len(keys) == len(set(keys))  # one row per bad record
    _check_memory()
