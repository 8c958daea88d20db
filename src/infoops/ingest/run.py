"""``ingest()``: read sources into the store, one transaction per batch.

Every source is planned (opened, sniffed, its layout chosen and checked)
before anything is written, so a source that cannot be read at all stops the
run with a one-line :class:`~infoops.errors.SourceError` and no partial
writes. Profiles are read before posts, posts before profile history, so that
``RT @name:`` prefixes resolve against known screen names.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

import duckdb

from infoops.errors import (
    MappingError,
    SourceError,
    StoreError,
    UnknownFormatError,
    describe_failure,
)
from infoops.ingest import tabular, telegram, twitter_json
from infoops.ingest.checkpoint import checkpoint_every
from infoops.ingest.fields import (
    ALL_FORMATS,
    PRESETS,
    Layout,
    MappingSpec,
    custom_layout,
    is_truth_header,
    layout_for_header,
    only_present,
    preset,
)
from infoops.ingest.infer import resolve_mention_names, resolve_text_retweets
from infoops.ingest.prefetch import prefetch
from infoops.ingest.sources import Source, csv_header, expand, sniff_encoding, sniff_text
from infoops.ingest.stage import TimeRange
from infoops.ingest.writer import (
    BatchCounts,
    Part,
    Quarantined,
    resolve_rt_names,
    row_quarantine,
    write_batch,
)
from infoops.store import Store
from infoops.store.runs import LOCK_INFO_SUFFIX, claim_run

#: Rows per batch (one transaction each). Fixed costs per batch (statements,
#: commit) dominate below ~100k rows; 250k rows of a 31-column tweets file
#: take ~100 MB as Arrow text, twice that while the next one is read ahead.
BATCH_ROWS = 250_000

#: ``progress(source, bytes_done, bytes_total, rows_read)``
Progress = Callable[[str, int, int, int], None]


@dataclass
class SourceResult:
    """Counts of one source (``format`` is the layout used, ``note`` why it was skipped)."""

    source: str
    format: str
    rows_read: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    conflicting_duplicates: int = 0
    note: str = ""
    #: what was filled in because the source lacks it (entities from text, post
    #: ids, retweet targets), by kind
    filled: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestResult:
    """What one ``ingest()`` run read and stored."""

    run_id: str
    sources: list[SourceResult] = field(default_factory=list)
    skipped: list[SourceResult] = field(default_factory=list)
    #: quarantined rows of this run by kind of reason ("bad timestamp", ...)
    quarantine_kinds: dict[str, int] = field(default_factory=dict)
    #: things stored but worth a look: conflicting duplicates, ambiguous ``RT @name``
    warnings: dict[str, int] = field(default_factory=dict)
    #: what the whole-store resolution after the run did (retweets linked to an
    #: original of the same text, ``@name`` mentions resolved to accounts)
    resolved: dict[str, int] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sources)

    @property
    def rows_stored(self) -> int:
        return sum(s.rows_stored for s in self.sources)

    @property
    def rows_quarantined(self) -> int:
        return sum(s.rows_quarantined for s in self.sources)

    @property
    def rows_duplicate(self) -> int:
        return sum(s.rows_duplicate for s in self.sources)

    @property
    def reconciles(self) -> bool:
        """read == stored + quarantined + duplicate, overall and per source."""
        return all(
            s.rows_read == s.rows_stored + s.rows_quarantined + s.rows_duplicate for s in self.sources
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id, "rows_read": self.rows_read, "rows_stored": self.rows_stored,
            "rows_quarantined": self.rows_quarantined, "rows_duplicate": self.rows_duplicate,
            "reconciles": self.reconciles,
            "sources": [asdict(s) for s in self.sources],
            "skipped": [asdict(s) for s in self.skipped],
            "quarantine_kinds": dict(self.quarantine_kinds),
            "warnings": dict(self.warnings),
            "resolved": dict(self.resolved),
        }


@dataclass
class _Plan:
    source: Source
    kind: str  # csv | parquet | json | json-includes | telegram
    layout: Layout
    columns: list[str] = field(default_factory=list)
    delimiter: str = ","
    cr_only: bool = False
    note: str = ""


#: the first key of ``manifest.json`` in a release written by :mod:`infoops.disclose`
_RELEASE_MANIFEST = re.compile(r'\s*\{\s*"format"\s*:\s*"twitter-information-operations-archive"')

_ORDER = {"accounts": 0, "posts": 1, "profile_changes": 2}


def plan_source(source: Source, format: str | None = None,
                mapping: Mapping[str, str] | None = None) -> _Plan | str:
    """Choose how to read one source; a string is the reason to skip it (folders only)."""
    head = source.head()
    if format is not None and format not in ALL_FORMATS:
        preset(format)  # raises with the list of names
    if head.startswith(b"PAR1"):
        import pyarrow.parquet as pq

        with source.open_raw() as raw:
            columns = pq.ParquetFile(raw).schema_arrow.names
        return _tabular_plan(source, "parquet", columns, ",", format, mapping)
    encoding = sniff_encoding(head)
    if encoding is not None:
        return _skip_or_raise(source, f"{encoding} text; infoops reads UTF-8: convert it first "
                              f"(iconv -f {encoding} -t UTF-8 FILE > FILE.utf8)")
    text = sniff_text(head)
    first = text.lstrip()[:1]
    if format is None and mapping is None and _RELEASE_MANIFEST.match(text):
        return _skip_or_raise(source, "a disclosure release's manifest (file checksums), not platform "
                              "data; `infoops disclose --check` reads it")
    if format == "telegram-json" or (format is None and mapping is None and telegram.looks_like_telegram(text)):
        if first != "{":
            raise UnknownFormatError(source.name, "expected a Telegram Desktop JSON export (result.json)")
        return _Plan(source, "telegram", telegram.POSTS_LAYOUT)
    if format in (None, "twitter-json") and mapping is None and twitter_json.INCLUDES_START.match(text):
        return _Plan(source, "json-includes", twitter_json.USERS_LAYOUT)
    if format == "twitter-json" or (format is None and mapping is None and first in ("{", "[")):
        if first not in ("{", "["):
            raise UnknownFormatError(source.name, "expected Twitter JSON (objects or JSON Lines)")
        return _Plan(source, "json", twitter_json.POSTS_LAYOUT)
    if not text.strip():
        return _skip_or_raise(source, "empty file; expected CSV with a header row, JSON or Parquet")
    if text.count("\x00") > len(text) // 10 or "\x00" in text.split("\n", 1)[0]:
        # mostly NUL bytes, or a NUL in the header: not text. A NUL in a
        # row further on quarantines that row, wherever it is
        return _skip_or_raise(source, "binary content; expected CSV, JSON or Parquet (optionally gzip/zip)")
    cr_only = "\r" in text and "\n" not in text.rstrip("\n")
    if cr_only:
        text = text.replace("\r", "\n")
    columns, delimiter = csv_header(text)
    plan = _tabular_plan(source, "csv", columns, delimiter, format, mapping)
    if isinstance(plan, _Plan):
        plan.cr_only = cr_only
    return plan


def _skip_or_raise(source: Source, message: str) -> str:
    if source.in_folder:
        return message
    raise UnknownFormatError(source.name, message)


def _tabular_plan(source: Source, kind: str, columns: list[str], delimiter: str,
                  format: str | None, mapping: Mapping[str, str] | None) -> _Plan | str:
    if format is None and mapping is None and is_truth_header(columns):
        return _skip_or_raise(
            source, "simulator ground truth (userid,operation,role,...), not platform data; "
            "give it to `infoops evaluate --truth`")
    base: Layout | None = None
    if format is not None and format not in PRESETS:
        raise UnknownFormatError(source.name, f"--format {format} expects JSON, this is {kind.upper()}")
    if format is not None:
        base = PRESETS[format]
        if not base.positional:  # a file variant may lack optional columns
            base = only_present(base, set(columns))
    note = ""
    if mapping and base is None and not _names_any(mapping, columns):
        found = layout_for_header(columns)
        if found is not None:  # a mapping for other files: this one reads as what it is
            mapping = None
            base = found
            note = f"the mapping names none of its columns; read as {found.name}"
    if mapping:
        layout = custom_layout(mapping, base)
    elif base is not None:
        layout = base
    else:
        found = layout_for_header(columns)
        if found is None:
            shown = ",".join(columns[:10]) + (",..." if len(columns) > 10 else "")
            shown = "".join(c if c.isprintable() else "?" for c in shown)  # hostile headers
            return _skip_or_raise(
                source,
                f"unknown format (header: {shown[:200]}); expected an IO-archive tweets/users CSV, "
                "Twitter JSON, profile history or a known preset; "
                f"try --format NAME ({', '.join(ALL_FORMATS)}) or --map field=column",
            )
        layout = found
    names = list(layout.positional) if layout.positional else columns
    if layout.positional and len(columns) != len(layout.positional):
        raise MappingError(
            f"{source.name}: format {layout.name} expects {len(layout.positional)} columns "
            f"({','.join(layout.positional)}), the header has {len(columns)}")
    layout.check(names, source.name)
    return _Plan(source, kind, layout, columns, delimiter, note=note)


def _names_any(mapping: Mapping[str, str], columns: list[str]) -> bool:
    """Whether a mapping names a column of this header (options and @-values aside)."""
    from infoops.ingest.fields import POST_FIELDS, TARGET_FIELDS

    fields = set(POST_FIELDS).union(*TARGET_FIELDS.values())
    named = [v for k, v in mapping.items() if k in fields and not str(v).startswith("@")]
    return not named or any(v in columns for v in named)


def _run_id() -> str:
    return f"ingest-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def ingest(
    store: Store,
    paths: str | PathLike[str] | Iterable[str | PathLike[str]],
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | MappingSpec | None = None,
    batch_size: int = BATCH_ROWS,
    progress: Progress | None = None,
    time_range: TimeRange | None = None,
) -> IngestResult:
    """Read files or folders into ``store``; return the reconciled counts.

    Parameters
    ----------
    store: the open store (writer).
    paths: files (CSV, TSV, JSON, JSONL, Parquet; gzip/bz2/xz/zip work as
        they are) or folders of them.
    format: None to detect each source's format from its content, or a
        preset name (``ioarchive-tweets``, ``coortweet``, ``cnt``, ...).
    mapping: canonical field -> source column, for any CSV/Parquet layout
        (on top of ``format`` when both are given); or a
        :class:`~infoops.ingest.fields.MappingSpec` with a mapping (and
        format) per file glob. A plain mapping that names none of a file's
        columns leaves a file of a known layout to that layout (noted).
    batch_size: rows per transaction.
    progress: called after every batch.
    time_range: times a row may carry (default 2006-01-01 to now plus a
        day); rows with a time outside are quarantined as implausible.

    The stored tables do not depend on the order of ``paths`` or on
    ``batch_size``: sources are read in a fixed order, the first row of a
    post id wins, and ``RT @name:`` authors are resolved once every row is
    stored (:func:`~infoops.ingest.writer.resolve_rt_names`).
    """
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    if batch_size < 1:
        raise MappingError("batch_size must be at least 1")
    base = str(Path(store.path).resolve())
    own = {base, base + ".wal", base + ".tmp", base + LOCK_INFO_SUFFIX}
    sources = [s for s in expand(paths) if str(s.path.resolve()) not in own]  # never the store itself
    if not sources:
        raise SourceError(", ".join(map(str, paths)), "no files found; give files or folders of data")
    plans: list[_Plan] = []
    result = IngestResult(_run_id())
    for src in sources:
        if isinstance(mapping, MappingSpec):
            fmt, m, _ = mapping.for_source(src.name)
            plan = plan_source(src, fmt or format, m)
        else:
            plan = plan_source(src, format, mapping)
        if isinstance(plan, str):
            result.skipped.append(SourceResult(src.name, "skipped", note=plan))
        else:
            plans.append(plan)
    # a fixed order (profiles, posts, history; then by name) makes the stored
    # tables the same whatever order the paths were given in
    plans.sort(key=lambda p: (_ORDER[p.layout.target], p.source.name))
    con = store.con
    with store.transaction():
        con.execute(
            "INSERT INTO ingest_runs (run_id, started_at, status, format, sources) "
            "VALUES (?, ?, 'running', ?, ?)",
            [result.run_id, datetime.now(UTC).replace(tzinfo=None),
             ",".join(sorted({p.layout.name for p in plans})), json.dumps([p.source.name for p in plans])],
        )
        claim_run(con, result.run_id, "ingest")
    times = time_range or TimeRange()
    try:
        with checkpoint_every(con):
            _store_sources(store, plans, result, batch_size, times, progress)
        with store.transaction() as tx:
            inferred, linked = resolve_text_retweets(tx)
            ambiguous = resolve_rt_names(tx)
            mentions = resolve_mention_names(tx)
        if inferred:
            result.resolved["retweets with a target inferred from text (whole store)"] = inferred
            result.resolved["of which linked to the original post of that text"] = linked
        if mentions:
            result.resolved["@name mentions resolved to an account"] = mentions
    except BaseException as exc:
        status = "failed" if isinstance(exc, Exception) else "interrupted"
        con.execute("UPDATE ingest_runs SET status = ?, finished_at = ?, detail = ? WHERE run_id = ?",
                    [status, datetime.now(UTC).replace(tzinfo=None),
                     json.dumps(result.to_dict()), result.run_id])
        raise
    conflicting = sum(s.conflicting_duplicates for s in result.sources)
    if conflicting:
        result.warnings["conflicting duplicates (same post id, other content; the first kept)"] = conflicting
    if ambiguous:
        result.warnings["ambiguous RT @name (several accounts share the name; kept as @name)"] = ambiguous
    result.quarantine_kinds = {
        str(k): int(n) for k, n in con.execute(
            "SELECT regexp_replace(reason, '( in column|, found| \\(|:).*$', ''), count(*) FROM quarantine "
            "WHERE run_id = ? GROUP BY 1 ORDER BY 2 DESC, 1", [result.run_id]).fetchall()
    }
    con.execute(
        "UPDATE ingest_runs SET status = 'completed', finished_at = ?, detail = ? WHERE run_id = ?",
        [datetime.now(UTC).replace(tzinfo=None), json.dumps(result.to_dict()), result.run_id],
    )
    return result


def _store_sources(store: Store, plans: list[_Plan], result: IngestResult, batch_size: int,
                   times: TimeRange, progress: Progress | None) -> None:
    """Every batch of every planned source, one transaction each."""
    for plan in plans:
        sr = SourceResult(plan.source.name, plan.layout.name, note=plan.note)
        result.sources.append(sr)
        total = plan.source.size
        for parts, quarantined, done in _read_ahead(plan, batch_size):
            _store_batch(store, result, sr, parts, list(quarantined), times)
            if progress:
                progress(plan.source.name, done(), total, sr.rows_read)


#: DuckDB errors that say the store or the machine failed, not a value: no row is to blame.
_NOT_A_VALUE = (duckdb.IOException, duckdb.OutOfMemoryException, duckdb.InterruptException,
                duckdb.FatalException, duckdb.TransactionException)


def _store_batch(store: Store, result: IngestResult, sr: SourceResult, parts: list[Part],
                 quarantined: list[Quarantined], times: TimeRange) -> None:
    """Write one batch in one transaction; a value the store refuses quarantines its row.

    Such a value should not pass the stage's checks; when one does, the batch
    is split in halves until the row is found, so one bad cell never costs
    the rest of the file.
    """
    try:
        with store.transaction() as tx:
            c = write_batch(tx, result.run_id, sr.source, parts, quarantined, times)
            _add(sr, c)
            _count(tx, result, c)
        return
    except _NOT_A_VALUE as exc:
        raise StoreError(f"{sr.source}: cannot store a batch: {describe_failure(exc)}") from exc
    except duckdb.Error as exc:
        error = exc
    counted = [p for p in parts if p.counted]
    rows = sum(p.table.num_rows for p in counted)
    if rows <= 1:
        bad = list(quarantined)
        for p in counted:
            if p.table.num_rows:
                reason = f"cannot be stored: {' '.join(str(error).split())[:200]}"
                bad.append(row_quarantine(p, 0, reason))
        _store_batch(store, result, sr, [], bad, times)
        return
    # split every counted part in halves (profiles lifted out of posts are left out)
    for half in (0, 1):
        sub = []
        for p in counted:
            mid = p.table.num_rows // 2
            t = p.table.slice(0, mid) if half == 0 else p.table.slice(mid)
            sub.append(Part(p.layout, t, p.counted))
        _store_batch(store, result, sr, sub, quarantined if half == 0 else [], times)


def _count(tx: duckdb.DuckDBPyConnection, result: IngestResult, c: BatchCounts) -> None:
    tx.execute(
        "UPDATE ingest_runs SET rows_read = rows_read + ?, rows_stored = rows_stored + ?, "
        "rows_quarantined = rows_quarantined + ?, rows_duplicate = rows_duplicate + ?, "
        "detail = ? WHERE run_id = ?",
        [c.read, c.stored, c.quarantined, c.duplicate, json.dumps(result.to_dict()), result.run_id],
    )


def _add(sr: SourceResult, c: BatchCounts) -> None:
    sr.rows_read += c.read
    sr.rows_stored += c.stored
    sr.rows_quarantined += c.quarantined
    sr.rows_duplicate += c.duplicate
    sr.conflicting_duplicates += c.conflicting
    for k, v in c.filled.items():
        sr.filled[k] = sr.filled.get(k, 0) + v


def _read_ahead(plan: _Plan, batch_size: int) -> Iterator[tuple[list[Part], list, Callable[[], int]]]:
    """:func:`_batches`, each parsed by a reader thread while the one before is written.

    The bytes done are taken when a batch is read, so progress reports the
    batch handed on, not the one the reader is parsing.
    """
    def taken() -> Iterator[tuple[list[Part], list, Callable[[], int]]]:
        for parts, quarantined, done in _batches(plan, batch_size):
            n = done()
            yield parts, quarantined, lambda n=n: n  # type: ignore[misc]

    return prefetch(taken())


def _batches(plan: _Plan, batch_size: int) -> Iterator[tuple[list[Part], list, Callable[[], int]]]:
    """(parts, quarantined rows, bytes-done getter) per batch of a planned source."""
    pos = [0]

    def seen(n: int) -> None:
        pos[0] = n

    if plan.kind == "json-includes":
        for b in twitter_json.read_v2_includes(plan.source, batch_size):
            yield [Part(plan.layout, b.table)], b.quarantined, lambda: plan.source.size
        return
    if plan.kind == "telegram":
        for posts, stubs in telegram.read_telegram(plan.source, batch_size, seen):
            yield ([Part(twitter_json.STUBS_LAYOUT, stubs.table, counted=False),
                    Part(plan.layout, posts.table)], posts.quarantined, lambda: plan.source.size)
        return
    if plan.kind == "json":
        for posts, stubs in twitter_json.read_json(plan.source, batch_size, seen):
            yield ([Part(twitter_json.STUBS_LAYOUT, stubs.table, counted=False),
                    Part(plan.layout, posts.table)], posts.quarantined, lambda: plan.source.size)
        return
    if plan.kind == "parquet":
        batches = tabular.read_parquet(plan.source, batch_size, seen)
    else:
        batches = tabular.read_csv(plan.source, plan.columns, plan.delimiter, batch_size, seen,
                                   rename=plan.layout.positional, cr_only=plan.cr_only)
    for b in batches:
        yield [Part(plan.layout, b.table)], b.quarantined, lambda: pos[0]
