"""Input checks of risk scoring: every problem that would make a score wrong, in one pass.

Payments of unknown households, negative or non-numeric amounts, an ID number in two
households, an empty registry and rows that loading rejected are reported as
:class:`~auditlib.errors.Problem` records naming the file, the spreadsheet row and the column;
errors raise one :class:`~auditlib.errors.DataError` carrying all of them. Nothing is dropped
silently.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.idcard import mask_id_number
from auditlib.data.table_keys import (
    normalise_id_numbers,
    positions_in,
    repeated_keys,
    spreadsheet_rows,
)
from auditlib.errors import DataError, ParamsError, Problem
from auditlib.risk.crosscheck import member_frame

__all__ = ["check_risk_inputs", "risk_input_problems"]


def _amount_problems(payments: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    if "amount" not in payments:
        return [Problem("payments", None, "amount", "column missing", "a numeric column 'amount'")]
    raw = payments["amount"]
    numbers = pd.to_numeric(raw, errors="coerce")
    rows = spreadsheet_rows(payments)
    non_numeric = numbers.isna().to_numpy()
    negative = (numbers < 0).fillna(False).to_numpy(dtype=bool)
    for position in np.flatnonzero(non_numeric | negative):
        value = raw.iloc[position]
        problems.append(
            Problem(
                file="payments",
                row=int(rows[position]),
                column="amount",
                value="" if pd.isna(value) else str(value),
                expected="a non-negative amount in yuan"
                if negative[position]
                else "a number (amount in yuan)",
                code="payment_amount_negative" if negative[position] else "payment_amount_invalid",
            )
        )
    return problems


def _duplicate_id_problems(data: CountyData) -> list[Problem]:
    problems: list[Problem] = []
    repeated = repeated_keys(data.members["id_number"], id_numbers=True)
    duplicated = member_frame(replace(data, members=data.members[repeated]))
    for id_number, group in duplicated.groupby("id_number", sort=True):
        households = sorted(set(group["household_id"].astype(str)))
        rows = ", ".join(str(row) for row in group["member_row"])
        where = (
            f"households {', '.join(households)}"
            if len(households) > 1
            else f"household {households[0]}"
        )
        for row in group["member_row"]:
            problems.append(
                Problem(
                    file="members",
                    row=int(row),
                    column="id_number",
                    value=mask_id_number(str(id_number)),
                    expected=(
                        f"each ID number in one household only; this one is in {where} "
                        f"(members rows {rows})"
                    ),
                    code="member_id_in_two_households"
                    if len(households) > 1
                    else "member_id_duplicated",
                )
            )
    twice = repeated_keys(data.households["head_id_number"], id_numbers=True)
    repeated = data.households.loc[twice, ["household_id", "head_id_number"]].copy()
    repeated["id_number"] = normalise_id_numbers(repeated["head_id_number"])
    repeated["row"] = spreadsheet_rows(data.households)[twice]
    for id_number, group in repeated.groupby("id_number", sort=True):
        headed = ", ".join(group["household_id"].astype(str))
        for row in group["row"]:
            problems.append(
                Problem(
                    file="households",
                    row=int(row),
                    column="head_id_number",
                    value=mask_id_number(str(id_number)),
                    expected=f"a head in one household only; this one heads {headed}",
                    code="head_id_in_two_households",
                )
            )
    return problems


def risk_input_problems(
    data: CountyData, *, empty_registry: str = "error", rejected_rows: str = "warning"
) -> list[Problem]:
    """Every problem that would make risk scoring wrong, in one pass (nothing is dropped).

    Checks: payments with a ``household_id`` absent from households; negative or non-numeric
    amounts; an ID number in two households (members) or heading two households; a registry
    table present but empty; members of unknown households; rows of households, members or
    payments that loading rejected (they are not scored, which can hide a red flag).

    Parameters
    ----------
    data : CountyData
        The county's tables.
    empty_registry : {"error", "warning"}
        Severity given to a registry file that is present but has no rows.
    rejected_rows : {"error", "warning"}
        Severity given to each row of households, members or payments rejected by loading.

    Returns
    -------
    list of Problem
        Errors and warnings (may be empty).
    """
    problems: list[Problem] = []
    for table in ("payments", "members"):
        frame = data.payments if table == "payments" else data.members
        ids = frame["household_id"].astype("string")
        unknown = positions_in(ids, data.households["household_id"]) < 0
        rows = spreadsheet_rows(frame)
        for position in np.flatnonzero(unknown):
            value = ids.iloc[position]
            problems.append(
                Problem(
                    file=table,
                    row=int(rows[position]),
                    column="household_id",
                    value="" if pd.isna(value) else str(value),
                    expected="a household_id listed in households",
                    code=f"{table}_unknown_household",
                )
            )
    problems += _amount_problems(data.payments)
    problems += _duplicate_id_problems(data)
    for name in sorted(data.registries):
        if len(data.registries[name]) == 0:
            problems.append(
                Problem(
                    file=name,
                    row=None,
                    column=None,
                    value="0 records",
                    expected=(
                        "at least one record; an empty registry would make every rule that "
                        "reads it silently pass (leave the file out if it is not available)"
                    ),
                    severity=empty_registry,
                    code="registry_empty",
                )
            )
    rejected = data.rejected
    if len(rejected):
        stems = rejected["file"].astype("string").str.replace(r"\.[A-Za-z]+$", "", regex=True)
        core = rejected[
            stems.isin(["households", "members", "payments"]).fillna(False).to_numpy(bool)
        ]
        for file, row, reason in core[["file", "row", "reason"]].itertuples(index=False):
            problems.append(
                Problem(
                    file=str(file),
                    row=None if pd.isna(row) else int(row),
                    column=None,
                    value=str(reason),
                    expected="a valid row; this row was rejected when loading and is not scored",
                    severity=rejected_rows,
                    code="rejected_row",
                )
            )
    return problems


def check_risk_inputs(
    data: CountyData, *, empty_registry: str = "error", rejected_rows: str = "warning"
) -> list[Problem]:
    """Raise :class:`DataError` listing every error of :func:`risk_input_problems`.

    Parameters
    ----------
    data : CountyData
        The county's tables.
    empty_registry, rejected_rows : {"error", "warning"}
        See :func:`risk_input_problems`.

    Returns
    -------
    list of Problem
        The warnings (when there is no error).

    Raises
    ------
    DataError
        When at least one problem has severity ``"error"``; its ``problems`` hold them all.
    """
    for name, value in (("empty_registry", empty_registry), ("rejected_rows", rejected_rows)):
        if value not in ("error", "warning"):
            raise ParamsError(f"{name} must be 'error' or 'warning', got {value!r}")
    problems = risk_input_problems(data, empty_registry=empty_registry, rejected_rows=rejected_rows)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        first = errors[0].describe()
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise DataError(f"cannot score risk: {first}{more}", problems)
    return problems
