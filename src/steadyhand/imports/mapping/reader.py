"""Streaming a source file: its encoding, its header, then one row at a time.

Nothing here holds a whole file: the encoding check reads 1 MiB chunks through an incremental
decoder, and rows come from ``csv.reader`` over a text stream. Rows are numbered as a
spreadsheet numbers them (the header is row 1), counting records, not lines.
"""

import codecs
import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from steadyhand.imports.mapping.format import FileSpec, normalise_header
from steadyhand.imports.roster import RowError

CHUNK = 1 << 20
PYTHON_CODECS = {"utf-8": "utf-8-sig", "cp1252": "cp1252"}
ENCODING_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}


@dataclass(frozen=True)
class FileSource:
    """A file of a file set: its name (matched against the mapping's patterns) and how to open
    its bytes. Openable more than once: the check and the load each read it from the start."""

    name: str
    open: Callable[[], BinaryIO]
    size: int | None = None

    @classmethod
    def from_path(cls, path: str | Path) -> "FileSource":
        p = Path(path)
        if p.name.casefold().endswith(".gz"):
            return cls(p.name, lambda: gzip.open(p, "rb"), p.stat().st_size)  # type: ignore[arg-type,return-value]
        return cls(p.name, lambda: p.open("rb"), p.stat().st_size)

    @classmethod
    def from_bytes(cls, name: str, content: bytes) -> "FileSource":
        if name.casefold().endswith(".gz"):
            return cls(name, lambda: gzip.GzipFile(fileobj=io.BytesIO(content)), len(content))  # type: ignore[arg-type,return-value]
        return cls(name, lambda: io.BytesIO(content), len(content))


class UndecodableFile(ValueError):
    def __init__(self, line: int, byte: int, tried: tuple[str, ...]) -> None:
        self.line = line
        self.byte = byte
        self.tried = tried
        names = " nor ".join(ENCODING_LABELS[e] for e in tried)
        super().__init__(f"byte 0x{byte:02x} on line {line} is neither {names}")


class UnreadableFile(ValueError):
    """A file whose bytes cannot be read as a table at all: a ``.gz`` file that is not gzip
    (or is cut short), or text the CSV reader gives up on (a cell over its size limit).
    ``row`` is where it was found (0: the file as a whole)."""

    def __init__(self, file_name: str, row: int, reason: str) -> None:
        self.file_name = file_name
        self.row = row
        self.reason = reason
        super().__init__(reason)


# What reading a broken .gz file raises: not gzip (BadGzipFile is an OSError), cut short
# (EOFError), or corrupt compressed data (zlib.error).
GZIP_ERRORS = (OSError, EOFError, zlib.error)


def _gzip_problem(source: "FileSource", exc: BaseException) -> UnreadableFile:
    detail = str(exc) or type(exc).__name__
    if source.name.casefold().endswith(".gz"):
        return UnreadableFile(source.name, 0, f"not a readable gzip file: {detail}")
    return UnreadableFile(source.name, 0, f"the file could not be read: {detail}")


def _decodes(source: FileSource, encoding: str) -> tuple[int, int] | None:
    """None if the whole file decodes; else (line, byte) of the first bad byte."""
    decoder = codecs.getincrementaldecoder(PYTHON_CODECS[encoding])(errors="strict")
    lines = 1
    with source.open() as stream:
        while True:
            try:
                chunk = stream.read(CHUNK)
            except GZIP_ERRORS as exc:
                raise _gzip_problem(source, exc) from None
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = exc.object
                start = max(exc.start, 0)
                return lines + bytes(data[:start]).count(b"\n"), data[start]
            if not chunk:
                return None
            lines += chunk.count(b"\n")


def detect_encoding(source: FileSource, encodings: tuple[str, ...]) -> str:
    """The first of ``encodings`` that decodes the whole file (a UTF-8 BOM is accepted).
    Raises ``UndecodableFile``, or ``UnreadableFile`` for a broken ``.gz`` file."""
    first_problem: tuple[int, int] | None = None
    for encoding in encodings:
        problem = _decodes(source, encoding)
        if problem is None:
            return encoding
        first_problem = first_problem or problem
    assert first_problem is not None
    raise UndecodableFile(first_problem[0], first_problem[1], encodings)


@dataclass
class Table:
    """An open file: where each mapped field sits, and its records after the header."""

    source: FileSource
    spec: FileSpec
    encoding: str
    positions: dict[str, int]  # field -> cell index
    header_labels: dict[str, str]  # field -> the header as the file spells it
    width: int
    records: Iterator[tuple[int, list[str]]]
    stream: io.TextIOWrapper

    def close(self) -> None:
        self.stream.close()


def _records(source: FileSource, stream: io.TextIOWrapper) -> Iterator[tuple[int, list[str]]]:
    """``(row, cells)`` of every record; text that is not CSV (a cell over the csv module's
    field size limit) or a .gz file that breaks part way raises ``UnreadableFile`` naming the
    row: rows after it cannot be trusted to start where the file's rows start."""
    number = 0
    try:  # around the loop, not each row: this runs for every row of million-row files
        for cells in csv.reader(stream):
            number += 1
            yield number, cells
    except csv.Error as exc:
        raise UnreadableFile(
            source.name, number + 1, f"the file is not valid CSV here: {exc}"
        ) from None
    except GZIP_ERRORS as exc:
        raise _gzip_problem(source, exc) from None


def open_table(
    source: FileSource, spec: FileSpec, encoding: str
) -> tuple[Table | None, list[RowError]]:
    """Read the header of ``source``. Problems with it are fatal: no row can be read.
    Reading the rows after it may raise ``UnreadableFile``."""
    stream = io.TextIOWrapper(source.open(), encoding=PYTHON_CODECS[encoding], newline="")
    records = _records(source, stream)
    try:
        first = next(records, None)
    except UnreadableFile as exc:
        stream.close()
        return None, [RowError(source.name, exc.row, "", "", exc.reason, True)]
    if first is None or not any(c.strip() for c in first[1]):
        stream.close()
        return None, [RowError(source.name, 1, "", "", "the file is empty: no header row", True)]
    header = first[1]
    index_of: dict[str, int] = {}
    for index, raw in enumerate(header):
        index_of.setdefault(normalise_header(raw), index)
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    errors: list[RowError] = []
    for name, column in spec.columns.items():
        found = next((h for h in column.headers if h in index_of), None)
        if found is None:
            if column.required:
                spellings = " or ".join(repr(h) for h in column.headers)
                errors.append(
                    RowError(
                        source.name,
                        1,
                        column.label,
                        "",
                        f"required column is missing (looked for {spellings}, ignoring case "
                        "and spaces)",
                        True,
                    )
                )
            continue
        positions[name] = index_of[found]
        labels[name] = header[index_of[found]].strip()
    if errors:
        stream.close()
        return None, errors
    return Table(source, spec, encoding, positions, labels, len(header), records, stream), []
