"""Distinct values of text columns for the privacy guard's identity scan, computed by Arrow.

:func:`auditlib.report.privacy.identities_in_folder` needs, per column, the set of
``str(value).strip()`` of its cells. A 1,000,000-household county has millions of cells; these
helpers reduce each column to its distinct values with Arrow kernels and hand Python only the
values it must treat itself (padded ones to strip, non-ASCII ones to upper-case), so the
result is exactly what the row-by-row Python sets gave (``tests/test_privacy_columnar.py``).
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["distinct_values", "not_in_text", "values_at_least"]


@functools.cache
def _padded() -> str:
    """A pattern for text starting or ending with a character :meth:`str.strip` removes."""
    spaces = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x110000)) if c.isspace())
    return f"^[{spaces}]|[{spaces}]$"


def distinct_values(values: Any) -> Any:
    """``{str(value).strip()} - {""}`` over a column, as an Arrow array (Arrow-backed text)
    or a set; computed on the column's distinct values, the padded ones stripped by Python.
    A missing value reads as the column's marker (``nan``, ``<NA>``), as ``str`` of it did."""
    import pandas as pd  # not before the kernel starts
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return {str(value).strip() for value in values.unique().tolist()} - {""}
    unique = pc.unique(pa.array(values.array)).cast(pa.large_string())
    padded = pc.match_substring_regex(unique.drop_null(), _padded())
    stripped = [value.strip() for value in unique.drop_null().filter(padded).to_pylist()]
    stripped += [str(dtype.na_value).strip()] if unique.null_count else []
    kept = [unique.drop_null().filter(pc.invert(padded)), pa.array(stripped, pa.large_string())]
    distinct = pc.unique(pa.concat_arrays(kept))
    return distinct.filter(pc.not_equal(distinct, ""))


def values_at_least(values: Any, shortest: int = 0, upper: bool = False) -> set[str]:
    """The values of :func:`distinct_values` at least ``shortest`` characters long, upper-cased."""
    import pyarrow.compute as pc

    if isinstance(values, set):
        return {value.upper() if upper else value for value in values if len(value) >= shortest}
    values = values.filter(pc.greater_equal(pc.utf8_length(values), shortest))
    if not upper:
        return set(values.to_pylist())
    ascii_only = pc.string_is_ascii(values)  # ASCII: Arrow's upper is Python's
    found = set(pc.ascii_upper(values.filter(ascii_only)).to_pylist())
    return found | {value.upper() for value in values.filter(pc.invert(ascii_only)).to_pylist()}


def not_in_text(names: set[str], text: str) -> frozenset[str]:
    """The names that do not occur in ``text``: set look-ups among ``text``'s substrings."""
    lengths = {len(name) for name in names}
    if len(text) * len(lengths) > 50_000_000:  # too many substrings: search one by one
        return frozenset(name for name in names if name not in text)
    pieces = {text[start : start + size] for size in lengths for start in range(len(text))}
    return frozenset(name for name in names if name not in pieces)
