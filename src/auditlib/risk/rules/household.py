"""Household red-flag rules: one deterministic check per item of the official removal list.

Records that no longer apply (a payroll record that ended, a business cancelled before the
audit period, a minority share of a flat) do not count: :mod:`auditlib.risk.rules.record_status`.

Each function returns a *hit frame* (columns :data:`HIT_COLUMNS`): one row per triggering
record, naming the table and spreadsheet row of that record and describing it in Chinese and
English with masked identities. :mod:`auditlib.risk.rules.catalogue` adds the rule texts and
clauses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.idcard import mask_names
from auditlib.data.table_keys import spreadsheet_rows
from auditlib.risk.crosscheck import CrossCheckResult
from auditlib.risk.rules.hits import (
    clean_text,
    date_text,
    empty_hits,
    linked_registry,
    make_hits,
    money_text,
    registry_hits,
)
from auditlib.risk.rules.record_status import (
    cancelled_before_period,
    dated_note,
    ended_before_period,
    minority_share,
    share_note,
)

__all__ = [
    "EXEMPT_VEHICLE_TYPES",
    "adult_student_hits",
    "business_owner_hits",
    "cadre_hits",
    "car_owner_hits",
    "commercial_housing_hits",
    "deceased_member_hits",
    "income_above_standard_hits",
    "luxury_house_hits",
    "payroll_hits",
    "relative_hits",
]

#: Vehicle types the notices do not count as a disqualifying car (low-value farm and mobility
#: vehicles), English codes and Chinese spellings; compared after lower-casing.
EXEMPT_VEHICLE_TYPES: frozenset[str] = frozenset(
    {
        "motorcycle",
        "tricycle",
        "agricultural",
        "farm_vehicle",
        "tractor",
        "mobility_scooter",
        "disabled_vehicle",
        "invalid_carriage",
        "摩托车",
        "三轮车",
        "农用车",
        "拖拉机",
        "残疾人机动轮椅车",
    }
)

#: Property types that count as commercial housing (商品房).
COMMERCIAL_HOUSING_TYPES: frozenset[str] = frozenset({"commercial_housing", "商品房"})


def cadre_hits(code: str, data: CountyData, crosscheck: CrossCheckResult) -> pd.DataFrame:
    """A member is a serving village cadre (registry_cadres)."""
    records = linked_registry(data, crosscheck, "registry_cadres")
    if records.empty:
        return empty_hits()
    position = clean_text(records.get("position", pd.Series("?", index=records.index)))
    village = clean_text(records.get("village_code", pd.Series("?", index=records.index)))
    return registry_hits(
        code,
        "registry_cadres",
        records,
        "任" + village + "村" + position,
        position + " of village " + village,
    )


def relative_hits(code: str, data: CountyData, crosscheck: CrossCheckResult) -> pd.DataFrame:
    """A member is a registered close relative of an official or caseworker."""
    records = linked_registry(data, crosscheck, "registry_relatives")
    if records.empty:
        return empty_hits()
    official = mask_names(records.get("official_name", pd.Series("?", index=records.index)))
    position = clean_text(records.get("official_position", pd.Series("?", index=records.index)))
    relation = clean_text(records.get("relationship", pd.Series("?", index=records.index)))
    official = official.fillna("?")
    return registry_hits(
        code,
        "registry_relatives",
        records,
        "系" + position + official + "的" + relation,
        relation + " of " + position + " " + official,
    )


def payroll_hits(
    code: str,
    data: CountyData,
    crosscheck: CrossCheckResult,
    exempt_keywords: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A member draws a public salary or pension, or declares a fixed wage or a pension.

    Evidence comes from ``registry_payroll`` (records that ended before the audit period
    excluded); a member whose own record says ``wage`` (固定工资)
    or ``pension`` (领取退休金) and who is not on the payroll register is reported from the
    members table.
    """
    parts = []
    records = linked_registry(data, crosscheck, "registry_payroll")
    if not records.empty:
        records = records[~ended_before_period(records, "end_date", data)]
    if not records.empty and exempt_keywords:
        employer = clean_text(records.get("employer", pd.Series("?", index=records.index)))
        exempt = np.zeros(len(records), dtype=bool)
        for keyword in exempt_keywords:
            exempt |= employer.str.contains(keyword, regex=False).fillna(False).to_numpy(bool)
        records = records[~exempt]
    if not records.empty:
        employer = clean_text(records.get("employer", pd.Series("?", index=records.index)))
        salary = money_text(records.get("monthly_salary", pd.Series(np.nan, index=records.index)))
        ended_zh, ended_en = dated_note(records, "end_date", "停发于", "ended")
        parts.append(
            registry_hits(
                code,
                "registry_payroll",
                records,
                employer + "，月工资或退休金" + salary + "元" + ended_zh,
                employer + ", salary or pension " + salary + " yuan/month" + ended_en,
            )
        )
    members = data.members
    employment = members["employment"].astype("string")
    declared = members[employment.isin(["wage", "pension"]).fillna(False).to_numpy(dtype=bool)]
    if len(parts):
        registered = set(records["member_row"].dropna().astype(int))
        rows_all = spreadsheet_rows(declared)
        declared = declared[[row not in registered for row in rows_all]]
    if len(declared):
        rows = pd.Series(spreadsheet_rows(declared), index=declared.index).astype("string")
        person = mask_names(declared["name"]).fillna("?")
        kind = declared["employment"].astype("string")
        kind_zh = kind.map({"wage": "固定工资", "pension": "退休金"}).astype("string")
        earnings = money_text(declared["monthly_earnings"])
        parts.append(
            make_hits(
                code,
                declared["household_id"],
                "members",
                rows.astype("Int64"),
                "家庭成员信息第"
                + rows
                + "行："
                + person
                + "申报有"
                + kind_zh
                + "，月收入"
                + earnings
                + "元",
                "members row "
                + rows
                + ": "
                + person
                + " declares a "
                + kind
                + " of "
                + earnings
                + " yuan/month",
            )
        )
    parts = [part for part in parts if len(part)]
    return pd.concat(parts, ignore_index=True) if parts else empty_hits()


