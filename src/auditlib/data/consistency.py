"""Facts checked across the tables of a county and against its ``county.yaml``.

Each function takes checked, typed tables and returns :class:`~auditlib.errors.Problem` records
(with the action the policy gives their code); :func:`auditlib.data.loading.load_county` collects
them with every other problem.

``county_mismatch``   a table's ``county_code`` is not the county of ``county.yaml`` (the file
                      belongs to another county's folder);
``village_township``  a village code appears under two townships (strata would overlap);
``period_order``      the audit period ends before it starts;
``head_not_member``, ``no_members``, ``member_count``
                      a household and its rows in ``members`` disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditlib.data.arrow import string_array
from auditlib.data.bundle import CountyInfo
from auditlib.data.policy import ValidationPolicy
from auditlib.errors import Problem

__all__ = [
    "county_code_problems",
    "household_member_problems",
    "period_problems",
    "village_township_problems",
]


def period_problems(info: CountyInfo, file: str, policy: ValidationPolicy) -> list[Problem]:
    """The audit period of ``county.yaml`` must end on or after its start."""
    if info.audit_period_end >= info.audit_period_start:
        return []
    return [
        Problem(
            file,
            None,
            "audit_period_end",
            info.audit_period_end.isoformat(),
            f"a date on or after audit_period_start ({info.audit_period_start.isoformat()})",
            policy.action("period_order"),
            "period_order",
        )
    ]


def county_code_problems(
    frame: pd.DataFrame, rows: np.ndarray, file: str, info: CountyInfo, policy: ValidationPolicy
) -> list[Problem]:
    """One problem per county code of a table that is not the county's (first row it is on)."""
    if "county_code" not in frame.columns:
        return []
    codes = string_array(frame["county_code"])
    other = pc.fill_null(pc.not_equal(codes, info.county_code), False)
    if not pc.any(other).as_py():
        return []
    wrong = frame.loc[np.asarray(other.to_numpy(zero_copy_only=False)), "county_code"].astype(str)
    problems = []
    for code, count in wrong.value_counts(sort=False).items():
        on = (frame["county_code"] == code).fillna(False).to_numpy()
        first = int(rows[np.flatnonzero(on)[0]])
        problems.append(
            Problem(
                file,
                first,
                "county_code",
                f"{code} ({count} row(s); the first here)",
                f"{info.county_code}, the county of county.yaml ({info.county}): is this a "
                "file of another county?",
                policy.action("county_mismatch"),
                "county_mismatch",
            )
        )
    return problems


def village_township_problems(
    frame: pd.DataFrame, rows: np.ndarray, file: str, policy: ValidationPolicy
) -> list[Problem]:
    """Every village code must belong to one township: name each second township it is in."""
    pairs = pa.table(
        {
            "village_code": string_array(frame["village_code"]),
            "township_code": string_array(frame["township_code"]),
        }
    ).filter(pc.is_valid(string_array(frame["village_code"])))
    unique = pairs.group_by(["village_code", "township_code"]).aggregate([])
    if len(unique) == len(pc.unique(unique["village_code"])):
        return []  # the common case, settled by two hashed passes
    table = pd.DataFrame(
        {
            "village": frame["village_code"].astype(object),
            "township": frame["township_code"].astype(object),
            "row": rows,
        }
    ).dropna(subset=["village"])
    firsts = table.drop_duplicates(["village", "township"])
    home = firsts.drop_duplicates("village").set_index("village")
    problems = []
    for record in firsts[firsts.duplicated("village")].itertuples(index=False):
        first = home.loc[record.village]
        problems.append(
            Problem(
                file,
                int(record.row),
                "township_code",
                f"{record.township} (village {record.village})",
                f"{first['township']}, the township of village {record.village} in row "
                f"{int(first['row'])}: a village code belongs to one township only",
                policy.action("village_township"),
                "village_township",
            )
        )
    return problems


def household_member_problems(
    households: pd.DataFrame,
    household_rows: np.ndarray,
    members: pd.DataFrame,
    file: str,
    policy: ValidationPolicy,
) -> list[Problem]:
    """Household sizes, heads and member rows that disagree (one problem per household)."""
    household_ids = string_array(households["household_id"])
    member_households = string_array(members["household_id"])
    # rows of members per household (index_in finds each household's first row)
    position = pc.index_in(member_households, value_set=household_ids)
    counts = np.bincount(
        position.drop_null().to_numpy(zero_copy_only=False), minlength=len(household_ids)
    )
    declared = households["members"].to_numpy(dtype=float, na_value=np.nan)
    # the head must be listed among the household's members
    head_row = pc.index_in(
        string_array(households["head_id_number"]),
        value_set=string_array(members["id_number"]),
    )
    head_household = member_households.take(head_row)
    head_listed = pc.fill_null(pc.equal(head_household, household_ids), False)
    has_head = households["head_id_number"].notna().to_numpy()
    checks = (
        (
            "head_not_member",
            ~np.asarray(head_listed.to_numpy(zero_copy_only=False)) & has_head,
            "head_id_number",
            "the head's ID number among the household's rows in members",
        ),
        ("no_members", counts == 0, "members", "at least one row in members for this household"),
        (
            "member_count",
            (counts != declared) & (counts > 0),
            "members",
            "the number of rows in members for this household",
        ),
    )
    ids = households["household_id"].astype(object).to_numpy()
    problems = []
    for code, mask, column, expected in checks:
        action = policy.action(code)
        for index in np.flatnonzero(mask).tolist():
            value = (
                f"household {ids[index]}"
                if code == "head_not_member"
                else f"{declared[index]:g} (household {ids[index]}; {counts[index]} member rows)"
            )
            problems.append(
                Problem(file, int(household_rows[index]), column, value, expected, action, code)
            )
    return problems
