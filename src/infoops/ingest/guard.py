"""A byte stream between a CSV file and Arrow's reader that keeps memory bounded.

:class:`LineGuard` reads the decompressed file in chunks and hands Arrow the
same bytes, except:

- **over-long lines** (more than :data:`MAX_LINE_BYTES`, e.g. a 50 MB
  field) are cut out and quarantined with their line number and first bytes.
  Arrow needs a whole record inside one read block, so such a line would
  otherwise stop the file ("straddling object");
- **blank lines** between records are dropped (blank lines inside a quoted
  field are kept). Arrow reports each blank line as an invalid row, through a
  Python call each; a file of a billion newlines would take hours and, kept
  as row numbers, gigabytes;
- **CR-only line endings** (classic Mac) become ``\\n``;
- **invalid UTF-8** bytes are written as ``\\xNN`` text and their lines
  remembered (:attr:`bad_utf8_lines`), so the reader quarantines the rows
  on them (Arrow cannot even report a malformed row that is not UTF-8).

What it removed is remembered as break points (output line → lines removed
before it), so :meth:`physical` turns Arrow's line numbers back into the
file's. Memory: one chunk, one line of at most :data:`MAX_LINE_BYTES`, and
the break points not yet passed by the reader.

Whether a blank line is between records or inside a quoted field is told by
the parity of the quotes before it, counted at C speed (``bytes.count``);
an escaped quote (``""``) does not change the parity.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa

#: Longest physical line read as a row; longer ones are quarantined.
MAX_LINE_BYTES = 1 << 20
#: Bytes read from the file at a time (at most MAX_LINE_BYTES, see _fill).
CHUNK_BYTES = 1 << 20
#: Bytes of an over-long line kept in the quarantine.
HEAD_BYTES = 2000

_BLANKS = re.compile(rb"\n((?:\r?\n)+)")
_LEADING_BLANKS = re.compile(rb"(?:\r?\n)+")


def _valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 (Arrow's validator: a fifth of the time of
    ``bytes.decode``, which also builds the text)."""
    try:
        pa.array([data], pa.binary()).view(pa.string()).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _scan(data: bytes) -> tuple[int, bool]:
    """(line breaks in ``data``, whether it may hold a blank line: ``\\n\\n``,
    ``\\n\\r\\n`` or a break at its start).

    One pass with numpy over the positions of the line breaks; searching the
    bytes for ``\\n\\n`` and ``\\n\\r\\n`` took longer than Arrow's parse of them.
    """
    if data.startswith((b"\n", b"\r\n")):
        return data.count(b"\n"), True
    at = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    if len(at) < 2:
        return len(at), False
    gap = np.diff(at)
    if (gap == 1).any():
        return len(at), True
    two = at[:-1][gap == 2]  # a break, one byte, a break: a blank line when that byte is CR
    if not len(two) or b"\r" not in data:
        return len(at), False
    return len(at), bool((np.frombuffer(data, dtype=np.uint8)[two + 1] == 13).any())


@dataclass
class LongLine:
    line: int
    size: int
    head: bytes