def car_owner_hits(
    code: str, data: CountyData, crosscheck: CrossCheckResult, minimum_value: float = 0.0
) -> pd.DataFrame:
    """A member owns a motor vehicle worth ``minimum_value`` or more (missing value counts),
    other than an exempt farm or mobility vehicle."""
    records = linked_registry(data, crosscheck, "registry_vehicles")
    if records.empty:
        return empty_hits()
    kind = clean_text(records.get("vehicle_type", pd.Series("?", index=records.index)))
    worth = pd.to_numeric(
        records.get("vehicle_value", pd.Series(np.nan, index=records.index)), errors="coerce"
    )
    cheap = (worth < minimum_value).fillna(False).to_numpy(dtype=bool)
    records = records[~kind.str.lower().isin(EXEMPT_VEHICLE_TYPES).to_numpy(dtype=bool) & ~cheap]
    kind = kind[records.index]
    registered = date_text(records.get("registration_date", pd.Series(pd.NaT, index=records.index)))
    value = money_text(records.get("vehicle_value", pd.Series(np.nan, index=records.index)))
    return registry_hits(
        code,
        "registry_vehicles",
        records,
        kind + "，" + registered + "登记，价值" + value + "元",
        kind + " registered " + registered + ", value " + value + " yuan",
    )


def commercial_housing_hits(
    code: str, data: CountyData, crosscheck: CrossCheckResult, minimum_share: float = 0.0
) -> pd.DataFrame:
    """A member owns commercial housing (商品房) in the property register, at least
    ``minimum_share`` of it (``ownership_share``; a missing share counts as sole ownership)."""
    records = linked_registry(data, crosscheck, "registry_property")
    if records.empty:
        return empty_hits()
    kind = clean_text(records.get("property_type", pd.Series("?", index=records.index)))
    commercial = kind.str.lower().isin(COMMERCIAL_HOUSING_TYPES).to_numpy(dtype=bool)
    records = records[commercial & ~minority_share(records, minimum_share)]
    area = records.get("area", pd.Series(np.nan, index=records.index))
    area_text = pd.to_numeric(area, errors="coerce").round(0).astype("Int64").astype("string")
    registered = date_text(records.get("registration_date", pd.Series(pd.NaT, index=records.index)))
    share_zh, share_en = share_note(records)
    return registry_hits(
        code,
        "registry_property",
        records,
        "商品房" + area_text.fillna("?") + "平方米，" + registered + "登记" + share_zh,
        "commercial housing of "
        + area_text.fillna("?")
        + " m², registered "
        + registered
        + share_en,
    )


def business_owner_hits(
    code: str, data: CountyData, crosscheck: CrossCheckResult, minimum_capital: float = 0.0
) -> pd.DataFrame:
    """A member runs a registered enterprise or individual business with at least
    ``minimum_capital`` yuan of registered capital (missing capital counts), not cancelled
    (注销) before the audit period."""
    records = linked_registry(data, crosscheck, "registry_business")
    if records.empty:
        return empty_hits()
    records = records[~cancelled_before_period(records, data)]
    capital_value = pd.to_numeric(
        records.get("registered_capital", pd.Series(np.nan, index=records.index)),
        errors="coerce",
    )
    records = records[~(capital_value < minimum_capital).fillna(False).to_numpy(dtype=bool)]
    if records.empty:
        return empty_hits()
    business = clean_text(records.get("business_name", pd.Series("?", index=records.index)))
    capital = money_text(records.get("registered_capital", pd.Series(np.nan, index=records.index)))
    closed_zh, closed_en = dated_note(records, "cancellation_date", "注销于", "cancelled")
    return registry_hits(
        code,
        "registry_business",
        records,
        business + "，注册资本" + capital + "元" + closed_zh,
        business + ", registered capital " + capital + " yuan" + closed_en,
    )


