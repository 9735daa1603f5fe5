"""Payment-ledger red-flag rules (资金发放监管): fund-flow checks on the payments table
(P02, the account holder's name, lives in :mod:`auditlib.risk.rules.holder_names`).

Like :mod:`auditlib.risk.rules.household`, every function returns a hit frame naming the payments
row (spreadsheet numbering) that triggered it; a household gets one hit per rule, on the most
telling payment, with the count of further payments in the evidence text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.idcard import mask_id_numbers, mask_names
from auditlib.data.names import normalise_names
from auditlib.data.table_keys import positions_in, spreadsheet_rows
from auditlib.risk.crosscheck import CrossCheckResult
from auditlib.risk.payment_ledger import (
    account_households,
    entitled_months,
    household_codes,
    present_in,
)
from auditlib.risk.rules.hits import first_per_household, further_rows, make_hits

__all__ = [
    "duplicate_payment_hits",
    "overpaid_hits",
    "oversized_payment_hits",
    "payment_after_death_hits",
    "shared_account_hits",
]


def _yuan(values: pd.Series) -> pd.Series:
    """Amounts as whole yuan with thousands separators (``12,345``)."""
    return values.map(lambda value: f"{value:,.0f}").astype("string")


def _no_hits(code: str) -> pd.DataFrame:
    """The empty result of a payment rule."""
    return make_hits(code, [], "payments", [], [], [])


def _rows(frame: pd.DataFrame) -> pd.Series:
    return frame["row"].astype("Int64").astype("string")


def shared_account_hits(code: str, payments: pd.DataFrame, minimum_households: int) -> pd.DataFrame:
    """The account is paid for ``minimum_households`` or more distinct recipient households."""
    sharing = payments.assign(sharing=account_households(payments).to_numpy())
    shared = sharing[sharing["sharing"] >= minimum_households]
    if shared.empty:
        return _no_hits(code)
    first = first_per_household(shared, "sharing", False)
    rows = _rows(first)
    account = mask_id_numbers(first["account_number"]).fillna("?")
    count = first["sharing"].astype(int).astype("string")
    return make_hits(
        code,
        first["household_id"],
        "payments",
        first["row"],
        "资金发放明细第" + rows + "行：收款账户" + account + "由" + count + "户保障对象共用",
        "payments row "
        + rows
        + ": account "
        + account
        + " is paid for "
        + count
        + " recipient households",
    )


def duplicate_payment_hits(code: str, payments: pd.DataFrame) -> pd.DataFrame:
    """More payments than months: some calendar month carries two or more payments."""
    dated = payments[payments["payment_date"].notna()].copy()
    dated["month"] = dated["payment_date"].to_numpy().astype("datetime64[M]").astype(np.int64)
    counts = dated.groupby(["household_id", "month"], sort=False)["row"].transform("size")
    repeated = dated[counts.to_numpy() > 1].assign(in_month=counts[counts > 1].to_numpy())
    if repeated.empty:
        return _no_hits(code)
    first = first_per_household(repeated, "payment_date", True)
    rows = _rows(first)
    number = first["in_month"].astype(int).astype("string")
    months = pd.Series(
        first["month"].to_numpy().astype("datetime64[M]").astype(str), index=first.index
    ).astype("string")
    return make_hits(
        code,
        first["household_id"],
        "payments",
        first["row"],
        "资金发放明细第" + rows + "行：" + months + "发放" + number + "笔（多于月份数）",
        "payments row "
        + rows
        + ": "
        + number
        + " payments in "
        + months
        + " (more payments than months)",
    )


def oversized_payment_hits(
    code: str, data: CountyData, payments: pd.DataFrame, multiple: float
) -> pd.DataFrame:
    """A payment of at least ``multiple`` × the household's median payment.

    With fewer than three payments the median is not informative; the household's monthly
    benefit is the reference instead.
    """
    grouped = payments["amount"].groupby(household_codes(payments), sort=False)
    median = grouped.transform("median")
    size = grouped.transform("size")
    benefit = pd.to_numeric(data.households["monthly_benefit"], errors="coerce").to_numpy(float)
    at = positions_in(payments["household_id"], data.households["household_id"])
    own_benefit = pd.Series(np.where(at >= 0, benefit[np.maximum(at, 0)], np.nan), payments.index)
    reference = median.where(size >= 3, own_benefit)
    ratio = payments["amount"] / reference.where(reference > 0)
    large = payments.assign(ratio=ratio.to_numpy(), reference=reference.to_numpy())
    large = large[(large["ratio"] >= multiple).fillna(False).to_numpy(dtype=bool)]
    if large.empty:
        return _no_hits(code)
    first = first_per_household(large, "ratio", False)
    rows = _rows(first)
    amount = first["amount"].pipe(_yuan)
    typical = first["reference"].pipe(_yuan)
    times = first["ratio"].map(lambda value: f"{value:.1f}").astype("string")
    return make_hits(
        code,
        first["household_id"],
        "payments",
        first["row"],
        "资金发放明细第"
        + rows
        + "行：单笔"
        + amount
        + "元，为该户通常金额"
        + typical
        + "元的"
        + times
        + "倍",
        "payments row "
        + rows
        + ": a payment of "
        + amount
        + " yuan, "
        + times
        + " × the household's usual "
        + typical
        + " yuan",
    )


def _column_subset(values: pd.Series, keep: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[keep]`` as text, typed as pandas types the whole column's object array (``str``,
    or ``object`` when no value is present), without converting the rows left out."""
    if values.notna().any():
        return values[keep].astype("str").array
    return pd.array(values.to_numpy(dtype=object)[keep], dtype=object)


