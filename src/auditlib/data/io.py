"""Reading raw tables from CSV, xlsx and parquet files (writing: :mod:`auditlib.data.atomic`).

Reading returns every cell as text (``str``; empty cells as ``""``) together with the
spreadsheet row number of every record, so that validation can name the exact place of a
problem. Types are coerced later, by :mod:`auditlib.data.validation`, against the data contract.

Encodings of CSV files are *detected*, never guessed silently: a byte-order mark means UTF-8
(with BOM); otherwise the bytes must decode strictly as UTF-8, or else strictly as GB18030 (the
national standard superset of GBK/GB2312 used by most Chinese information systems). A file that
decodes as neither is refused with the byte offset of the first undecodable byte. The encoding
found is recorded in :attr:`RawTable.encoding`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from auditlib.data.schema import normalise_header
from auditlib.errors import DataError, Problem

__all__ = ["SUPPORTED_SUFFIXES", "RawTable", "read_raw_table"]

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".parquet")
HEADER_SEARCH_ROWS = 10
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class RawTable:
    """Cells of one file as text, with the position of every record in the file.

    Attributes
    ----------
    path : pathlib.Path
        The file read.
    frame : pandas.DataFrame
        One column per header cell (header text as found), every cell a ``str``.
    row_numbers : numpy.ndarray
        Spreadsheet-style row number (1-based, counting the header and any title rows) of
        each record of ``frame``.
    header_row : int
        Row number of the header.
    encoding : str
        ``"utf-8"``, ``"utf-8-sig"``, ``"gb18030"``, ``"xlsx"`` or ``"parquet"``.
    short_rows : tuple of int
        Row numbers of records with fewer fields than the header (a truncated file).
    """

    path: Path
    frame: pd.DataFrame
    row_numbers: Any
    header_row: int
    encoding: str
    short_rows: tuple[int, ...] = ()


def read_raw_table(path: Path, known_headers: Mapping[str, str]) -> RawTable:
    """Read a CSV, xlsx or parquet file into text cells.

    Parameters
    ----------
    path : pathlib.Path
        File to read.
    known_headers : mapping
        Normalised header spellings the table accepts (see ``TableSpec.alias_map``); used to
        find the header row when title rows stand above it.

    Raises
    ------
    DataError
        When the file is empty, cannot be decoded, is truncated or corrupt, or has no
        recognisable header row.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(
            f"{path.name}: unsupported file type {suffix!r}; expected one of "
            + ", ".join(SUPPORTED_SUFFIXES)
        )
    if path.stat().st_size == 0:
        raise _file_error(path, "empty file (0 bytes)", "a header row and data rows", "file_empty")
    if suffix == ".csv":
        return _read_csv(path, known_headers)
    if suffix == ".xlsx":
        return _read_xlsx(path, known_headers)
    return _read_parquet(path)


def _file_error(path: Path, value: str, expected: str, code: str) -> DataError:
    problem = Problem(str(path.name), None, None, value, expected, "error", code)
    return DataError(problem.describe(), [problem])


# --------------------------------------------------------------------------- CSV


def _decode(path: Path, data: bytes) -> str:
    """Name the encoding of ``data`` after checking that all of it decodes."""
    if data.startswith(UTF8_BOM):
        try:
            data[len(UTF8_BOM) :].decode("utf-8")
            return "utf-8-sig"
        except UnicodeDecodeError as error:
            raise _undecodable(path, data, error, "UTF-8 (the file starts with a BOM)") from None
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as utf8_error:
        if utf8_error.start >= len(data) - 3:
            raise _file_error(
                path,
                f"file ends in the middle of a character (byte {utf8_error.start})",
                "a complete file (it looks truncated)",
                "file_truncated",
            ) from None
        try:
            data.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError as gb_error:
            raise _undecodable(path, data, gb_error, "UTF-8, UTF-8 with BOM or GB18030") from None


def _undecodable(path: Path, data: bytes, error: UnicodeDecodeError, expected: str) -> DataError:
    from charset_normalizer import from_bytes

    guess = from_bytes(data[:65536]).best()
    hint = f"; it may be {guess.encoding}" if guess is not None else ""
    value = f"undecodable bytes at offset {error.start}{hint}"
    return _file_error(path, value, f"text encoded as {expected}; re-export it", "file_encoding")


def _find_header(rows: list[list[str]], known_headers: Mapping[str, str]) -> int:
    best_index, best_score = 0, -1.0
    for index, row in enumerate(rows):
        cells = [cell for cell in row if str(cell).strip()]
        if not cells:
            continue
        matches = sum(normalise_header(str(cell)) in known_headers for cell in cells)
        score = matches / max(len(cells), 1)
        if matches >= 2 and score >= 0.5:
            return index
        if score > best_score:
            best_index, best_score = index, score
    return best_index if best_score > 0 else 0


def _line_offset(data: bytes, line_count: int) -> int:
    """Byte offset just after the first ``line_count`` lines of ``data``."""
    offset = 0
    for _ in range(line_count):
        found = data.find(b"\n", offset)
        if found < 0:
            return len(data)
        offset = found + 1
    return offset


class _InvalidUtf8Error(Exception):
    """Arrow found bytes that are not UTF-8 (the file is in another encoding)."""


