"""CSV files for contact imports: store an upload as UTF-8, sniff its shape, read it in chunks.

Everything here is synchronous file work; callers run it in a thread (`asyncio.to_thread`).

The upload is transcoded once, while it is copied to DATA_DIR/imports/<id>.csv: a UTF-8 BOM is
dropped, UTF-16 (what Excel's "Unicode text" writes) becomes UTF-8, and line endings become
"\\n". So the background import only ever reads plain UTF-8 and can resume at a byte offset:
the offset after a record is exact because the csv module consumes whole lines, and a
multi-byte UTF-8 character never contains a newline byte.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

COPY_CHUNK = 256 * 1024
MAX_LINE_BYTES = 1024 * 1024  # one physical line; longer is not a contacts file
MAX_CHUNK_BYTES = 4 * 1024 * 1024  # a chunk of rows never holds more than this in memory
DELIMITERS = (",", ";", "\t")
# A cell starting with one of these is a formula to Excel; exports prefix it with "'" (OWASP's
# advice against CSV injection: WhatsApp profile names are written by customers).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"^[+-][\d\s().-]*$")


class CsvProblem(Exception):
    """The file cannot be read as a CSV; the message says why, for the user."""


@dataclass
class StoredFile:
    encoding: str  # what the upload was: utf-8, utf-8-sig (with BOM) or utf-16
    size: int  # bytes of the stored UTF-8 file


@dataclass
class Chunk:
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)
    next_offset: int = 0
    next_row: int = 0
    eof: bool = False
    problem: str | None = None  # the file cannot be read past the rows above: why


@dataclass
class Shape:
    delimiter: str
    headers: list[str]
    samples: list[list[str]]
    data_offset: int  # where the first data row starts
    first_row: int  # its row number (the header is row 1, as a spreadsheet shows it)


def _encoding_of(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CsvProblem(
            "this is an Excel workbook, not a CSV file: in Excel use File → Save As → "
            "CSV UTF-8 (comma delimited), then upload that file"
        )
    return "utf-8"


def store_upload(source: BinaryIO, dest: Path, limit: int) -> StoredFile:
    """Copy the upload to `dest` as UTF-8 with "\\n" line ends; CsvProblem if it is not text.

    Raises OverflowError when the upload is over `limit` bytes. `dest` is removed on failure.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _transcode(source, dest, limit)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


def _transcode(source: BinaryIO, dest: Path, limit: int) -> StoredFile:
    first = source.read(COPY_CHUNK)
    encoding = _encoding_of(first)
    inner = codecs.getincrementaldecoder(encoding)(errors="strict")
    decoder = io.IncrementalNewlineDecoder(inner, translate=True)
    received = lines = 0
    size = 0
    visible = False
    with dest.open("wb") as out:
        chunk = first
        while True:
            final = not chunk
            received += len(chunk)
            if received > limit:
                raise OverflowError(limit)
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                line = lines + 1 + chunk[: max(exc.start, 0)].count(b"\n")
                raise CsvProblem(
                    f"not UTF-8 (line {line} has a byte that is not UTF-8 text): save the file "
                    "as CSV UTF-8 (in Excel: File → Save As → CSV UTF-8) and upload it again"
                ) from None
            if "\x00" in text:
                raise CsvProblem(
                    "the file contains NUL bytes, so it is not a text CSV (UTF-16 without a "
                    "byte order mark?): save the file as CSV UTF-8 and upload it again"
                )
            lines += chunk.count(b"\n")
            if text:
                visible = visible or bool(text.strip())
                data = text.encode("utf-8")
                out.write(data)
                size += len(data)
            if final:
                break
            chunk = source.read(COPY_CHUNK)
    if not visible:
        raise CsvProblem("the file is empty")
    return StoredFile(encoding=encoding, size=size)


def _lines(handle: BinaryIO, position: list[int]) -> Iterator[str]:
    """Physical lines from the handle's position, counting bytes in position[0]."""
    while True:
        raw = handle.readline(MAX_LINE_BYTES)
        if not raw:
            return
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise CsvProblem("a line is longer than 1 MB: this is not a contacts CSV")
        position[0] += len(raw)
        yield raw.decode("utf-8")


