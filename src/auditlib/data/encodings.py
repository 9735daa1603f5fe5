"""Naming the text encoding of a CSV file, strictly: UTF-8 (with or without BOM) or GB18030.

A byte-order mark means UTF-8; otherwise the bytes must decode strictly as UTF-8, or else as
GB18030 (the national standard superset of GBK/GB2312 used by most Chinese information systems).
Bytes of another encoding often *decode* as GB18030 without an error (every Big5 pair is a valid
GBK pair) and give mojibake: characters of the user-defined (private use) area, Japanese kana,
Greek, Cyrillic and box-drawing symbols where names and villages should be. A GB18030 file is
therefore accepted only when it re-encodes to the same bytes and such characters are rare; else it
is refused, naming the encoding ``charset-normalizer`` guesses and the first line that shows it.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditlib.data.masking import mask_problem
from auditlib.errors import DataError, Problem

__all__ = [
    "MOJIBAKE_SHARE",
    "UTF8_BOM",
    "detect_encoding",
    "file_error",
    "refuse_binary_or_utf16",
]

UTF8_BOM = b"\xef\xbb\xbf"
#: Largest share of the non-ASCII characters of a GB18030 file that may be characters no
#: Chinese register holds (private use area, kana, Greek, Cyrillic, box drawing).
MOJIBAKE_SHARE = 0.02
_UNLIKELY = re.compile("[\ue000-\uf8ff\u3040-\u30ff\u0370-\u04ff\u2500-\u257f]")


def file_error(
    path: Path, value: str, expected: str, code: str, row: int | None = None
) -> DataError:
    """A :class:`DataError` carrying one problem of a whole file (or of one of its lines)."""
    problem = mask_problem(Problem(str(path.name), row, None, value, expected, "error", code))
    return DataError(problem.describe(), [problem])


def detect_encoding(path: Path, data: bytes) -> str:
    """Name the encoding of ``data`` (``"utf-8-sig"``, ``"utf-8"`` or ``"gb18030"``).

    Raises
    ------
    DataError
        ``file_truncated`` when the file ends inside a UTF-8 character, ``file_encoding`` when
        it is neither UTF-8 nor clean GB18030 Chinese text.
    """
    refuse_binary_or_utf16(path, data)
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
            raise file_error(
                path,
                f"file ends in the middle of a character (byte {utf8_error.start})",
                "a complete file (it looks truncated)",
                "file_truncated",
            ) from None
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:  # located where UTF-8 failed: GB18030 reads misaligned
            raise _undecodable(path, data, utf8_error, "UTF-8, UTF-8 with BOM or GB18030") from None
    _check_clean_gb18030(path, data, text)
    return "gb18030"


def _check_clean_gb18030(path: Path, data: bytes, text: str) -> None:
    """Refuse GB18030-decodable bytes that are mojibake of another encoding."""
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    unlikely = len(_UNLIKELY.findall(text))
    round_trips = text.encode("gb18030") == data
    if round_trips and unlikely <= MOJIBAKE_SHARE * non_ascii:
        return
    found = _UNLIKELY.search(text)
    position = found.start() if found is not None else 0
    line = text.count("\n", 0, position) + 1
    # show a few of the odd characters, never the line (it may hold ID numbers or names)
    shown = "".join(dict.fromkeys(_UNLIKELY.findall(text.splitlines()[line - 1])))[:5]
    value = (
        f"{_guess(data)} text, not GB18030: read as GB18030, line {line} holds {shown!a} "
        f"({unlikely} of {non_ascii} non-ASCII characters are ones no register holds)"
    )
    raise file_error(
        path,
        value,
        "text encoded as UTF-8, UTF-8 with BOM or GB18030; re-export it as UTF-8",
        "file_encoding",
        row=line,
    )


def _guess(data: bytes) -> str:
    from charset_normalizer import from_bytes  # slow to import; only needed for a bad file

    guess = from_bytes(data[:65536]).best()
    return f"probably {guess.encoding}" if guess is not None else "unknown-encoding"


def _undecodable(path: Path, data: bytes, error: UnicodeDecodeError, expected: str) -> DataError:
    from charset_normalizer import from_bytes  # slow to import; only needed for a bad file

    guess = from_bytes(data[:65536]).best()
    hint = f"; it may be {guess.encoding}" if guess is not None else ""
    line = data.count(b"\n", 0, error.start) + 1
    start = data.rfind(b"\n", 0, error.start) + 1
    value = (
        f"byte 0x{data[error.start]:02X} at character {error.start - start + 1} of line {line} "
        f"is not {expected.split(',')[0]}{hint}"
    )
    return file_error(
        path, value, f"text encoded as {expected}; re-export it", "file_encoding", row=line
    )


def refuse_binary_or_utf16(path: Path, data: bytes) -> None:
    """Refuse UTF-16/32 text and binary files (NUL bytes) with the encoding they look like."""
    boms = {
        b"\xff\xfe\x00\x00": "UTF-32 LE",
        b"\x00\x00\xfe\xff": "UTF-32 BE",
        b"\xff\xfe": "UTF-16 LE",
        b"\xfe\xff": "UTF-16 BE",
    }
    found = next((name for bom, name in boms.items() if data.startswith(bom)), None)
    if found is None and b"\x00" in data[:65536]:
        even, odd = data[:4096:2].count(0), data[1:4096:2].count(0)
        if max(even, odd) > 0.4 * len(data[:4096]) / 2 and min(even, odd) == 0:
            found = "UTF-16 " + ("LE" if odd > even else "BE") + " (no byte-order mark)"
    if found is not None:
        raise file_error(
            path,
            f"text encoded as {found}",
            "text encoded as UTF-8, UTF-8 with BOM or GB18030; re-export it as UTF-8 "
            "(Excel: 'CSV UTF-8')",
            "file_encoding",
        )
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise file_error(
            path,
            f"binary data, not text (a NUL byte at byte {offset}; "
            f"encoding guessed: {_guess(data)})",
            "a CSV text file (UTF-8 or GB18030), an .xlsx workbook or a .parquet file",
            "file_encoding",
            row=data.count(b"\n", 0, offset) + 1,
        )
