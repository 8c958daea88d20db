"""Stream CSV and Parquet sources as raw Arrow batches with line numbers.

CSV is parsed by Arrow's streaming reader (every column as text), so memory
stays bounded by the batch size whatever the file size. Rows Arrow cannot
split into the header's number of fields, and rows with invalid UTF-8, are
quarantined here with their physical line number and raw text; every other
row goes on, with a ``_line`` column, to the SQL stage.

Physical line numbers: Arrow numbers records, not lines. A record's line is
its record number plus the line breaks inside the quoted fields of the
records before it, which is computed per batch from the data, plus the lines
:class:`~infoops.ingest.guard.LineGuard` removed before it (blank lines and
over-long lines, which it quarantines).

A stray quote opens a field that runs on over the next lines until another
quote closes it. When the record that results has the wrong number of fields,
its first line is quarantined (the reason names the line range and how many
rows it swallowed) and every following line is read again on its own: a line
with the header's number of fields is stored, any other is quarantined with
its own line number (re-synchronisation).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from infoops.errors import SourceError
from infoops.ingest.guard import LineGuard
from infoops.ingest.sources import Source
from infoops.ingest.writer import Quarantined

#: Arrow reads this many bytes at a time (rows are then regrouped into batches).
BLOCK_SIZE = 4 << 20
UTF8_HINT = "invalid UTF-8; re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)"
NUL_HINT = "NUL byte in column {}; remove NUL bytes (tr -d '\\000' < in > out) if the row is wanted"
#: Invalid rows held before they are flushed as a batch of their own (bounds memory
#: when a file has no valid rows at all).
MAX_PENDING_INVALID = 10_000


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

    def assign(self, newlines: np.ndarray, final: bool = False) -> tuple[np.ndarray, list[tuple[int, str, int, int]]]:
        """Output lines of the next ``len(newlines)`` valid records, and the invalid
        records among them as (output line, text, expected fields, actual fields)."""
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
        invalid = [(int(line), text, expected, actual)
                   for (_, text, expected, actual), line in zip(taken, lines[n:], strict=False)]
        return lines[:n], invalid


def read_csv(
    source: Source,
    columns: list[str],
    delimiter: str,
    batch_size: int,
    progress: Callable[[int], None] | None = None,
    rename: tuple[str, ...] = (),
    cr_only: bool = False,
) -> Iterator[RawBatch]:
    """Yield raw batches of a CSV source (all columns as text).

    ``cr_only``: the file ends its lines with ``\\r`` alone (classic Mac).
    """
    raw, stream, guard, lines, reader = _open_csv(source, columns, delimiter, cr_only)
    if any(not pa.types.is_string(f.type) for f in reader.schema):
        # the header as Arrow reads it (invalid UTF-8 escaped by the guard)
        # names columns otherwise than the sniffed one: read again with its names,
        # so that every column stays text
        stream.close()
        raw.close()
        raw, stream, guard, lines, reader = _open_csv(source, reader.schema.names, delimiter, cr_only)
    try:
        pending = pa.Table.from_batches([], schema=reader.schema)
        parsed = yielded = 0
        for rb in _batches(reader, source):
            pending = pa.concat_tables([pending, pa.Table.from_batches([rb])])
            parsed += rb.num_rows
            while pending.num_rows >= batch_size:
                yielded += batch_size
                if progress:
                    # the parser reads ahead of the rows handed on: count the bytes
                    # of the rows handed on, at the mean size of the rows parsed
                    progress(int(raw.tell() * yielded / max(parsed, 1)))
                yield _finish(pending.slice(0, batch_size), lines, guard, rename, delimiter)
                pending = pending.slice(batch_size)
            if len(lines.invalid) >= MAX_PENDING_INVALID or len(guard.long_lines) >= MAX_PENDING_INVALID:
                # every invalid row so far precedes every row still to come
                yielded += pending.num_rows
                yield _finish(pending, lines, guard, rename, delimiter, final=True)
                pending = pending.slice(pending.num_rows)
        if progress:
            progress(source.size)
        yield _finish(pending, lines, guard, rename, delimiter, final=True)
    finally:
        stream.close()
        raw.close()


def _open_csv(source: Source, columns: list[str], delimiter: str, cr_only: bool
              ) -> tuple[Any, Any, LineGuard, _Lines, pacsv.CSVStreamingReader]:
    """A streaming reader of ``source`` that reads the named columns as text."""
    raw = source.open_raw()
    stream = source.open(raw)
    guard = LineGuard(stream, cr_only=cr_only)
    lines = _Lines()
    try:
        reader = pacsv.open_csv(
            guard,
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
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        stream.close()
        raw.close()
        raise _unreadable(source, exc) from exc
    return raw, stream, guard, lines, reader


def _unreadable(source: Source, exc: BaseException) -> SourceError:
    return SourceError(source.name, f"cannot read as CSV ({' '.join(str(exc).split())[:300]}); "
                                    "check the file is complete")


def _batches(reader: pacsv.CSVStreamingReader, source: Source) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            rb = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            raise _unreadable(source, exc) from exc
        yield rb


def _finish(table: pa.Table, lines: _Lines, guard: LineGuard, rename: tuple[str, ...],
            delimiter: str, final: bool = False) -> RawBatch:
    n = table.num_rows
    newlines = np.zeros(n, dtype=np.int64)
    if n:
        for col in table.columns:
            if not _may_hold_newline(col):
                continue
            counts = pc.count_substring(col, "\n")
            if pc.max(counts).as_py():
                newlines += counts.to_numpy(zero_copy_only=False)
    out_lines, invalid = lines.assign(newlines, final=final)
    keep = np.ones(n, dtype=bool)
    ncols = table.num_columns
    for j, text in _swallowing_rows(table, newlines, delimiter):
        keep[j] = False
        invalid.append((int(out_lines[j]), text, ncols, ncols))
    bad: list[tuple[int, int, str, str]] = []       # output line, last output line, reason, raw
    recovered: list[list[str]] = []
    recovered_at: list[int] = []
    for line, text, expected, actual in invalid:
        if not text.strip():
            continue  # a blank line is not a row
        parts = text.split("\n")
        if len(parts) > 1 and parts[-1] == "":  # a quote left open at the end of the file
            parts.pop()
        if len(parts) == 1:
            bad.append((line, line, f"expected {expected} fields, found {actual}", text))
            continue
        # a quote ran over several lines: quarantine its line, read the others again
        last = line + len(parts) - 1
        what = f"expected {expected} fields, found {actual}" if expected != actual else "stray quote"
        reason = (f"{what}: a quote on this line opened a field that ran over lines "
                  f"{{first}}-{{last}} ({len(parts)} rows affected); the other lines were read on their own")
        bad.append((line, last, reason, parts[0]))
        for j, part in enumerate(parts[1:], 1):
            part = part.rstrip("\r")
            if not part.strip():
                continue
            fields = next(csv.reader([part], delimiter=delimiter), [])
            if len(fields) == expected:
                recovered.append(fields)
                recovered_at.append(line + j)
            else:
                why = f"expected {expected} fields, found {len(fields)} (after the stray quote on line {{first}})"
                bad.append((line + j, line + j, why, part))
    # every output line number of this batch, turned into the file's, in one call
    asked = np.concatenate([out_lines, np.array([b[0] for b in bad], dtype=np.int64),
                            np.array([b[1] for b in bad], dtype=np.int64),
                            np.array(recovered_at, dtype=np.int64)])
    order = np.argsort(asked, kind="stable")
    phys = np.empty_like(asked)
    phys[order] = guard.physical(asked[order])
    line_numbers = phys[:n]
    first_of = phys[n:n + len(bad)]
    last_of = phys[n + len(bad):n + 2 * len(bad)]
    rec_lines = phys[n + 2 * len(bad):]
    if recovered:  # the re-read lines join the batch and get the same checks
        extra = pa.table({name: pa.array([r[i] for r in recovered], pa.string())
                          for i, name in enumerate(table.column_names)})
        table = pa.concat_tables([table, extra.cast(table.schema)])
        line_numbers = np.concatenate([line_numbers, rec_lines])
        newlines = np.concatenate([newlines, np.zeros(len(recovered), dtype=np.int64)])
        keep = np.concatenate([keep, np.ones(len(recovered), dtype=bool)])
        n = table.num_rows
    quarantined = []
    for (_, _, reason, raw), first, last in zip(bad, first_of, last_of, strict=False):
        q = Quarantined(int(first), reason.replace("{first}", str(first)).replace("{last}", str(last)), raw)
        if last != first:
            q.last_line = int(last)
        quarantined.append(q)
    for long in guard.take_long_lines():
        quarantined.append(Quarantined(
            long.line, f"line too long: {long.size:,} bytes, over the {guard.max_line:,}-byte limit "
            "(first bytes kept); split the field or remove the row",
            long.head.decode("utf-8", "backslashreplace")))
    bad_utf8 = guard.take_bad_utf8(None if final or not n else int((line_numbers + newlines).max()))
    if bad_utf8 and n:
        starts = np.asarray(line_numbers)
        ends = starts + newlines
        for bl in bad_utf8:
            for j in np.flatnonzero((starts <= bl) & (bl <= ends)).tolist():
                if keep[j]:
                    keep[j] = False
                    col = next((c for c in table.column_names if "\\x" in (table.column(c)[int(j)].as_py() or "")),
                               table.column_names[0])
                    quarantined.append(Quarantined(int(starts[j]), f"{UTF8_HINT} (column {col})",
                                                   _raw_row(table, int(j))))
    if n:
        keep &= ~_blank_rows(table)
        # no UTF-8 check here: the line guard hands Arrow valid UTF-8 only
        # (invalid bytes escaped, their rows quarantined above)
        if guard.saw_nul:
            for i, col in enumerate(table.columns):
                hits = pc.fill_null(pc.match_substring(col, "\x00"), False).to_numpy(zero_copy_only=False)
                for j in np.flatnonzero(hits & keep).tolist():
                    keep[j] = False
                    quarantined.append(Quarantined(int(line_numbers[j]), NUL_HINT.format(table.column_names[i]),
                                                   _raw_row(table, int(j))))
    table = table.append_column("_line", pa.array(line_numbers, pa.int64()))
    if not keep.all():
        table = table.filter(pa.array(keep))
    if rename and len(rename) == len(table.column_names) - 1:
        table = table.rename_columns([*rename, "_line"])
    quarantined.sort(key=lambda b: b.line or 0)
    return RawBatch(table, quarantined)


#: Files with at least this many columns are checked for rows a stray quote merged
#: into one valid-looking record (a text line with that many fields by chance is
#: implausible; with fewer columns it is not).
MIN_COLUMNS_FOR_MERGE_CHECK = 6


def _swallowing_rows(table: pa.Table, newlines: np.ndarray, delimiter: str) -> list[tuple[int, str]]:
    """Rows whose one multi-line field holds whole records: a stray quote opened it.

    Returns (row index, the record's lines as they were in the file, as far as
    they can be rebuilt: the quote that opened the field and the one that
    closed it put back).
    """
    ncols = table.num_columns
    rows = np.flatnonzero(newlines)
    if ncols < MIN_COLUMNS_FOR_MERGE_CHECK or not len(rows):
        return []
    out = []
    sub = table.take(pa.array(rows)).to_pylist()
    names = table.column_names
    for j, rec in zip(rows, sub, strict=False):
        values = [rec[c] or "" for c in names]
        multi = [i for i, v in enumerate(values) if "\n" in v]
        if len(multi) != 1:
            continue
        k = multi[0]
        parts = values[k].split("\n")
        if not any(p.count(delimiter) >= ncols - 1 and
                   len(next(csv.reader([p.rstrip("\r")], delimiter=delimiter), [])) == ncols
                   for p in parts[1:-1]):
            continue
        prefix = _csv_join(values[:k], delimiter)
        suffix = _csv_join(values[k + 1:], delimiter)
        first = (prefix + delimiter if k else "") + '"' + parts[0]
        if parts[-1] == "" and k == ncols - 1:  # never closed: the file ended inside the field
            out.append((int(j), "\n".join([first, *parts[1:-1]])))
            continue
        last = parts[-1] + '"' + (delimiter + suffix if k < ncols - 1 else "")
        out.append((int(j), "\n".join([first, *parts[1:-1], last])))
    return out


def _csv_join(values: list[str], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="").writerow(values)
    return buf.getvalue()


def _blank_rows(table: pa.Table) -> np.ndarray:
    """Rows whose every field is empty (blank lines)."""
    first = pc.equal(table.column(0), "").to_numpy(zero_copy_only=False)
    if not first.any():
        return first
    mask = first
    for col in table.columns[1:]:
        mask = mask & pc.equal(col, "").to_numpy(zero_copy_only=False)
    return mask


def _may_hold_newline(col: pa.ChunkedArray) -> bool:
    """False when no value of the text column holds a line break.

    Looks at the bytes of the column's data buffers (a slice may share a
    larger buffer: a break outside the slice only costs the exact count).
    Counting per value in every column took a tenth of reading a batch.
    """
    for chunk in col.chunks:
        buffers = chunk.buffers()
        data = buffers[2] if len(buffers) >= 3 else None
        if data is None:
            continue
        if (np.frombuffer(data, dtype=np.uint8) == 10).any():
            return True
    return False


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
            for name, col in zip(rb.schema.names, rb.columns, strict=False):
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
