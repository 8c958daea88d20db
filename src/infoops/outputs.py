"""Output files: check the place before long work, write atomically.

A report, graph or CSV is written to a temporary file next to its target and
renamed over it only when complete, so a full disk or a killed process never
leaves a truncated file that looks finished. :func:`check_output` runs before
the work (a detect that runs for an hour must not fail at its last step
because ``--out`` names a missing folder).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infoops.errors import OutputError


def check_output(path: str | os.PathLike[str], option: str = "--out", *, create_folders: bool = False) -> Path:
    """Raise :class:`OutputError` unless ``path`` can be created or replaced.

    ``create_folders``: a missing folder is fine when it can be created.
    """
    p = Path(path)
    if not str(path).strip():
        raise OutputError(f"{option} is empty; give a file name")
    if p.is_dir():
        raise OutputError(f"{option} {p}: is a folder; give a file name inside it")
    parent = p.parent if str(p.parent) else Path(".")
    if create_folders and not parent.exists():
        top = parent
        while not top.exists() and top != top.parent:
            top = top.parent
        if top.is_dir() and os.access(top, os.W_OK | os.X_OK):
            return p
        parent = top
    if not parent.exists():
        raise OutputError(f"{option} {p}: folder {parent} does not exist; create it (mkdir -p {parent}) "
                          f"or choose another {option}")
    if not parent.is_dir():
        raise OutputError(f"{option} {p}: {parent} is not a folder; choose another {option}")
    if p.exists() and not (p.is_file() or _is_char_device(p)):
        raise OutputError(f"{option} {p}: not a regular file; choose another {option}")
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputError(f"{option} {p}: no permission to write it; choose another {option}")
    if not p.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {p}: no permission to write in {parent}; choose another {option}")
    return p


def _is_char_device(p: Path) -> bool:
    import stat

    try:
        return stat.S_ISCHR(p.stat().st_mode)
    except OSError:
        return False


@contextmanager
def atomic_output(path: str | os.PathLike[str], option: str = "--out", *,
                  create_folders: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``.

    A device such as ``/dev/stdout`` or ``/dev/full`` is written directly.
    On failure the temporary file is removed and ``path`` is left as it was;
    an ``OSError`` becomes :class:`OutputError` naming ``path``.
    """
    target = check_output(path, option, create_folders=create_folders)
    if create_folders:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(exc, target) from exc
    if _is_char_device(target):
        try:
            yield target
        except OSError as exc:
            raise output_error(exc, target) from exc
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.part-", suffix=target.suffix, dir=target.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(exc, target) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def output_error(exc: OSError, target: str | os.PathLike[str] | None = None) -> OutputError:
    """An ``OSError`` from writing as a one-line error that names the file and the remedy."""
    where = target if target is not None else (exc.filename or "output")
    what = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "free disk space or write elsewhere"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "choose a place you may write to"
    elif exc.errno == errno.ENOENT:
        hint = "create the folder first"
    else:
        hint = "check the path"
    err = OutputError(f"{where}: cannot write ({what}); {hint}")
    err.exit_code = 1  # the place was fine; the write failed
    return err