def _read_csv(path: Path, known_headers: Mapping[str, str]) -> RawTable:
    data = path.read_bytes()
    if re.search(rb"\S", data) is None:
        raise _file_error(path, "file holds only blank text", "a header row", "file_empty")
    if data.startswith(UTF8_BOM):
        try:
            return _read_csv_as(path, data[len(UTF8_BOM) :], "utf-8-sig", known_headers)
        except _InvalidUtf8Error:
            _decode(path, data)  # raises the precise error
    try:
        # Arrow checks every cell is valid UTF-8 while parsing: no separate decoding pass
        return _read_csv_as(path, data, "utf-8", known_headers)
    except _InvalidUtf8Error:
        encoding = _decode(path, data)  # strict: GB18030, or a precise error
    return _read_csv_as(path, data, encoding, known_headers)


def _read_csv_as(
    path: Path, data: bytes, encoding: str, known_headers: Mapping[str, str]
) -> RawTable:
    codec = "gb18030" if encoding == "gb18030" else "utf-8"
    head = data[: _line_offset(data, HEADER_SEARCH_ROWS)].decode(codec, errors="replace")
    head_rows = list(csv.reader(head.splitlines()))
    header_index = _find_header(head_rows, known_headers)
    header = [cell.strip() for cell in head_rows[header_index]]
    if len(set(header)) != len(header):
        duplicated = sorted({cell for cell in header if header.count(cell) > 1})
        raise _file_error(
            path, f"column(s) {', '.join(duplicated)} appear twice", "unique headers", "dup_col"
        )
    body = data[_line_offset(data, header_index + 1) :]
    header_row = header_index + 1
    if re.search(rb"\S", body) is None:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in header})
        return RawTable(path, frame, _arange(0, header_row), header_row, encoding)
    table, short_rows = _parse_csv(path, body, header, codec, threaded=True)
    if short_rows:  # parse again on one thread: only then does Arrow number the bad rows
        table, short_rows = _parse_csv(path, body, header, codec, threaded=False)
    frame = table.to_pandas()  # Arrow-backed strings: vectorised checks stay fast
    skipped = sorted(number + header_row for number in short_rows if number > 0)
    row_numbers = _record_rows(len(frame), header_row, skipped, body)
    return RawTable(path, frame, row_numbers, header_row, encoding, tuple(skipped))


def _parse_csv(
    path: Path, body: bytes, header: list[str], codec: str, *, threaded: bool
) -> tuple[pa.Table, list[int]]:
    """Parse CSV records as strings; collect rows whose field count differs from the header."""
    short_rows: list[int] = []

    def on_invalid(row: Any) -> str:
        short_rows.append(int(row.number) if row.number is not None else -1)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(body),
            read_options=pa_csv.ReadOptions(
                column_names=header, use_threads=threaded, encoding=codec
            ),
            parse_options=pa_csv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        if "utf8" in str(error).lower() and codec == "utf-8":
            raise _InvalidUtf8Error(str(error)) from None
        raise _file_error(
            path, f"unparseable CSV ({error})", "well-formed CSV", "file_malformed"
        ) from None
    return table, short_rows


def _arange(count: int, header_row: int) -> Any:
    return np.arange(header_row + 1, header_row + 1 + count, dtype=np.int64)


def _record_rows(count: int, header_row: int, skipped: list[int], body: bytes) -> Any:
    line_count = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if not skipped and line_count == count:
        return _arange(count, header_row)
    # blank lines are skipped by the parser: find them so row numbers match the file
    lines = body.split(b"\n")
    blank = {header_row + 1 + i for i, line in enumerate(lines) if not line.strip()}
    excluded = set(skipped) | blank
    numbers: list[int] = []
    candidate = header_row + 1
    while len(numbers) < count:
        if candidate not in excluded:
            numbers.append(candidate)
        candidate += 1
    return np.asarray(numbers, dtype=np.int64)


# --------------------------------------------------------------------------- xlsx


def _excel_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:.0f}#lost-precision"
    return str(value).strip()


def _read_xlsx(path: Path, known_headers: Mapping[str, str]) -> RawTable:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise _file_error(
            path,
            f"not a readable xlsx workbook ({type(error).__name__}: {error})",
            "an .xlsx file saved by Excel/WPS/LibreOffice (it may be truncated or mis-named)",
            "file_corrupt",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = [[_excel_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise _file_error(path, "workbook has no cells", "a header row", "file_empty")
    header_index = _find_header(rows[:HEADER_SEARCH_ROWS], known_headers)
    header = [cell for cell in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    body = [
        row[: len(header)] + [""] * (len(header) - len(row)) for row in rows[header_index + 1 :]
    ]
    keep = [i for i, row in enumerate(body) if any(row)]
    frame = pd.DataFrame([body[i] for i in keep], columns=header, dtype=object)
    row_numbers = np.asarray([header_index + 2 + i for i in keep], dtype=np.int64)
    return RawTable(path, frame, row_numbers, header_index + 1, "xlsx")


# --------------------------------------------------------------------------- parquet


def _read_parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise _file_error(
            path,
            f"not a readable parquet file ({error})",
            "a complete parquet file",
            "file_corrupt",
        ) from None
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            column = column.cast(pa.date32())
        columns[name] = column.cast(pa.string()).fill_null("")
    frame = pa.table(columns).to_pandas().astype(object)
    return RawTable(path, frame, _arange(len(frame), 1), 1, "parquet")
