"""Input sources: expand paths, open (decompressing), sniff the format.

Formats are recognised from content — magic bytes and CSV headers — never
from file names. Gzip, bzip2 and xz files are decompressed as they are read;
zip archives are read member by member. Folders are walked recursively in
name order; hidden files are skipped.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import lzma
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from infoops.errors import SourceError

SNIFF_BYTES = 1 << 16


@dataclass(frozen=True)
class Source:
    """One readable input: a file, or one member of a zip archive."""

    path: Path
    member: str | None = None
    in_folder: bool = False

    @property
    def name(self) -> str:
        """How the source is named in counts, quarantine rows and messages."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def size(self) -> int:
        """Bytes on disk (compressed; a zip member's uncompressed size), for progress."""
        if self.member:
            with zipfile.ZipFile(self.path) as z:
                # a zip member's tell() counts uncompressed bytes
                return z.getinfo(self.member).file_size
        return self.path.stat().st_size

    def open_raw(self) -> BinaryIO:
        """The stored bytes (still compressed), for progress via ``tell()``."""
        try:
            if self.member:
                z = zipfile.ZipFile(self.path)
                return z.open(self.member)  # type: ignore[return-value]
            return self.path.open("rb")
        except OSError as exc:
            raise SourceError(self.name, f"cannot open ({exc.strerror or exc})") from exc

    def open(self, raw: BinaryIO | None = None) -> BinaryIO:
        """The decompressed bytes."""
        raw = raw if raw is not None else self.open_raw()
        head = _peek(raw, 6)
        if head.startswith(b"\x1f\x8b"):
            return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
        if head.startswith(b"BZh"):
            return bz2.BZ2File(raw)  # type: ignore[return-value]
        if head.startswith(b"\xfd7zXZ\x00"):
            return lzma.LZMAFile(raw)  # type: ignore[return-value]
        return raw

    def head(self, n: int = SNIFF_BYTES) -> bytes:
        """The first ``n`` decompressed bytes."""
        with self.open() as f:
            try:
                return f.read(n)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise SourceError(self.name, f"cannot decompress ({exc}); is the file complete?") from exc


def _peek(raw: BinaryIO, n: int) -> bytes:
    if isinstance(raw, io.BufferedReader):
        return raw.peek(n)[:n]
    pos = raw.tell()
    data = raw.read(n)
    raw.seek(pos)
    return data


def expand(paths: Iterable[str | os.PathLike[str]]) -> list[Source]:
    """Files, folders and zip archives to a flat list of sources."""
    out: list[Source] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                rel = f.relative_to(path).parts
                if f.is_file() and not any(part.startswith(".") for part in rel):
                    out.extend(_file_sources(f, in_folder=True))
        elif path.is_file():
            out.extend(_file_sources(path, in_folder=False))
        else:
            raise SourceError(str(path), "no such file or folder; give CSV/JSON/Parquet files or folders of them")
    return out


def _file_sources(path: Path, in_folder: bool) -> Iterator[Source]:
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError as exc:
        raise SourceError(str(path), f"cannot open ({exc.strerror or exc})") from exc
    if magic == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as z:
                members = [
                    i.filename for i in z.infolist()
                    if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                    and not Path(i.filename).name.startswith(".")
                ]
        except zipfile.BadZipFile as exc:
            raise SourceError(str(path), f"broken zip archive ({exc})") from exc
        for m in sorted(members):
            yield Source(path, m, in_folder=True)
    else:
        yield Source(path, None, in_folder=in_folder)


def sniff_encoding(head: bytes) -> str | None:
    """``"UTF-16"``/``"UTF-32"`` when the bytes are in that encoding (BOM or NUL pattern), else None."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = head[:4096]
    if len(sample) >= 8 and (sample[1::2].count(0) > 0.4 * len(sample) / 2
                             or sample[0::2].count(0) > 0.4 * len(sample) / 2):
        return "UTF-16"
    return None


def sniff_text(head: bytes) -> str:
    """Decode the sniffed bytes (UTF-8, BOM removed; a cut character is dropped)."""
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(head, final=False)
    return text


def csv_header(text: str) -> tuple[list[str], str]:
    """The header row and delimiter of CSV/TSV text."""
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        row = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (StopIteration, csv.Error):
        row = []
    return [c.strip() for c in row], delimiter
