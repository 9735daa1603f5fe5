"""Rule P02 (收款账户户名与保障对象不符): the account paid into is held by a non-member.

The account holder's name is compared with the names of the household's members and its
head with :func:`auditlib.data.names.group_name_matches`. A holder name equal to one of them
only after normalisation (spacing, full-width characters, traditional characters, a
separator) is the same person written differently: it is *not* a hit, it is reported as a
near match instead (:func:`holder_name_variants`, one warning per household and holder name).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.idcard import mask_name, mask_names
from auditlib.data.names import group_name_matches, name_differences, normalise_names
from auditlib.data.table_keys import spreadsheet_rows
from auditlib.errors import Problem
from auditlib.risk.rules.hits import first_per_household, further_rows, make_hits

__all__ = [
    "NAME_VARIANT_COLUMNS",
    "holder_name_hits",
    "holder_name_states",
    "holder_name_variants",
    "name_variant_problems",
]

#: Columns of :func:`holder_name_variants`.
NAME_VARIANT_COLUMNS: tuple[str, ...] = (
    "household_id",
    "rule_code",
    "source",
    "source_row",
    "column",
    "payments",
    "value",
    "matched",
)


def _known_names(data: CountyData) -> pd.DataFrame:
    """Names of each household's members and head, with the table and row they come from."""
    members, households = data.members, data.households
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "household_id": members["household_id"].astype("string").array,
                    "name": members["name"].astype("string").array,
                    "table": "members",
                    "table_row": spreadsheet_rows(members),
                }
            ),
            pd.DataFrame(
                {
                    "household_id": households["household_id"].astype("string").array,
                    "name": households["head_name"].astype("string").array,
                    "table": "households",
                    "table_row": spreadsheet_rows(households),
                }
            ),
        ],
        ignore_index=True,
    )


def holder_name_states(data: CountyData, payments: pd.DataFrame) -> pd.Series:
    """State of each payment's account holder name against its household's names.

    Returns
    -------
    pandas.Series
        ``"exact"``, ``"variant"`` or ``"different"`` per payment (indexed like ``payments``);
        a missing holder name is ``"different"``.
    """
    known = _known_names(data)
    return group_name_matches(
        payments["household_id"].astype("string"),
        payments["account_holder_name"].astype("string"),
        known["household_id"],
        known["name"],
    )


def holder_name_hits(
    code: str, data: CountyData, payments: pd.DataFrame, states: pd.Series | None = None
) -> pd.DataFrame:
    """The account paid into is held by someone who is not a member of the household.

    A payment hits when its holder name is ``"different"`` from every member's and the
    head's name (:func:`holder_name_states`, computed when ``states`` is not given); one hit
    per household, on its earliest such payment, with the count of the others.
    """
    states = holder_name_states(data, payments) if states is None else states
    different = (states == "different").to_numpy(dtype=bool)
    mismatch = payments[different & payments["amount"].notna().to_numpy()]
    if mismatch.empty:
        return make_hits(code, [], "payments", [], [], [])
    first = first_per_household(mismatch, "payment_date", True)
    holder = mask_names(first["account_holder_name"]).fillna("(空)")
    more_zh, more_en = further_rows(first)
    rows = first["row"].astype("Int64").astype("string")
    return make_hits(
        code,
        first["household_id"],
        "payments",
        first["row"],
        "资金发放明细第" + rows + "行：账户户名" + holder + "不是本户成员" + more_zh,
        "payments row "
        + rows
        + ": account holder "
        + holder
        + " is not a household member"
        + more_en,
    )


def holder_name_variants(
    code: str, data: CountyData, payments: pd.DataFrame, states: pd.Series
) -> pd.DataFrame:
    """Near matches of P02: payments whose holder name is a member's (or the head's) name
    written differently, one row per household and holder name (its first payment row).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NAME_VARIANT_COLUMNS`: ``source`` is ``"payments"``, ``source_row`` the
        first payments row, ``column`` ``"account_holder_name"``, ``payments`` the number of
        payments rows with that holder name, ``value`` the masked holder name and ``matched``
        what it matched (masked name, table and row, and the differences).
    """
    variant = payments[(states == "variant").to_numpy(dtype=bool)]
    if variant.empty:
        return pd.DataFrame(columns=list(NAME_VARIANT_COLUMNS))
    variant = variant.assign(key=normalise_names(variant["account_holder_name"]).array)
    counts = variant.groupby(["household_id", "account_holder_name"])["row"].transform("size")
    variant = variant.assign(payments=counts.to_numpy()).sort_values("row", kind="stable")
    variant = variant.drop_duplicates(["household_id", "account_holder_name"])
    known = _known_names(data)
    known = known.assign(key=normalise_names(known["name"]).array).dropna(subset=["key"])
    known = known.drop_duplicates(["household_id", "key"])
    found = variant.merge(known, on=["household_id", "key"], how="left", sort=False)
    matched = []
    for holder, name, table, row in found[
        ["account_holder_name", "name", "table", "table_row"]
    ].itertuples(index=False):
        who = "member" if table == "members" else "head of household"
        how = ", ".join(name_differences(holder, name))
        matched.append(
            f"{who} {mask_name(str(name))} ({table} row {int(row)}): "
            f"member name written differently ({how})"
        )
    return pd.DataFrame(
        {
            "household_id": found["household_id"].astype("string").array,
            "rule_code": code,
            "source": "payments",
            "source_row": found["row"].to_numpy(dtype=np.int64),
            "column": "account_holder_name",
            "payments": found["payments"].to_numpy(dtype=np.int64),
            "value": mask_names(found["account_holder_name"]).array,
            "matched": matched,
        }
    )


def name_variant_problems(variants: pd.DataFrame) -> tuple[Problem, ...]:
    """One warning per near match of :func:`holder_name_variants` (masked names only)."""
    problems = []
    for record in variants.itertuples(index=False):
        more = int(record.payments) - 1
        further = f"; {more} further payments row(s) with this holder name" if more else ""
        problems.append(
            Problem(
                file=str(record.source),
                row=int(record.source_row),
                column=str(record.column),
                value=str(record.value),
                expected=(
                    f"a member's name of household {record.household_id}; matches the "
                    f"{record.matched}, so {record.rule_code} does not flag it{further}"
                ),
                severity="warning",
                code="holder_name_variant",
            )
        )
    return tuple(problems)