def read_chunk(
    path: Path, *, offset: int, row: int, delimiter: str, max_rows: int, skip_blank: bool = True
) -> Chunk:
    """Up to `max_rows` records from byte `offset` (which starts record number `row`).

    `next_offset` is the byte right after the last record returned, so reading again from it
    continues exactly there. Blank records are skipped but still numbered. A record that cannot
    be read ends the chunk with `problem` set; the records before it are returned.
    """
    chunk = Chunk(next_offset=offset, next_row=row)
    position = [offset]
    with path.open("rb") as handle:
        handle.seek(offset)
        reader = csv.reader(_lines(handle, position), delimiter=delimiter)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                chunk.eof = True
                return chunk
            except csv.Error as exc:
                chunk.problem = f"row {chunk.next_row}: {exc} (an unclosed quote?)"
                return chunk
            except CsvProblem as exc:
                chunk.problem = f"row {chunk.next_row}: {exc}"
                return chunk
            number = chunk.next_row
            chunk.next_row += 1
            chunk.next_offset = position[0]
            if skip_blank and not any(cell.strip() for cell in cells):
                continue
            chunk.rows.append((number, cells))
            if len(chunk.rows) >= max_rows or position[0] - offset >= MAX_CHUNK_BYTES:
                return chunk


def _delimiter_score(text: str, delimiter: str) -> tuple[bool, float, int]:
    records = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
    if not records:
        return (False, 0.0, 0)
    width = len(records[0])
    rest = records[1:]
    consistent = sum(len(r) == width for r in rest) / len(rest) if rest else 1.0
    return (width > 1, consistent, width)


def sniff(path: Path, *, sample_rows: int = 5) -> Shape:
    """The delimiter (`,` `;` or tab), the header and a few sample rows."""
    offset = 0
    delimiter = ""
    with path.open("rb") as handle:
        head = handle.readline(MAX_LINE_BYTES)
        # Excel's "sep=;" first line names the delimiter.
        hint = head.decode("utf-8", errors="replace").strip()
        if len(hint) == 5 and hint.lower().startswith("sep=") and hint[4] in DELIMITERS:
            delimiter, offset = hint[4], len(head)
        handle.seek(offset)
        sample = handle.read(64 * 1024).decode("utf-8", errors="ignore")
    if not delimiter:
        # The delimiter that splits the header into the most columns that the next rows agree
        # with; a one-column file (just phones) reads as comma-separated.
        sample_lines = sample.split("\n")[:50]
        text = "\n".join(line for line in sample_lines if line.strip())
        delimiter = max(DELIMITERS, key=lambda d: _delimiter_score(text, d))
        if not _delimiter_score(text, delimiter)[0]:
            delimiter = ","
    header = read_chunk(path, offset=offset, row=1, delimiter=delimiter, max_rows=1)
    if header.problem:
        raise CsvProblem(header.problem)
    if not header.rows:
        raise CsvProblem("the file is empty")
    _, cells = header.rows[0]
    headers = [cell.replace("\ufeff", "").strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()  # trailing delimiters make empty columns
    samples = read_chunk(
        path, offset=header.next_offset, row=header.next_row, delimiter=delimiter,
        max_rows=sample_rows,
    )  # fmt: skip
    if samples.problem:
        raise CsvProblem(samples.problem)
    return Shape(
        delimiter=delimiter,
        headers=headers,
        samples=[cells for _, cells in samples.rows],
        data_offset=header.next_offset,
        first_row=header.next_row,
    )


def needs_guard(value: str) -> bool:
    """Would a spreadsheet read this cell as a formula (also behind one guard apostrophe)?

    A number such as "+54 9 11 2233-4455" or "-3.5" is left alone: it cannot run anything.
    """
    if value.startswith("'"):
        return needs_guard(value[1:])
    return value.startswith(FORMULA_START) and not _NUMBER_LIKE.match(value)


def guard_cell(value: str) -> str:
    """The cell as exported: "'" before anything a spreadsheet would run as a formula."""
    return "'" + value if needs_guard(value) else value


def unguard_cell(value: str) -> str:
    """The exact inverse of guard_cell, so an export re-imports to the same values."""
    return value[1:] if value.startswith("'") and needs_guard(value[1:]) else value
