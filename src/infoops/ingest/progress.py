"""Progress and result text for the ingest command (stderr / stdout)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from infoops.ingest.run import IngestResult


class ProgressPrinter:
    """Prints ``source: rows (percent)`` to stderr, at most a few times a second."""

    def __init__(self, stream: TextIO | None = None, every: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self._last = 0.0
        self._source = ""
        self._open = False  # a line written without its newline yet

    def __call__(self, source: str, done: int, total: int, rows: int) -> None:
        now = time.monotonic()
        if source == self._source and now - self._last < self.every and done < total:
            return
        if self._open and source != self._source:
            self.stream.write("\n")
        self._last, self._source = now, source
        pct = f" {min(100.0, 100.0 * done / total):5.1f}%" if total else ""
        self.stream.write(f"\r{source}: {rows:,} rows{pct}")
        self._open = True
        if total and done >= total:
            self.stream.write("\n")
            self._open = False
        self.stream.flush()

    def close(self) -> None:
        """End a progress line left open, before the summary is printed."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


def format_result(result: IngestResult) -> str:
    """Counts per source and in total; skipped sources with their reason."""
    lines = []
    for s in result.sources:
        lines.append(f"{s.source} [{s.format}]: read {s.rows_read:,}, stored {s.rows_stored:,}, "
                     f"quarantined {s.rows_quarantined:,}, duplicate {s.rows_duplicate:,}")
        if s.note:
            lines.append(f"  note: {s.note}")
        if s.filled:
            lines.append("  filled in (the source has no column for them): "
                         + ", ".join(f"{k} {n:,}" for k, n in s.filled.items()))
    for s in result.skipped:
        lines.append(f"{s.source}: skipped ({s.note})")
    if result.quarantine_kinds:
        lines.append("quarantined by kind: " + ", ".join(f"{k} {n:,}" for k, n in result.quarantine_kinds.items())
                     + " (see the quarantine table)")
    for what, n in result.warnings.items():
        lines.append(f"warning: {n:,} {what}")
    for what, n in result.resolved.items():
        lines.append(f"inferred: {what}: {n:,}")
    ok = "reconciles" if result.reconciles else "DOES NOT RECONCILE"
    lines.append(f"total: read {result.rows_read:,} = stored {result.rows_stored:,} + quarantined "
                 f"{result.rows_quarantined:,} + duplicate {result.rows_duplicate:,} ({ok}); "
                 f"run {result.run_id}")
    return "\n".join(lines)