def _deaths(data: CountyData, crosscheck: CrossCheckResult) -> pd.DataFrame:
    """Death date and name of every dead member (register first, members table second).

    Columns ``household_id, name, relation, id_number, death_date``; the index is the member's
    position in the members table. Dates are resolved on arrays first and the frame is built
    for the dead members only.
    """
    source = data.members
    id_number = source["id_number"].astype("string").str.strip().str.upper()
    death_date = pd.to_datetime(source["death_date"], errors="coerce").to_numpy()
    registry = data.registries.get("registry_deaths")
    if registry is not None and len(registry):
        linked = crosscheck.linked("registry_deaths")
        dates = pd.to_datetime(registry["death_date"], errors="coerce")
        registered = pd.Series(dates.to_numpy(), index=spreadsheet_rows(registry))
        died = pd.Series(
            pd.to_datetime(linked["registry_row"].map(registered)).to_numpy(),
            index=linked["id_number"].to_numpy(),
            dtype="datetime64[ns]",
        )
        died = died[~died.index.duplicated()]
        if len(died):
            position = positions_in(id_number, pd.Series(died.index, dtype="string"))
            registered_dates = died.to_numpy()[np.maximum(position, 0)]
            registered_dates[position < 0] = np.datetime64("NaT")
            death_date = np.where(pd.isna(registered_dates), death_date, registered_dates)
    dead = ~pd.isna(death_date)
    return pd.DataFrame(
        {
            "household_id": _column_subset(source["household_id"].astype("string"), dead),
            "name": _column_subset(source["name"].astype("string").str.strip(), dead),
            "relation": _column_subset(source["relation"].astype("string"), dead),
            "id_number": _column_subset(id_number, dead),
            "death_date": death_date[dead],
        },
        index=np.flatnonzero(dead),
    )


