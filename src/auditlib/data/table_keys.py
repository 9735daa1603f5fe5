"""Keys of the county's tables on Arrow: spreadsheet row numbers, positions of text keys in a
reference, integer codes, repeated ID numbers and text columns (split from
:mod:`auditlib.risk.crosscheck`, which re-exports the public names).

Text keys are compared with pyarrow's hash kernels (``index_in``, dictionary encoding), fast on
the pandas 3 string dtype, which is stored in Arrow; well-formed ID numbers are compared as
integers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditlib.data.arrow import string_array

__all__ = [
    "arrow_text",
    "key_codes",
    "normalise_id_numbers",
    "positions_in",
    "repeated_keys",
    "spreadsheet_rows",
    "text_column",
]


def spreadsheet_rows(frame: pd.DataFrame) -> np.ndarray:
    """Row numbers as a spreadsheet shows them (header = row 1) for each row of ``frame``.

    An integer index is taken to be the 0-based position in the source file (as loading and the
    generator produce it); any other index falls back to the position in ``frame``.
    """
    index = frame.index
    if pd.api.types.is_integer_dtype(index.dtype):
        return np.asarray(index, dtype=np.int64) + 2
    return np.arange(len(frame), dtype=np.int64) + 2


def arrow_text(values: pd.Series | np.ndarray) -> pa.Array:
    """Values as an Arrow ``large_string`` array (no copy when already Arrow-backed)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype="string")
    array = string_array(series)
    return array.cast(pa.large_string())


def positions_in(values: pd.Series | np.ndarray, reference: pd.Series | np.ndarray) -> np.ndarray:
    """Position of each value in ``reference`` (first occurrence), ``-1`` if absent or missing.

    Text keys are compared as strings with pyarrow's hash-based ``index_in`` (fast on the
    pandas 3 string dtype, which is stored in Arrow).
    """
    result = pc.index_in(arrow_text(values), value_set=arrow_text(reference))
    return np.asarray(result.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def key_codes(values: pd.Series | np.ndarray, *, id_numbers: bool = False) -> np.ndarray:
    """Integer code of each distinct value (``-1`` for missing), by Arrow dictionary encoding.

    With ``id_numbers=True`` values are stripped and upper-cased first (as
    :func:`normalise_id_numbers`).
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    array = arrow_text(values)
    if id_numbers:
        array = pc.utf8_upper(pc.utf8_trim_whitespace(array))
    encoded = pc.dictionary_encode(array)
    return encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _id_number_keys(array: pa.Array) -> np.ndarray | None:
    """Each ID number as one integer (17 digits × 11 + check character), or ``None`` unless
    every value is present and has the 18-character shape ``[0-9]{17}[0-9X]``.

    Two such ID numbers are equal exactly when their integers are, and integers are hashed
    several times faster than text.
    """
    count = len(array)
    if array.null_count or array.type != pa.large_string():
        return None
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[
        array.offset : array.offset + count + 1
    ]
    if not (np.diff(offsets) == 18).all():
        return None
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    digits = data.reshape(count, 18) - np.uint8(ord("0"))  # wraps below "0": > 9 too
    check = np.where(digits[:, 17] == ord("X") - ord("0"), 10, digits[:, 17])
    if (digits[:, :17] > 9).any() or (check > 10).any():
        return None
    keys = np.zeros(count, dtype=np.int64)
    for position in range(17):
        keys = keys * 10 + digits[:, position]
    result: np.ndarray = keys * 11 + check
    return result


def repeated_keys(values: pd.Series, *, id_numbers: bool = False) -> np.ndarray:
    """Whether each (non-missing) value occurs more than once in ``values``."""
    if id_numbers and len(values):
        array = pc.utf8_upper(pc.utf8_trim_whitespace(arrow_text(values)))
        keys = _id_number_keys(array)
        if keys is not None:
            return np.asarray(pd.Series(keys).duplicated(keep=False).to_numpy(), dtype=bool)
    codes = key_codes(values, id_numbers=id_numbers)
    if len(codes) == 0:
        return np.zeros(0, dtype=bool)
    counts = np.bincount(codes[codes >= 0], minlength=max(int(codes.max()) + 1, 1))
    return (codes >= 0) & (counts[np.maximum(codes, 0)] > 1)


def normalise_id_numbers(values: pd.Series) -> pd.Series:
    """ID numbers as upper-case stripped strings (missing stays missing)."""
    return values.astype("string").str.strip().str.upper()


def text_column(values: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A ``"string"`` Series as the column pandas would infer from ``values.to_numpy()``.

    That is the ``str`` dtype (missing = ``NaN``) when a value is present, else an object
    array; the ``str`` array is converted from Arrow directly, without Python objects.
    """
    if values.notna().any():
        return values.astype("str").array
    return values.to_numpy()