class LineGuard(io.RawIOBase):
    """Wrap a binary stream; see the module docstring."""

    def __init__(self, stream: BinaryIO, *, cr_only: bool = False,
                 max_line: int = MAX_LINE_BYTES) -> None:
        self.stream = stream
        self.cr_only = cr_only
        self.max_line = max_line
        self.chunk = min(CHUNK_BYTES, max_line)
        self._out = bytearray()
        self._tail = b""          # the current line, not yet complete
        self._skipping = 0         # bytes of an over-long line dropped so far (0: not skipping)
        self._skip_head = b""
        self._eof = False
        self._parity = 0           # quotes seen so far, mod 2
        self.in_line = 1           # physical line number of the start of _tail
        self.out_lines = 0         # newlines handed to the reader
        self.removed = 0           # physical lines dropped so far
        self._breaks: list[tuple[int, int]] = []   # (first output line affected, removed total)
        self._base_removed = 0
        self.long_lines: list[LongLine] = []
        self.saw_nul = False
        self.bytes_in = 0
        self.bad_utf8_lines: list[int] = []

    # -- io.RawIOBase --------------------------------------------------------
    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        n = len(b)
        while len(self._out) < n and not self._eof:
            self._fill()
        k = min(n, len(self._out))
        b[:k] = self._out[:k]
        del self._out[:k]
        return k

    def close(self) -> None:
        super().close()

    # -- line numbers ---------------------------------------------------------
    def physical(self, lines: np.ndarray) -> np.ndarray:
        """The file's line numbers of output line numbers (ascending calls)."""
        if not self._breaks:
            return lines + self._base_removed
        th = np.array([b[0] for b in self._breaks], dtype=np.int64)
        cum = np.array([self._base_removed] + [b[1] for b in self._breaks], dtype=np.int64)
        out = lines + cum[np.searchsorted(th, lines, side="right")]
        if len(lines):  # break points before what was asked are not needed again
            top = int(lines.max())
            keep = [b for b in self._breaks if b[0] > top]
            passed = [b for b in self._breaks if b[0] <= top]
            if passed:
                self._base_removed = passed[-1][1]
            self._breaks = keep
        return out

    def take_long_lines(self) -> list[LongLine]:
        out, self.long_lines = self.long_lines, []
        return out

    # -- the filter -------------------------------------------------------------
    def _read_chunk(self) -> bytes:
        data = self.stream.read(self.chunk)
        if data:
            self.bytes_in += len(data)
            if self.cr_only:
                data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return data

    def _fill(self) -> None:
        chunk = self._read_chunk()
        if not chunk:
            self._eof = True
            if self._skipping:
                self._end_long_line(0)
            elif self._tail:
                if len(self._tail) > self.max_line:
                    self._drop_long(self._tail)
                else:
                    self._emit(self._tail)
                self._tail = b""
            return
        if self._skipping:
            idx = chunk.find(b"\n")
            if idx < 0:
                self._skipping += len(chunk)
                return
            self._end_long_line(idx)
            chunk = chunk[idx + 1:]
        data = self._tail + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            if len(data) > self.max_line:
                self._skip_head = data[:HEAD_BYTES]
                self._skipping = len(data)
                self._tail = b""
            else:
                self._tail = data
            return
        complete, self._tail = data[:cut + 1], data[cut + 1:]
        # only the first line can be longer than a chunk (it carries the old tail)
        first = complete.find(b"\n")
        if first > self.max_line:
            self._drop_long(complete[:first])
            complete = complete[first + 1:]
        if complete:
            self._emit(complete)

    def _escape_invalid_utf8(self, data: bytes) -> bytes:
        lines = data.split(b"\n")
        for i, line in enumerate(lines):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_utf8_lines.append(self.in_line + i)
                lines[i] = line.decode("utf-8", "backslashreplace").encode("utf-8")
        return b"\n".join(lines)

    def take_bad_utf8(self, last_line: int | None) -> list[int]:
        """Lines with invalid UTF-8 up to ``last_line`` (all when None), forgotten once taken."""
        if last_line is None:
            out, self.bad_utf8_lines = self.bad_utf8_lines, []
        else:
            out = [x for x in self.bad_utf8_lines if x <= last_line]
            self.bad_utf8_lines = self.bad_utf8_lines[len(out):]
        return out

    def _drop_long(self, line: bytes) -> None:
        self.long_lines.append(LongLine(self.in_line, len(line), line[:HEAD_BYTES]))
        self._remove(1)
        self.in_line += 1

    def _end_long_line(self, extra: int) -> None:
        self.long_lines.append(LongLine(self.in_line, self._skipping + extra, self._skip_head))
        self._skipping, self._skip_head = 0, b""
        self._remove(1)
        self.in_line += 1

    def _remove(self, k: int) -> None:
        """Drop ``k`` physical lines at the current output position."""
        self.removed += k
        self._breaks.append((self.out_lines + 1, self.removed))

    def _emit(self, data: bytes) -> None:
        """Hand complete lines (and, at the end, the last line) to the reader."""
        if b"\x00" in data:
            self.saw_nul = True
        if not _valid_utf8(data):
            data = self._escape_invalid_utf8(data)
        newlines, blank = _scan(data)
        self.in_line += newlines
        if not blank:
            self._parity ^= data.count(b'"') & 1
            self.out_lines += newlines
            self._out += data
            return
        pos = 0   # emitted up to here
        qpos = 0  # quotes counted up to here
        lead = _LEADING_BLANKS.match(data)
        spans = [(0, lead.end())] if lead and not self._parity else []
        for m in _BLANKS.finditer(data, lead.end() if lead else 0):
            spans.append(m.span(1))
        for start, end in spans:
            self._parity ^= data.count(b'"', qpos, start) & 1
            qpos = start
            if self._parity:
                continue  # inside a quoted field: the blank lines are text
            keep = data[pos:start]
            self.out_lines += keep.count(b"\n")
            self._out += keep
            self._remove(data.count(b"\n", start, end))
            pos = qpos = end
        self._parity ^= data.count(b'"', qpos) & 1
        rest = data[pos:]
        self.out_lines += rest.count(b"\n")
        self._out += rest
