"""Reading raw tables from CSV, xlsx and parquet files (writing: :mod:`auditlib.data.atomic`).

Reading returns every cell as text (``str``; empty cells as ``""``) together with the
spreadsheet row number of every record, so that validation can name the exact place of a
problem. Types are coerced later, by :mod:`auditlib.data.validation`, against the data contract.

Encodings of CSV files are *detected*, never guessed silently (:mod:`auditlib.data.encodings`):
UTF-8 with or without BOM, or GB18030 that is clean Chinese text; anything else is refused. The
encoding found is recorded in :attr:`RawTable.encoding`.

Both formats follow one rule for records wider than the header: a CSV record with more fields, or
a worksheet row with a non-empty cell right of the header, is kept out of the frame and listed in
:attr:`RawTable.extra_cells` (validation refuses it). Numbers a workbook or parquet file stored as
floats too long to be exact (an ID or account number typed as a number) are marked with
:data:`LOST_PRECISION_MARK` so that validation can refuse them rather than load wrong digits.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from auditlib.data.csv_records import InvalidUtf8Error, parse_csv
from auditlib.data.encodings import UTF8_BOM, detect_encoding, file_error, refuse_binary_or_utf16
from auditlib.data.schema import normalise_header
from auditlib.errors import DataError

__all__ = ["LOST_PRECISION_MARK", "SUPPORTED_SUFFIXES", "RawTable", "read_raw_table"]

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".parquet")
HEADER_SEARCH_ROWS = 10
#: Appended to the text of a number read from a workbook or parquet file that is too long for a
#: float to hold exactly (an ID or account number stored as a number): validation refuses it.
LOST_PRECISION_MARK = "#lost-precision"
#: A float holds every whole number below this exactly (2**53 is about 9.007e15).
EXACT_FLOAT_LIMIT = 1e15


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
        Row numbers of records with fewer fields than the header (a truncated file); they are
        not in ``frame``.
    extra_cells : tuple of (int, str, str)
        ``(row, position, value)`` of the first non-empty cell right of the header in each
        record that has one (``position`` names the column: ``"column AA"`` in a workbook,
        ``"field 27"`` in a CSV file); those records are not in ``frame`` either.
    marked_columns : frozenset of str
        Headers of the columns in which a number too long for a float (an ID or account
        number stored as a number) was read: its text ends in :data:`LOST_PRECISION_MARK`.
    """

    path: Path
    frame: pd.DataFrame
    row_numbers: Any
    header_row: int
    encoding: str
    short_rows: tuple[int, ...] = ()
    extra_cells: tuple[tuple[int, str, str], ...] = ()
    marked_columns: frozenset[str] = frozenset()


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
        raise file_error(path, "empty file (0 bytes)", "a header row and data rows", "file_empty")
    if suffix == ".csv":
        return _read_csv(path, known_headers)
    if suffix == ".xlsx":
        return _read_xlsx(path, known_headers)
    return _read_parquet(path)


# --------------------------------------------------------------------------- CSV


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


def _check_unique_headers(path: Path, header: list[str], row: int) -> None:
    """Refuse a header row naming one column twice (CSV and workbooks alike)."""
    names = [normalise_header(str(cell)) for cell in header]
    twice = sorted({str(c) for c, n in zip(header, names, strict=True) if n and names.count(n) > 1})
    if twice:
        value = f"column(s) {', '.join(twice)} appear twice"
        raise file_error(path, value, "unique headers", "dup_col", row=row)


def _line_offset(data: bytes, line_count: int) -> int:
    """Byte offset just after the first ``line_count`` lines of ``data``."""
    offset = 0
    for _ in range(line_count):
        found = data.find(b"\n", offset)
        if found < 0:
            return len(data)
        offset = found + 1
    return offset


def _read_csv(path: Path, known_headers: Mapping[str, str]) -> RawTable:
    data = path.read_bytes()
    if re.search(rb"\S", data) is None:
        raise file_error(path, "file holds only blank text", "a header row", "file_empty")
    refuse_binary_or_utf16(path, data)
    if data.startswith(UTF8_BOM):
        try:
            return _read_csv_as(path, data[len(UTF8_BOM) :], "utf-8-sig", known_headers)
        except InvalidUtf8Error:
            detect_encoding(path, data)  # raises the precise error
    try:
        # Arrow checks every cell is valid UTF-8 while parsing: no separate decoding pass
        return _read_csv_as(path, data, "utf-8", known_headers)
    except InvalidUtf8Error:
        encoding = detect_encoding(path, data)  # strict: GB18030, or a precise error
    return _read_csv_as(path, data, encoding, known_headers)


