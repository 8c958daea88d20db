"""Stream CSV and Parquet sources as raw Arrow batches with line numbers.

CSV is parsed by Arrow's streaming reader (every column as text), so memory
stays bounded by the batch size whatever the file size. Rows Arrow cannot
split into the header's number of fields, and rows with invalid UTF-8, are
quarantined here with their physical line number and raw text; every other
row goes on, with a ``_line`` column, to the SQL stage.

Physical line numbers: Arrow numbers records, not lines. A record's line is
its record number plus the line breaks inside the quoted fields of the
records before it, which is computed per batch from the data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from infoops.errors import SourceError
from infoops.ingest.sources import Source
from infoops.ingest.writer import Quarantined

#: Arrow reads this many bytes at a time (rows are then regrouped into batches).
BLOCK_SIZE = 4 << 20
UTF8_HINT = "invalid UTF-8; re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)"


@dataclass
class RawBatch:
    """Rows of one source ready for staging, plus the rows already rejected."""

    table: pa.Table
    quarantined: list[Quarantined] = field(default_factory=list)


class _Lines:
    """Maps Arrow's record numbers to physical line numbers, batch by batch."""

    def __init__(self) -> None:
        self.next_record = 2  # record 1 is the header
        self.extra_newlines = 0
        self.invalid: list[tuple[int, str, int, int]] = []  # number, text, expected, actual

    def handler(self, row: pacsv.InvalidRow) -> str:
        self.invalid.append((int(row.number or 0), row.text, row.expected_columns, row.actual_columns))
        return "skip"

    def assign(self, newlines: np.ndarray, final: bool = False) -> tuple[np.ndarray, list[Quarantined]]:
        """Lines of the next ``len(newlines)`` valid records, and the invalid ones among them."""
        n = len(newlines)
        records = self.next_record + np.arange(n, dtype=np.int64)
        pending = sorted(self.invalid)
        taken: list[tuple[int, str, int, int]] = []
        for item in pending:
            if final or (n and item[0] <= records[-1]):
                if n:
                    records[records >= item[0]] += 1
                taken.append(item)
            else:
                break
        self.invalid = pending[len(taken):]
        inv_rec = np.array([t[0] for t in taken], dtype=np.int64)
        inv_nl = np.array([t[1].count("\n") for t in taken], dtype=np.int64)
        all_rec = np.concatenate([records, inv_rec])
        all_nl = np.concatenate([newlines.astype(np.int64), inv_nl])
        order = np.argsort(all_rec, kind="stable")
        nl_sorted = all_nl[order]
        before = self.extra_newlines + np.cumsum(nl_sorted) - nl_sorted
        lines = np.empty_like(all_rec)
        lines[order] = all_rec[order] + before
        self.extra_newlines += int(all_nl.sum())
        if n:
            self.next_record = int(records[-1]) + 1
        if taken:
            self.next_record = max(self.next_record, int(inv_rec.max()) + 1)
        bad = []
        for (num, text, expected, actual), line in zip(taken, lines[n:]):
            if not text.strip():
                continue  # a blank line is not a row
            bad.append(Quarantined(int(line), f"expected {expected} fields, found {actual}", text))
        return lines[:n], bad


def read_csv(
    source: Source,
    columns: list[str],
    delimiter: str,
    batch_size: int,
    progress: Callable[[int], None] | None = None,
    rename: tuple[str, ...] = (),
) -> Iterator[RawBatch]:
    """Yield raw batches of a CSV source (all columns as text)."""
    raw = source.open_raw()
    stream = source.open(raw)
    lines = _Lines()
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                invalid_row_handler=lines.handler,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns}, check_utf8=False,
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
        pending = pa.Table.from_batches([], schema=reader.schema)
        for rb in _batches(reader, source):
            pending = pa.concat_tables([pending, pa.Table.from_batches([rb])])
            while pending.num_rows >= batch_size:
                if progress:
                    progress(raw.tell())
                yield _finish(pending.slice(0, batch_size), lines, rename)
                pending = pending.slice(batch_size)
        if progress:
            progress(source.size)
        yield _finish(pending, lines, rename, final=True)
    finally:
        stream.close()
        raw.close()


