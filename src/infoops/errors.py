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


class StoreBusyError(StoreError):
    """Another process holds the store's write lock; retry when it ends.

    Its own exit code (75, ``EX_TEMPFAIL`` in sysexits.h) lets scripts wait
    and retry instead of treating the store as broken.
    """

    exit_code = 75


class NotAStoreError(StoreError):
    """The ``--db`` file exists but is not a DuckDB store (SQLite, CSV, ...)."""

    exit_code = 2


class RunNotCompletedError(StoreError):
    """A detect run was asked for that did not complete (running, failed, interrupted)."""


class OptionValueError(InfoopsError):
    """An option has a value the library refuses (same exit code as click's usage errors)."""

    exit_code = 2


class OutputError(InfoopsError):
    """An output file cannot be written (missing folder, no permission, disk full).

    Exit 2 when the ``--out`` value is refused up front; a write that fails
    on the way (disk full) sets ``exit_code`` 1.
    """

    exit_code = 2


class ExportError(OutputError):
    """An export cannot be written as asked: unknown file format, or the write failed.

    Raised after the work that produced the rows, so exit 1, as for other
    outputs that fail on the way.
    """

    exit_code = 1


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


class ParameterError(DetectionError, ValueError):
    """A detection parameter is out of its range or names nothing (unknown trace).

    Raised when the parameters are built (:class:`infoops.detect.DetectParams`),
    before any work; also a :class:`ValueError`, as the standard library
    raises for bad argument values.
    """


class NotFoundError(InfoopsError):
    """A named account, network, run or case does not exist."""


class EvaluationError(InfoopsError):
    """Evaluation inputs are missing or inconsistent."""


class SimulationError(InfoopsError):
    """The simulator was asked for something it cannot build."""

    exit_code = 2


class ReviewError(InfoopsError):
    """A review action cannot be done as asked (bad decision, wrong state)."""

    exit_code = 2


class ConflictError(ReviewError):
    """Someone else changed the case (or appeal) first; reload and decide again."""


class ForbiddenError(ReviewError):
    """The signed-in user's role (or the two-person rule) does not allow the action."""


class AuthenticationError(ReviewError):
    """Unknown user or wrong password."""


class DisclosureError(InfoopsError):
    """A release cannot be made or checked (no secret, bad name, folder in use)."""

    exit_code = 2


def describe_failure(exc: BaseException) -> str:
    """One line for an error that is not an :class:`InfoopsError`, with what to do.

    Used by the CLI's last line of defence: DuckDB running out of memory or
    disk, output files that cannot be written, and bugs.
    """
    import errno

    text = " ".join(str(exc).split())
    name = type(exc).__name__
    if name == "OutOfMemoryException" or isinstance(exc, MemoryError):
        return ("out of memory: DuckDB reached its memory limit; raise it with --memory-limit "
                "(e.g. --memory-limit 8GB) or INFOOPS_MEMORY_LIMIT, or free memory")
    if isinstance(exc, OSError) or "No space left" in text or "Disk full" in text.title():
        filename = getattr(exc, "filename", None)
        where = f"{filename}: " if filename else ""
        code = getattr(exc, "errno", None)
        if code in (errno.ENOSPC, errno.EDQUOT) or "No space left" in text:
            return f"{where}disk full ({text[:200]}); free disk space or write elsewhere"
        if code in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"{where}permission denied; choose a place you may write to"
        if code == errno.ENOENT:
            return f"{where}no such file or folder; check the path"
        return f"{where}{text[:300]}"
    if name.endswith("Exception") and type(exc).__module__.startswith(("duckdb", "_duckdb")):
        return f"the store failed ({text[:300]}); check free disk space and --memory-limit"
    return (f"unexpected {name}: {text[:300]}; this is a bug in infoops, please report it "
            "with the command (INFOOPS_DEBUG=1 shows the traceback)")
