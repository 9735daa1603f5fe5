"""Hit frames of the red-flag rules: their columns, their assembly and the formatting and
registry-joining helpers shared by :mod:`auditlib.risk.rules.household` and
:mod:`auditlib.risk.rules.payment` (split from :mod:`auditlib.risk.rules.household`, which
re-exports the public names).

A *hit frame* has one row per triggering record (columns :data:`HIT_COLUMNS`), naming the table
and spreadsheet row of that record and describing it in Chinese and English with masked
identities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.idcard import mask_names
from auditlib.data.table_keys import spreadsheet_rows
from auditlib.risk.crosscheck import CrossCheckResult

__all__ = [
    "HIT_COLUMNS",
    "clean_text",
    "date_text",
    "empty_hits",
    "linked_registry",
    "make_hits",
    "money_text",
    "registry_hits",
]

HIT_COLUMNS: tuple[str, ...] = (
    "household_id",
    "rule_code",
    "source",
    "source_row",
    "evidence_zh",
    "evidence_en",
)


def empty_hits() -> pd.DataFrame:
    """A hit frame with no rows."""
    return pd.DataFrame({column: pd.Series(dtype="string") for column in HIT_COLUMNS}).astype(
        {"source_row": "Int64"}
    )


def _text_array(values: pd.Series | np.ndarray | list[object]) -> pd.api.extensions.ExtensionArray:
    """Values as a ``"string"`` array (a string Series is converted without a Python loop)."""
    if isinstance(values, pd.Series):
        return values.astype("string").array
    return pd.array(np.asarray(values, dtype=object), dtype="string")


def make_hits(
    code: str,
    household_id: pd.Series | np.ndarray,
    source: str,
    source_row: pd.Series | np.ndarray,
    evidence_zh: pd.Series | np.ndarray,
    evidence_en: pd.Series | np.ndarray,
) -> pd.DataFrame:
    """Assemble a hit frame (all arguments aligned, one element per hit)."""
    rows = (
        source_row.astype("Int64").array
        if isinstance(source_row, pd.Series)
        else pd.array(np.asarray(source_row, dtype=object), dtype="Int64")
    )
    count = len(rows)
    return pd.DataFrame(
        {
            "household_id": _text_array(household_id),
            "rule_code": pd.array(np.full(count, code, dtype=object), dtype="string"),
            "source": pd.array(np.full(count, source, dtype=object), dtype="string"),
            "source_row": rows,
            "evidence_zh": _text_array(evidence_zh),
            "evidence_en": _text_array(evidence_en),
        }
    )


def clean_text(values: pd.Series) -> pd.Series:
    """Text stripped of surrounding spaces, ``"?"`` where missing (for evidence strings)."""
    return values.astype("string").fillna("?").str.strip()


def money_text(values: pd.Series) -> pd.Series:
    """Amounts as whole yuan with thousands separators, ``"?"`` where not a number."""
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.map(lambda value: "?" if pd.isna(value) else f"{value:,.0f}").astype("string")


def date_text(values: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD``, ``"?"`` where not a date."""
    return pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d").fillna("?")


def linked_registry(data: CountyData, crosscheck: CrossCheckResult, registry: str) -> pd.DataFrame:
    """Linked registry records joined back to the registry's own columns.

    The registry's rows are taken by position (its spreadsheet row numbers are unique when it
    comes from a file); a registry with repeated row numbers, or with a column named like one
    of the matches, is joined with a merge instead (same result, slower).
    """
    if registry not in data.registries:
        return pd.DataFrame()
    linked = crosscheck.linked(registry)
    table = data.registries[registry]
    own = table.drop(columns=["id_number", "name", "registry_row"], errors="ignore")
    rows = spreadsheet_rows(table)
    row_index = pd.Index(rows)
    if row_index.is_unique and not set(own.columns) & set(linked.columns):
        positions = row_index.get_indexer(linked["registry_row"].to_numpy(dtype=np.int64))
        if (positions >= 0).all():
            extra = own.take(positions).reset_index(drop=True)
            joined = pd.concat([linked, extra], axis=1)
            joined["person"] = mask_names(joined["member_name"]).fillna("?")
            return joined
    table = table.copy()
    table["registry_row"] = rows
    table = table.drop(columns=["id_number", "name"], errors="ignore")
    joined = linked.merge(table, on="registry_row", how="left", sort=False)
    joined["person"] = mask_names(joined["member_name"]).fillna("?")
    return joined


def registry_hits(
    code: str,
    registry: str,
    records: pd.DataFrame,
    zh: pd.Series,
    en: pd.Series,
) -> pd.DataFrame:
    """Hit frame of linked registry ``records`` (from :func:`linked_registry`): the evidence is
    "<registry> row <n>: <masked person>, ``zh``/``en``", with a note on identity conflicts."""
    if records.empty:
        return empty_hits()
    label_zh = {
        "registry_cadres": "村干部名册",
        "registry_relatives": "近亲属备案",
        "registry_payroll": "财政供养人员名册",
        "registry_vehicles": "机动车登记",
        "registry_property": "不动产登记",
        "registry_business": "市场主体登记",
        "registry_deaths": "死亡登记",
    }[registry]
    rows = records["registry_row"].astype("string")
    conflict = np.where(records["status"] == "conflict", "（姓名或出生日期不一致）", "")
    conflict_en = np.where(records["status"] == "conflict", " (name or birth date differs)", "")
    return make_hits(
        code,
        records["household_id"],
        registry,
        records["registry_row"],
        label_zh + "第" + rows + "行：" + records["person"] + "，" + zh + conflict,
        registry + " row " + rows + ": " + records["person"] + ", " + en + conflict_en,
    )