def payment_after_death_hits(
    code: str, data: CountyData, crosscheck: CrossCheckResult, payments: pd.DataFrame
) -> pd.DataFrame:
    """A payment dated after the death of the head, of the account holder, or of every member."""
    deaths = _deaths(data, crosscheck)
    if deaths.empty:
        return _no_hits(code)
    size = data.members.groupby(data.members["household_id"].astype("string")).size()
    dead_count = deaths.groupby("household_id").size()
    all_dead = dead_count[dead_count >= size.reindex(dead_count.index).fillna(np.inf)]
    last_death = deaths.groupby("household_id")["death_date"].max()
    candidates = [
        deaths[deaths["relation"] == "head"][["household_id", "name", "death_date"]],
        pd.DataFrame(
            {
                "household_id": all_dead.index,
                "name": "all members",
                "death_date": last_death.reindex(all_dead.index).to_numpy(),
            }
        ),
    ]
    payments = payments[present_in(payments["household_id"], deaths["household_id"])]
    # The holder is the dead member when the names agree after normalisation (陳 = 陈, spacing,
    # width, separators); a missing name matches nobody.
    holders = payments.assign(name_key=normalise_names(payments["account_holder_name"]).array)
    dead = deaths[["household_id", "name", "death_date"]]
    dead = dead.assign(name_key=normalise_names(dead["name"]).array).dropna(subset=["name_key"])
    by_holder = holders.dropna(subset=["name_key"]).merge(dead, on=["household_id", "name_key"])
    by_holder = by_holder.drop(columns=["name_key"])
    by_household = payments.merge(pd.concat(candidates, ignore_index=True), on="household_id")
    late = pd.concat([by_holder, by_household], ignore_index=True)
    late = late[(late["payment_date"] > late["death_date"]).fillna(False).to_numpy(dtype=bool)]
    late = late.drop_duplicates("row")
    if late.empty:
        return _no_hits(code)
    first = first_per_household(late, "payment_date", True)
    rows = _rows(first)
    who = first["name"].where(first["name"] == "all members", mask_names(first["name"]))
    who_zh = who.replace("all members", "全体成员").astype("string")
    paid = first["payment_date"].dt.strftime("%Y-%m-%d")
    died = first["death_date"].dt.strftime("%Y-%m-%d")
    more_zh, more_en = further_rows(first)
    return make_hits(
        code,
        first["household_id"],
        "payments",
        first["row"],
        "资金发放明细第"
        + rows
        + "行："
        + paid
        + "发放，而"
        + who_zh
        + "已于"
        + died
        + "死亡"
        + more_zh,
        "payments row "
        + rows
        + ": paid "
        + paid
        + " after "
        + who.astype("string")
        + " died "
        + died
        + more_en,
    )


def overpaid_hits(
    code: str, data: CountyData, payments: pd.DataFrame, tolerance: float
) -> pd.DataFrame:
    """Total paid in the audit period exceeds the entitlement by more than the allowance.

    The entitlement is the monthly benefit × the months enrolled in the period; the allowance
    is the larger of ``tolerance`` × entitlement and one month's benefit (one month of arrears,
    补发, is paid routinely with the first transfer after enrolment).
    """
    months = entitled_months(data)
    benefit = pd.Series(
        pd.to_numeric(data.households["monthly_benefit"], errors="coerce").to_numpy(),
        index=months.index,
    )
    entitlement = benefit * months
    allowance = np.maximum(tolerance * entitlement, benefit)
    codes, households = pd.factorize(payments["household_id"])
    owner = np.where(codes >= 0, codes, np.nan)  # missing ids form no group, as with text keys
    grouped = payments.groupby(owner, sort=False)
    totals = pd.DataFrame({"total": grouped["amount"].sum(), "row": grouped["row"].min()})
    household_id = households.take(totals.index.to_numpy(dtype=np.int64))
    at = positions_in(pd.Series(household_id), months.index.to_series())
    found = at >= 0
    totals.index = pd.Index(household_id, name="household_id")
    totals["entitlement"] = np.where(found, entitlement.to_numpy()[np.maximum(at, 0)], np.nan)
    totals["allowance"] = np.where(found, allowance.to_numpy()[np.maximum(at, 0)], np.nan)
    over = totals[totals["total"] > totals["entitlement"] + totals["allowance"]].reset_index()
    if over.empty:
        return _no_hits(code)
    rows = _rows(over)
    total = over["total"].pipe(_yuan)
    due = over["entitlement"].pipe(_yuan)
    return make_hits(
        code,
        over["household_id"],
        "payments",
        over["row"],
        "资金发放明细（自第" + rows + "行起）：审计期内共发放" + total + "元，应发" + due + "元",
        "payments (from row "
        + rows
        + "): "
        + total
        + " yuan paid in the audit period, "
        + due
        + " yuan due",
    )