def _read_csv_as(
    path: Path, data: bytes, encoding: str, known_headers: Mapping[str, str]
) -> RawTable:
    codec = "gb18030" if encoding == "gb18030" else "utf-8"
    head = data[: _line_offset(data, HEADER_SEARCH_ROWS)].decode(codec, errors="replace")
    reader = csv.reader(head.splitlines())
    try:
        head_rows = list(reader)
    except csv.Error as error:  # a cell over the csv module's limit (131,072 characters)
        raise file_error(
            path,
            f"a cell too long to be a register value ({error})",
            "cells of register values (the file is probably not a register export)",
            "file_malformed",
            row=reader.line_num,
        ) from None
    header_index = _find_header(head_rows, known_headers)
    header = [cell.strip() for cell in head_rows[header_index]]
    _check_unique_headers(path, header, header_index + 1)
    body = data[_line_offset(data, header_index + 1) :]
    header_row = header_index + 1
    if re.search(rb"\S", body) is None:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in header})
        return RawTable(path, frame, _arange(0, header_row), header_row, encoding)
    table, invalid = parse_csv(path, body, header, codec, threaded=True)
    if invalid:  # parse again on one thread: only then does Arrow number the bad rows
        table, invalid = parse_csv(path, body, header, codec, threaded=False)
    frame = table.to_pandas()  # Arrow-backed strings: vectorised checks stay fast
    short = sorted(number + header_row for number, extra in invalid if number > 0 and not extra)
    extra_cells = sorted(
        (number + header_row, *extra) for number, extra in invalid if number > 0 and extra
    )
    skipped = sorted([*short, *(row for row, _, _ in extra_cells)])
    row_numbers = _record_rows(len(frame), header_row, skipped, body)
    return RawTable(
        path, frame, row_numbers, header_row, encoding, tuple(short), tuple(extra_cells)
    )


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
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_FLOAT_LIMIT:
        return str(int(value))
    if isinstance(value, float) and abs(value) >= EXACT_FLOAT_LIMIT:
        return f"{value:.0f}{LOST_PRECISION_MARK}"
    return str(value).strip()


def _read_xlsx(path: Path, known_headers: Mapping[str, str]) -> RawTable:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise file_error(
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
        raise file_error(path, "workbook has no cells", "a header row", "file_empty")
    header_index = _find_header(rows[:HEADER_SEARCH_ROWS], known_headers)
    header = [cell for cell in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    _check_unique_headers(path, header, header_index + 1)
    width, first_row = len(header), header_index + 2
    extra_cells = tuple(
        (first_row + i, f"column {get_column_letter(width + j + 1)}", row[width + j])
        for i, row in enumerate(rows[header_index + 1 :])
        for j in [next((j for j, cell in enumerate(row[width:]) if cell), -1)]
        if j >= 0
    )
    refused = {row for row, _, _ in extra_cells}
    body = [row[:width] + [""] * (width - len(row)) for row in rows[header_index + 1 :]]
    keep = [i for i, row in enumerate(body) if any(row) and first_row + i not in refused]
    frame = pd.DataFrame([body[i] for i in keep], columns=header, dtype=object)
    row_numbers = np.asarray([first_row + i for i in keep], dtype=np.int64)
    marked = frozenset(
        name
        for index, name in enumerate(header)
        if any(row[index].endswith(LOST_PRECISION_MARK) for row in body)
    )
    return RawTable(path, frame, row_numbers, header_index + 1, "xlsx", (), extra_cells, marked)


# --------------------------------------------------------------------------- parquet


def _read_parquet(path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise file_error(
            path,
            f"not a readable parquet file ({error})",
            "a complete parquet file",
            "file_corrupt",
        ) from None
    columns = {}
    marked: set[str] = set()
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            column = column.cast(pa.date32())
        text = column.cast(pa.string()).fill_null("")
        if pa.types.is_floating(column.type):
            text = _mark_long_floats(column, text)
            marked.update([name] if pc.any(pc.ends_with(text, LOST_PRECISION_MARK)).as_py() else [])
        columns[name] = text
    frame = pa.table(columns).to_pandas().astype(object)
    return RawTable(
        path, frame, _arange(len(frame), 1), 1, "parquet", marked_columns=frozenset(marked)
    )


def _mark_long_floats(column: pa.ChunkedArray, text: pa.ChunkedArray) -> pa.Array:
    """Text of a float column, numbers too long for a float marked as in a workbook."""
    values = column.combine_chunks().to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        long = np.flatnonzero(np.abs(values) >= EXACT_FLOAT_LIMIT)
    cells = text.combine_chunks()
    if not len(long):
        return cells
    rendered = cells.to_pylist()
    for index in long.tolist():
        rendered[index] = f"{values[index]:.0f}{LOST_PRECISION_MARK}"
    return pa.array(rendered, pa.string())
