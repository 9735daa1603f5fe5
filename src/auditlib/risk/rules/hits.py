"""Hit frames of the red-flag rules: their columns, their assembly and the formatting and
registry-joining helpers shared by :mod:`auditlib.risk.rules.household` and
:mod:`auditlib.risk.rules.payment` (split from :mod:`auditlib.risk.rules.household`, which
re-exports the public names).

A *hit frame* has one row per triggering record (columns :data:`HIT_COLUMNS`), naming the table
and spreadsheet row of that record and describing it in Chinese and English with masked
identities. Its ``strength`` is ``"full"`` (the record itself, or a registry record linked by ID
number) or ``"name_only"`` (a registry record with an invalid ID number linked to a member by
name only, :mod:`auditlib.risk.name_links`): a name-only hit is a prompt, weighed at most
:data:`NAME_ONLY_WEIGHT` (:meth:`auditlib.risk.rules.evaluate.RuleHits.per_household`).
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
    "HIT_STRENGTHS",
    "ID_ONLY_REGISTRIES",
    "NAME_ONLY_WEIGHT",
    "clean_text",
    "date_text",
    "empty_hits",
    "first_per_household",
    "further_rows",
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
    "strength",
)

#: Strengths of a hit: its own record or an ID-linked registry record, or a name-only link.
HIT_STRENGTHS: tuple[str, ...] = ("full", "name_only")

#: Largest weight of a name-only hit: ``min(rule weight, NAME_ONLY_WEIGHT)``, always a prompt
#: (< 1), so a match by name alone never ranks a household above one with a definitive hit.
NAME_ONLY_WEIGHT = 0.25

#: Registries whose name-only links rules do not use: their rules (H03, H08 in
#: :mod:`auditlib.risk.rules.household`) let a linked record stand for the member's own record
#: (a declared wage, a death date in the members table), so a weak link would replace a
#: definitive hit by a prompt.
ID_ONLY_REGISTRIES: frozenset[str] = frozenset({"registry_deaths", "registry_payroll"})


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
    strength: pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """Assemble a hit frame (all arguments aligned, one element per hit; ``strength`` defaults
    to ``"full"`` for every hit)."""
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
            "strength": _text_array(np.full(count, "full", dtype=object))
            if strength is None
            else _text_array(strength),
        }
    )


def first_per_household(frame: pd.DataFrame, order: str, ascending: bool) -> pd.DataFrame:
    """The most telling row of each household (first by ``order``, then spreadsheet ``row``),
    with ``others``, the number of its further rows; in spreadsheet-row order."""
    frame = frame.sort_values([order, "row"], ascending=[ascending, True], kind="stable")
    counts = frame.groupby("household_id", sort=False)["row"].transform("size")
    first = frame.assign(others=counts - 1).drop_duplicates("household_id", keep="first")
    return first.sort_values("row", kind="stable")


def further_rows(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Evidence suffixes naming the ``others`` count of :func:`first_per_household` (Chinese,
    English), empty where there are none."""
    others = frame["others"].astype(int)
    zh = pd.Series(np.where(others > 0, "（另有" + others.astype(str) + "笔）", ""), frame.index)
    en = pd.Series(np.where(others > 0, " (and " + others.astype(str) + " more)", ""), frame.index)
    return zh.astype("string"), en.astype("string")


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
    """Linked registry records (by ID number, and by name only unless the registry is one of
    :data:`ID_ONLY_REGISTRIES`) joined back to the registry's own columns.

    The registry's rows are taken by position (its spreadsheet row numbers are unique when it
    comes from a file); a registry with repeated row numbers, or with a column named like one
    of the matches, is joined with a merge instead (same result, slower).
    """
    if registry not in data.registries:
        return pd.DataFrame()
    linked = crosscheck.linked(registry, name_only=registry not in ID_ONLY_REGISTRIES)
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
    # A registry column named like a match column (e.g. a business register's ``status``)
    # keeps its name with a suffix; the match columns keep theirs.
    joined = linked.merge(
        table, on="registry_row", how="left", sort=False, suffixes=("", "_registry")
    )
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
    "<registry> row <n>: <masked person>, ``zh``/``en``", with a note on identity conflicts and
    on links by name only (their ``strength`` is ``"name_only"``)."""
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
    status = records["status"].to_numpy(dtype=object)
    name_only = status == "name_only"
    conflict = np.where(status == "conflict", "（姓名或出生日期不一致）", "")
    conflict = np.where(name_only, "（身份证号无效，仅按姓名匹配，待核实）", conflict)
    conflict_en = np.where(status == "conflict", " (name or birth date differs)", "")
    conflict_en = np.where(
        name_only, " (invalid ID number: matched by name only, to verify)", conflict_en
    )
    return make_hits(
        code,
        records["household_id"],
        registry,
        records["registry_row"],
        label_zh + "第" + rows + "行：" + records["person"] + "，" + zh + conflict,
        registry + " row " + rows + ": " + records["person"] + ", " + en + conflict_en,
        np.where(name_only, "name_only", "full"),
    )
