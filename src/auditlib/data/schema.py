"""The data contract as code: every table a county audit reads, its columns and their rules.

Column names are English; each column carries its Chinese field label (``label_zh``), which is
accepted on input as an alias, together with any further ``aliases``. ``docs/data-contract.md``
documents the same contract for people; :func:`contract_markdown` renders it from this module so
the two cannot drift apart (a test compares them). This module holds the column and table
specifications; the tables are in :mod:`auditlib.data.register_tables`,
:mod:`auditlib.data.registry_tables` and :mod:`auditlib.data.contract`, the code lists in
:mod:`auditlib.data.codes`.

Kinds of column
---------------
``string``      free text (names, codes).
``id_number``   18-character resident ID number (GB 11643-1999), checked for length, birth date
                and check digit.
``int``         whole number; ``minimum``/``maximum`` bound it.
``float``       real number (yuan, square metres); ``minimum``/``maximum`` bound it.
``date``        calendar date, ISO ``YYYY-MM-DD`` (also ``YYYY/MM/DD``, ``YYYYMMDD``); never in the
                future of the data's reference date.
``bool``        yes/no: ``1/0``, ``true/false``, ``yes/no``, ``y/n``, ``是/否``.
``category``    one of ``values`` (English codes; the Chinese labels in ``value_labels_zh`` are
                accepted too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "BOOL_FALSE",
    "BOOL_TRUE",
    "ColumnSpec",
    "TableSpec",
    "category_spec",
    "normalise_header",
    "text_spec",
]

BOOL_TRUE = frozenset({"1", "true", "yes", "y", "t", "是", "有", "1.0"})
BOOL_FALSE = frozenset({"0", "false", "no", "n", "f", "否", "无", "0.0"})


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the contract.

    Parameters
    ----------
    name : str
        English column name (what the library uses).
    label_zh : str
        Chinese field label as in the information system's exports; accepted as an alias.
    kind : str
        One of ``string``, ``id_number``, ``int``, ``float``, ``date``, ``bool``, ``category``.
    description : str
        What the column holds, in English.
    required : bool
        Whether the column must be present in the file.
    nullable : bool
        Whether an empty cell is allowed.
    minimum, maximum : float or None
        Bounds of numeric columns (inclusive).
    values : tuple of str
        Allowed codes of a ``category`` column.
    value_labels_zh : mapping
        Chinese label of each code (accepted on input).
    aliases : tuple of str
        Further accepted spellings of the column name.
    unique : bool
        Whether values must be unique within the table.
    latest : str
        For dates, the latest date allowed: ``"reference_date"`` (the registers' extraction
        date) or ``"today"`` (events recorded after the extraction, such as field visits).
    personal : bool
        Whether the column identifies a person (name, ID number, account): masked in reports.
    digit_code : bool
        For text, whether the column holds codes that may be long runs of digits (account
        numbers, household ids, administrative codes): such a code stored as a number by a
        spreadsheet (``6.21700E+15``, or a float too long to be exact) has lost digits or
        leading zeros and is refused (``code_lost_precision``). ID numbers always are.
    """

    name: str
    label_zh: str
    kind: str
    description: str
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()
    value_labels_zh: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    unique: bool = False
    personal: bool = False
    latest: str = "reference_date"
    digit_code: bool = False


@dataclass(frozen=True)
class TableSpec:
    """One table of the contract: its file stem, key and columns."""

    name: str
    label_zh: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    required: bool = True

    def column(self, name: str) -> ColumnSpec:
        """Return the spec of column ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """English names of all columns, in contract order."""
        return tuple(column.name for column in self.columns)

    def alias_map(self) -> dict[str, str]:
        """Map every accepted spelling (English, Chinese label, aliases) to the English name."""
        mapping: dict[str, str] = {}
        for column in self.columns:
            for spelling in (column.name, column.label_zh, *column.aliases):
                mapping[normalise_header(spelling)] = column.name
        return mapping


def normalise_header(header: str) -> str:
    return "".join(str(header).split()).lower().replace("（", "(").replace("）", ")")


# --------------------------------------------------------------------------- code lists


def text_spec(name: str, label: str, description: str, **options: object) -> ColumnSpec:
    return ColumnSpec(name, label, "string", description, **options)  # type: ignore[arg-type]


def category_spec(
    name: str, label: str, description: str, codes: Mapping[str, str], **options: object
) -> ColumnSpec:
    return ColumnSpec(
        name,
        label,
        "category",
        description,
        values=tuple(codes),
        value_labels_zh=dict(codes),
        **options,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- tables
