"""The one order of townships in a county's report and its statistics form: by township code.

Township codes (乡镇代码) are the county's six-digit code followed by the township's own digits,
so ordering by code keeps the register's order (towns 镇 before townships 乡 in most counties)
and is the same whatever the names' characters. Codes are compared as text, as the report's
tables always did (``sections.design`` sorts ``township_code`` as text;
``auditlib.estimation.areas.township_estimates`` iterates over ``sorted`` codes).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["sort_by_township", "township_order"]


def township_order(
    table: pd.DataFrame, *, code: str = "township_code", name: str = "township"
) -> list[tuple[str, str]]:
    """The townships of ``table`` in report order, as ``(code, name)`` pairs.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table with a township code column (households, sample, verified households).
    code, name : str
        Columns holding the township code and name; without a name column the code is the
        name. A code with several names takes the first one in row order.

    Returns
    -------
    list of tuple of (str, str)
        One pair per township, ordered by code (as text).

    Examples
    --------
    >>> table = pd.DataFrame({"township_code": ["2", "1", "2"], "township": ["乙", "甲", "乙"]})
    >>> township_order(table)
    [('1', '甲'), ('2', '乙')]
    """
    codes = table[code].astype(str).to_numpy()
    names = table[name].astype(str).to_numpy() if name in table.columns else codes
    first: dict[str, str] = {}
    for key, label in zip(codes, names, strict=True):
        first.setdefault(str(key), str(label))
    return [(key, first[key]) for key in sorted(first)]


def sort_by_township(frame: pd.DataFrame, *, code: str = "township_code") -> pd.DataFrame:
    """Rows of ``frame`` in report order of their township (stable within a township).

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with one or more rows per township.
    code : str
        Column holding the township code.

    Returns
    -------
    pandas.DataFrame
        A reordered copy; the index is kept.

    Examples
    --------
    >>> frame = pd.DataFrame({"township_code": [2, 10, 1], "found": [0, 1, 2]})
    >>> sort_by_township(frame)["township_code"].tolist()
    [1, 10, 2]
    """
    return frame.sort_values(code, key=lambda column: column.astype(str), kind="stable")
