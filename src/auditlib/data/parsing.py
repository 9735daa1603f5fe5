"""Strict parsing of text cells: numbers, dates, and digit codes that were stored as numbers.

Every parser runs on Arrow compute kernels over a whole column and never guesses: a value is
either read exactly as written or left missing (``NaN``/null) for validation to refuse.

* Numbers: what Arrow's parser reads (``12``, ``-3.5``, ``1e5``), or digits grouped by thousands
  in exactly the pattern ``1,234,567.89``; ``420,5`` or ``4,2,0`` are ambiguous and refused, and
  so are ``nan`` and ``inf``.
* Dates: ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``YYYYMMDD`` or ``2025年1月5日``, with
  an optional time of day (``2025-01-05 08:30:00``, as a workbook may store it). Nothing else is
  read: ``2024-05-0199`` is not cut to ``2024-05-01``, and an impossible date (``2024-02-30``) is
  refused instead of rolling over to March.
* Digit codes (ID and account numbers) stored as numbers: scientific notation (``4.30522E+17``),
  a float rendering (``430522196001010000.0``) or the mark a workbook or parquet reader leaves on
  a float too long to be exact (:data:`auditlib.data.io.LOST_PRECISION_MARK`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditlib.data.arrow import bool_mask

__all__ = ["STORED_AS_NUMBER", "parse_dates", "parse_numbers", "stored_as_number"]

#: A digit code that went through a float: the reader's mark, scientific notation, or a long
#: run of digits followed by a decimal point.
STORED_AS_NUMBER = r"(?i)#lost-precision$|^[0-9](\.[0-9]+)?e\+[0-9]+$|^[0-9]{12,}\.[0-9]*$"
_PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_GROUPED_NUMBER = r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE = (
    r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
)


def stored_as_number(array: pa.Array) -> np.ndarray:
    """Mask of the cells of a text column that hold a digit code mangled by a float."""
    # every such cell holds one of ".#+": a column of plain codes is settled by one fast pass
    plain = pc.or_(pc.ascii_is_alnum(array), pc.equal(array, ""))
    if pc.all(plain).as_py():
        return np.zeros(len(array), dtype=bool)
    return bool_mask(pc.match_substring_regex(array, STORED_AS_NUMBER))


def parse_numbers(array: pa.Array, empty: np.ndarray) -> np.ndarray:
    """Parse numbers; ``NaN`` where empty, not a number, ambiguous or not finite.

    Parameters
    ----------
    array : pyarrow.Array
        Trimmed text cells, never null.
    empty : numpy.ndarray
        Mask of the empty cells.
    """
    cells = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), array)
    try:  # fast path: Arrow's C++ parser, when every non-empty cell is a plain number
        parsed = pc.cast(cells, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        grouped = pc.match_substring_regex(cells, _GROUPED_NUMBER)
        cleaned = pc.if_else(grouped, pc.replace_substring(cells, ",", ""), cells)
        plain = pc.match_substring_regex(cleaned, _PLAIN_NUMBER)
        cleaned = pc.if_else(pc.fill_null(plain, False), cleaned, pa.scalar(None, pa.string()))
        try:
            parsed = pc.cast(cleaned, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. an exponent out of range
            values = pd.Series(cleaned.to_pylist(), dtype=object)
            parsed = pa.array(pd.to_numeric(values, errors="coerce"), pa.float64())
    numbers = np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=float)
    return np.where(np.isfinite(numbers), numbers, np.nan)


def parse_dates(array: pa.Array, empty: np.ndarray) -> pa.Array:
    """Parse dates strictly (see the module docstring); null where empty or not a real date.

    Parameters
    ----------
    array : pyarrow.Array
        Trimmed text cells, never null.
    empty : numpy.ndarray
        Mask of the empty cells.

    Returns
    -------
    pyarrow.Array
        ``timestamp[s]`` values.
    """
    cells = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), array)
    iso = pc.match_substring_regex(array, _ISO_DATE)
    if pc.all(pc.or_(iso, pa.array(empty))).as_py():  # fast path: every cell ISO or empty
        parsed = pc.strptime(cells, format="%Y-%m-%d", unit="s", error_is_null=True)
        day = pc.cast(pc.utf8_slice_codeunits(cells, 8, 10), pa.int64())
        # strptime rolls 2024-02-30 over to 2024-03-01: the day must come back unchanged
        return pc.if_else(pc.equal(pc.day(parsed), day), parsed, pa.scalar(None, parsed.type))
    normalised = pc.replace_substring_regex(cells, r"^([0-9]{4})([0-9]{2})([0-9]{2})$", r"\1-\2-\3")
    normalised = pc.replace_substring_regex(
        normalised, r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日", r"\1-\2-\3"
    )
    normalised = pc.replace_substring_regex(
        normalised, r"^([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})", r"\1-\2-\3"
    )
    parts = pc.extract_regex(normalised, _DATE)
    year, month, day = (pc.cast(pc.struct_field(parts, [index]), pa.int64()) for index in range(3))
    joined = pc.binary_join_element_wise(
        pc.cast(year, pa.string()), pc.cast(month, pa.string()), pc.cast(day, pa.string()), "-"
    )
    parsed = pc.strptime(joined, format="%Y-%m-%d", unit="s", error_is_null=True)
    same = pc.and_(pc.equal(pc.month(parsed), month), pc.equal(pc.day(parsed), day))
    return pc.if_else(pc.fill_null(same, False), parsed, pa.scalar(None, parsed.type))