def deceased_member_hits(code: str, data: CountyData, crosscheck: CrossCheckResult) -> pd.DataFrame:
    """A member is recorded as dead (death register, or a death date in the members table)."""
    reference = pd.Timestamp(data.info.reference_date)
    parts = []
    records = linked_registry(data, crosscheck, "registry_deaths")
    if not records.empty:
        died = pd.to_datetime(records.get("death_date"), errors="coerce")
        records = records[(died <= reference).fillna(True).to_numpy()]
        died_text = date_text(records.get("death_date"))
        parts.append(
            registry_hits(
                code,
                "registry_deaths",
                records,
                died_text + "死亡，仍计入保障人口",
                "died " + died_text + ", still counted as a member",
            )
        )
    members = data.members
    died = pd.to_datetime(members["death_date"], errors="coerce")
    dead = members[(died <= reference).fillna(False).to_numpy(dtype=bool)]
    if len(dead):
        covered = set()
        if parts:
            covered = set(parts[0]["household_id"].astype(str))
        keep = ~dead["household_id"].astype(str).isin(covered).to_numpy()
        dead = dead[keep]
        person = mask_names(dead["name"]).fillna("?")
        died_text = date_text(dead["death_date"])
        rows = pd.Series(spreadsheet_rows(dead), index=dead.index)
        parts.append(
            make_hits(
                code,
                dead["household_id"],
                "members",
                rows,
                "家庭成员信息第"
                + rows.astype("string")
                + "行："
                + person
                + "已于"
                + died_text
                + "死亡，仍计入保障人口",
                "members row "
                + rows.astype("string")
                + ": "
                + person
                + " died "
                + died_text
                + ", still counted as a member",
            )
        )
    parts = [part for part in parts if len(part)]
    return pd.concat(parts, ignore_index=True) if parts else empty_hits()


def luxury_house_hits(code: str, data: CountyData, minimum_storeys: int) -> pd.DataFrame:
    """The household lives in a house of ``minimum_storeys`` or more storeys, well decorated."""
    households = data.households
    storeys = pd.to_numeric(households["housing_storeys"], errors="coerce")
    decorated = households["housing_decorated"].astype("boolean").fillna(False)
    selected = households[((storeys >= minimum_storeys) & decorated).to_numpy(dtype=bool)]
    rows = pd.Series(spreadsheet_rows(selected), index=selected.index).astype("string")
    floors = pd.to_numeric(selected["housing_storeys"]).astype("Int64").astype("string")
    return make_hits(
        code,
        selected["household_id"],
        "households",
        rows.astype("Int64"),
        "家庭户信息第" + rows + "行：住房" + floors + "层且装修豪华",
        "households row " + rows + ": house of " + floors + " storeys, well decorated",
    )


def adult_student_hits(code: str, data: CountyData) -> pd.DataFrame:
    """A member aged 18 or more is counted as a student without a school enrolment proof."""
    members = data.members
    age = pd.to_numeric(members["age"], errors="coerce")
    student = members["student"].astype("boolean").fillna(False)
    proof = members["student_proof"].astype("boolean").fillna(False)
    selected = members[((age >= 18) & student & ~proof).to_numpy(dtype=bool)]
    rows = pd.Series(spreadsheet_rows(selected), index=selected.index).astype("string")
    person = mask_names(selected["name"]).fillna("?")
    years = pd.to_numeric(selected["age"]).astype("Int64").astype("string")
    return make_hits(
        code,
        selected["household_id"],
        "members",
        rows.astype("Int64"),
        "家庭成员信息第" + rows + "行：" + person + years + "岁，按在校学生计但无就学证明",
        "members row "
        + rows
        + ": "
        + person
        + ", aged "
        + years
        + ", counted as a student without school proof",
    )


def income_above_standard_hits(code: str, data: CountyData) -> pd.DataFrame:
    """Declared income per person exceeds the county's rural Dibao standard."""
    households = data.households
    standard = float(data.info.rural_standard)
    size = pd.to_numeric(households["members"], errors="coerce")
    per_capita = pd.to_numeric(households["declared_income"], errors="coerce") / size
    selected = households[(per_capita > standard).fillna(False).to_numpy(dtype=bool)]
    per_capita = per_capita[selected.index]
    rows = pd.Series(spreadsheet_rows(selected), index=selected.index).astype("string")
    amount = per_capita.round(0).astype("Int64").astype("string")
    limit = f"{standard:,.0f}"
    return make_hits(
        code,
        selected["household_id"],
        "households",
        rows.astype("Int64"),
        "家庭户信息第" + rows + "行：人均月收入" + amount + "元，高于保障标准" + limit + "元",
        "households row "
        + rows
        + ": income "
        + amount
        + " yuan/person/month, above the "
        + limit
        + " yuan standard",
    )
