"""Parsing the records of a CSV file with Arrow, keeping every malformed row in view.

Rows whose field count differs from the header are collected (with the first extra field) for
the caller to list, never dropped silently; a row Arrow cannot decode as UTF-8 turns the whole
file over to encoding detection (:mod:`auditlib.data.encodings`).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv

from auditlib.data.encodings import file_error

__all__ = ["InvalidUtf8Error", "parse_csv"]


class InvalidUtf8Error(Exception):
    """Arrow found bytes that are not UTF-8 (the file is in another encoding)."""


def _extra_field(text: str | None, width: int) -> tuple[str, str] | tuple[()]:
    """Position and value of the first field right of the header, if ``text`` has one."""
    fields = next(csv.reader([text or ""]), [])
    if len(fields) <= width:
        return ()
    extra = fields[width:]
    index = next((i for i, value in enumerate(extra) if value.strip()), 0)
    return f"field {width + index + 1}", extra[index].strip()


def parse_csv(
    path: Path, body: bytes, header: list[str], codec: str, *, threaded: bool
) -> tuple[pa.Table, list[tuple[int, tuple[str, str] | tuple[()]]]]:
    """Parse CSV records as strings; collect rows whose field count differs from the header.

    Each such row is returned as its number (counted from the first record; -1 when Arrow
    parsed on several threads) and, for a row with too many fields, its first extra field.
    """
    invalid: list[tuple[int, tuple[str, str] | tuple[()]]] = []

    def on_invalid(row: Any) -> str:
        number = int(row.number) if row.number is not None else -1
        invalid.append((number, _extra_field(row.text, len(header))))
        return "skip"

    # Arrow decodes a malformed row's text as UTF-8 before calling the handler; bytes that are
    # not UTF-8 there raise inside Arrow, which Python can only print ("Exception ignored").
    # Caught here instead, they mean what any other invalid UTF-8 means: detect the encoding.
    undecodable: list[BaseException] = []
    previous_hook = sys.unraisablehook

    def on_unraisable(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, UnicodeDecodeError):
            undecodable.append(unraisable.exc_value)
        else:
            previous_hook(unraisable)

    sys.unraisablehook = on_unraisable
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
            raise InvalidUtf8Error(str(error)) from None
        raise file_error(
            path, f"unparseable CSV ({error})", "well-formed CSV", "file_malformed"
        ) from None
    finally:
        sys.unraisablehook = previous_hook
    if undecodable:
        raise InvalidUtf8Error(str(undecodable[0]))
    return table, invalid
