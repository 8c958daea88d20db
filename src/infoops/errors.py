"""The infoops exception family.

Core code raises these; the edges (CLI, web) translate them into a one-line
message and a non-zero exit or an HTTP error. Messages say what to do next.
"""

from __future__ import annotations


class InfoopsError(Exception):
    """Base class of every error infoops raises on purpose."""

    exit_code = 1


class StoreError(InfoopsError):
    """The store cannot be opened, migrated or written."""


class SchemaVersionError(StoreError):
    """The store was written by a newer infoops than this one."""


class SourceError(InfoopsError):
    """An input source cannot be read at all (missing file, unknown format)."""

    exit_code = 2

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class UnknownFormatError(SourceError):
    """Format detection found no reader for a source."""


class MappingError(InfoopsError):
    """A column mapping is incomplete or names columns the file lacks."""

    exit_code = 2


class DetectionError(InfoopsError):
    """Detection cannot run (empty store, bad parameters)."""


class NotFoundError(InfoopsError):
    """A named account, network, run or case does not exist."""


class EvaluationError(InfoopsError):
    """Evaluation inputs are missing or inconsistent."""


class SimulationError(InfoopsError):
    """The simulator was asked for something it cannot build."""

    exit_code = 2


class DisclosureError(InfoopsError):
    """A release cannot be made or checked (no secret, bad name, folder in use)."""

    exit_code = 2
