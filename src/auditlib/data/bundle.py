"""The typed bundle of one county's tables, as returned by loading or by the generator.

Column dtypes after loading (and as produced by :mod:`auditlib.synth.generator`):

* ``string`` and ``id_number`` columns: pandas ``string`` dtype (missing = ``<NA>``);
* ``category`` columns: pandas ``string`` dtype holding the English code;
* ``int`` columns: ``int64`` (``Int64`` where the column may be empty);
* ``float`` columns: ``float64`` (missing = ``NaN``);
* ``date`` columns: ``datetime64[ns]`` (missing = ``NaT``);
* ``bool`` columns: ``bool``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

__all__ = ["CountyData", "CountyInfo"]


@dataclass(frozen=True)
class CountyInfo:
    """Facts about a county that its tables do not carry (``county.yaml`` beside the tables).

    Parameters
    ----------
    county_code : str
        6-digit administrative code (e.g. ``"430522"`` for 新邵县).
    county : str
        County name.
    province : str
        Province name.
    rural_standard : float
        Rural Dibao standard, yuan per person per month.
    reference_date : datetime.date
        The date the registers were extracted; "in the future" means after it.
    audit_period_start, audit_period_end : datetime.date
        Period covered by the payments ledger and the audit.
    """

    county_code: str
    county: str
    province: str
    rural_standard: float
    reference_date: date
    audit_period_start: date
    audit_period_end: date


@dataclass(frozen=True)
class CountyData:
    """All tables of one county audit, validated against the data contract.

    Attributes
    ----------
    info : CountyInfo
        County facts.
    households, members, payments : pandas.DataFrame
        The three core tables (see ``docs/data-contract.md``).
    registries : dict of str to pandas.DataFrame
        External registries present, keyed by table name (``"registry_deaths"``, ...).
    verification : pandas.DataFrame or None
        Verification results returned by field teams, when present.
    problems : pandas.DataFrame
        Every problem found while loading (columns ``file, row, column, value, expected,
        severity, code``): the data-quality appendix of a report.
    rejected : pandas.DataFrame
        Rows not loaded (columns ``file, row, reason``); nothing is dropped silently.
    source : pathlib.Path or None
        Folder the tables were loaded from (``None`` when generated in memory).
    files : dict of str to str
        SHA-256 of each file read, keyed by file name (for the report manifest).
    """

    info: CountyInfo
    households: pd.DataFrame
    members: pd.DataFrame
    payments: pd.DataFrame
    registries: dict[str, pd.DataFrame] = field(default_factory=dict)
    verification: pd.DataFrame | None = None
    problems: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["file", "row", "column", "value", "expected", "severity", "code"]
        )
    )
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["file", "row", "reason"])
    )
    source: Path | None = None
    files: dict[str, str] = field(default_factory=dict)

    def registry(self, name: str) -> pd.DataFrame | None:
        """Return registry ``name`` (e.g. ``"registry_vehicles"``) or ``None`` if absent."""
        return self.registries.get(name)
