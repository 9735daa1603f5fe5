"""Problems with the shape of a table's records: too few fields, or cells right of the header.

CSV files and workbooks follow one rule (:mod:`auditlib.data.io` applies it while reading): a
record with fewer fields than the header (``short_row``: the file is probably truncated) or with
a value right of the header's last column (``extra_field``: a value that belongs to no column) is
never loaded. Both are fatal by default; under a policy that makes them ``reject`` or
``warning`` the record is listed among the rejected rows, so nothing disappears unlisted.
"""

from __future__ import annotations

import re

import pandas as pd

from auditlib.data.idcard import mask_id_number, mask_name
from auditlib.data.io import RawTable
from auditlib.data.policy import ValidationPolicy
from auditlib.errors import Problem

__all__ = ["STRUCTURE_CODES", "dropped_rows", "structure_problems"]

#: Codes of problems whose record is never loaded.
STRUCTURE_CODES = ("short_row", "extra_field")


def _shown(value: str) -> str:
    """A cell of unknown meaning, masked in case it is personal (an ID number or a name)."""
    if re.search(r"[0-9]{6}", value):
        return mask_id_number(value)
    if 1 < len(value) <= 4 and all("\u4e00" <= character <= "\u9fff" for character in value):
        return mask_name(value)
    return value if len(value) <= 40 else value[:39] + "…"


def structure_problems(raw: RawTable, policy: ValidationPolicy) -> list[Problem]:
    """One problem per record of ``raw`` that was too short or too wide to load."""
    problems = [
        Problem(
            raw.path.name,
            row,
            None,
            "fewer fields than the header",
            "one field per header column (the file may be truncated)",
            policy.action("short_row"),
            "short_row",
        )
        for row in raw.short_rows
    ]
    width = len(raw.frame.columns)
    problems += [
        Problem(
            raw.path.name,
            row,
            f"({position}, right of the header)",
            _shown(value) if value else "(empty field)",
            f"no value right of the header's {width} columns: it belongs to no column "
            "(give its column a header, or delete it)",
            policy.action("extra_field"),
            "extra_field",
        )
        for row, position, value in raw.extra_cells
    ]
    return problems


def dropped_rows(problems: list[Problem]) -> pd.DataFrame:
    """Rejected-rows listing (file, row, reason) of the records not loaded but not fatal."""
    dropped = [p for p in problems if p.code in STRUCTURE_CODES and p.severity != "error"]
    return pd.DataFrame(
        {
            "file": [p.file for p in dropped],
            "row": [p.row for p in dropped],
            "reason": [f"{p.code}: {p.value}" for p in dropped],
        }
    )
