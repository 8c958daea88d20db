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

    def __call__(self, source: str, done: int, total: int, rows: int) -> None:
        now = time.monotonic()
        if source == self._source and now - self._last < self.every and done < total:
            return
        self._last, self._source = now, source
        pct = f" {min(100.0, 100.0 * done / total):5.1f}%" if total else ""
        self.stream.write(f"\r{source}: {rows:,} rows{pct}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def format_result(result: IngestResult) -> str:
    """Counts per source and in total; skipped sources with their reason."""
    lines = []
    for s in result.sources:
        lines.append(f"{s.source} [{s.format}]: read {s.rows_read:,}, stored {s.rows_stored:,}, "
                     f"quarantined {s.rows_quarantined:,}, duplicate {s.rows_duplicate:,}")
    for s in result.skipped:
        lines.append(f"{s.source}: skipped ({s.note})")
    if result.quarantine_kinds:
        lines.append("quarantined by kind: " + ", ".join(f"{k} {n:,}" for k, n in result.quarantine_kinds.items())
                     + " (see the quarantine table)")
    for what, n in result.warnings.items():
        lines.append(f"warning: {n:,} {what}")
    ok = "reconciles" if result.reconciles else "DOES NOT RECONCILE"
    lines.append(f"total: read {result.rows_read:,} = stored {result.rows_stored:,} + quarantined "
                 f"{result.rows_quarantined:,} + duplicate {result.rows_duplicate:,} ({ok}); "
                 f"run {result.run_id}")
    return "\n".join(lines)