def _batches(reader: pacsv.CSVStreamingReader, source: Source) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            rb = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            raise SourceError(source.name, f"cannot read as CSV ({exc}); check the file is complete") from exc
        yield rb


def _finish(table: pa.Table, lines: _Lines, rename: tuple[str, ...], final: bool = False) -> RawBatch:
    n = table.num_rows
    newlines = np.zeros(n, dtype=np.int64)
    if n:
        for col in table.columns:
            counts = pc.count_substring(col, "\n")
            if pc.max(counts).as_py():
                newlines += counts.to_numpy(zero_copy_only=False)
    line_numbers, bad = lines.assign(newlines, final=final)
    keep = np.ones(n, dtype=bool)
    if n:
        keep &= ~_blank_rows(table)
        for i, col in enumerate(table.columns):
            try:
                col.validate(full=True)
            except pa.ArrowInvalid:
                for j, ok in enumerate(_utf8_ok(col)):
                    if not ok and keep[j]:
                        keep[j] = False
                        bad.append(Quarantined(int(line_numbers[j]),
                                               f"{UTF8_HINT} (column {table.column_names[i]})",
                                               _raw_row(table, j)))
    table = table.append_column("_line", pa.array(line_numbers, pa.int64()))
    if not keep.all():
        table = table.filter(pa.array(keep))
    if rename and len(rename) == len(table.column_names) - 1:
        table = table.rename_columns([*rename, "_line"])
    bad.sort(key=lambda b: b.line or 0)
    return RawBatch(table, bad)


def _blank_rows(table: pa.Table) -> np.ndarray:
    """Rows whose every field is empty (blank lines)."""
    first = pc.equal(table.column(0), "").to_numpy(zero_copy_only=False)
    if not first.any():
        return first
    mask = first
    for col in table.columns[1:]:
        mask = mask & pc.equal(col, "").to_numpy(zero_copy_only=False)
    return mask


def _utf8_ok(col: pa.ChunkedArray) -> list[bool]:
    out = []
    for v in col.cast(pa.binary()).to_pylist():
        try:
            (v or b"").decode("utf-8")
            out.append(True)
        except UnicodeDecodeError:
            out.append(False)
    return out


def _raw_row(table: pa.Table, j: int) -> str:
    values = []
    for col in table.columns:
        v = col.cast(pa.binary())[j].as_py() or b""
        values.append(v.decode("utf-8", errors="backslashreplace"))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(values)
    return buf.getvalue()


def read_parquet(
    source: Source, batch_size: int, progress: Callable[[int], None] | None = None
) -> Iterator[RawBatch]:
    """Yield raw batches of a Parquet source; ``_line`` is the 1-based row number."""
    raw = source.open_raw()
    try:
        try:
            pf = pq.ParquetFile(raw)
        except (pa.ArrowInvalid, OSError) as exc:
            raise SourceError(source.name, f"cannot read as Parquet ({exc})") from exc
        start = 1
        for rb in pf.iter_batches(batch_size=batch_size):
            cols = {}
            for name, col in zip(rb.schema.names, rb.columns):
                if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
                    cols[name] = col.cast(pa.list_(pa.string()))
                elif pa.types.is_string(col.type):
                    cols[name] = col
                else:
                    cols[name] = col.cast(pa.string())
            cols["_line"] = pa.array(np.arange(start, start + rb.num_rows), pa.int64())
            start += rb.num_rows
            if progress:
                progress(int(source.size * min(1.0, (start - 1) / max(1, pf.metadata.num_rows))))
            yield RawBatch(pa.table(cols))
    finally:
        raw.close()
