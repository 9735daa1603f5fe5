"""Registry cross-checks and the input checks of risk scoring (hand-made county, known cases)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from auditlib.data.table_keys import spreadsheet_rows
from auditlib.errors import DataError
from auditlib.risk.crosscheck import cross_check, restrict_to
from auditlib.risk.inputs import check_risk_inputs, risk_input_problems
from tests.risk_fixtures import id_number, make_county


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    return make_county()


def test_every_record_gets_one_status_and_counts_add_up(county) -> None:  # type: ignore[no-untyped-def]
    result = cross_check(county)
    summary = result.summary.set_index("registry")
    # Hand count from risk_fixtures.plant: cadres 2 records (1 member, 1 outsider), vehicles 2
    # (both HH0004's head), property 2, deaths 2, business 1, payroll 1, relatives 1.
    assert summary.loc["registry_cadres", "records"] == 2
    assert summary.loc["registry_cadres", "matched"] == 1
    assert summary.loc["registry_cadres", "unmatched"] == 1
    assert summary.loc["registry_vehicles", "households"] == 1
    statuses = ["matched", "conflict", "name_only", "unmatched", "invalid_id"]
    assert (summary[statuses].sum(axis=1) == summary["records"]).all()
    assert len(result.matches) == summary["records"].sum()
    assert result.problems == ()


def test_name_and_birth_date_conflicts_are_reported_not_dropped(county) -> None:  # type: ignore[no-untyped-def]
    registries = dict(county.registries)
    cadres = registries["registry_cadres"].copy()
    cadres.loc[0, "name"] = "错名字"  # same ID as HH0001's head, other name
    registries["registry_cadres"] = cadres
    members = county.members.copy()
    # HH0003's head is on the payroll; record an age 10 years off the ID's birth date.
    head = members.index[members["household_id"] == "HH0003"][0]
    members.loc[head, "age"] = int(members.loc[head, "age"]) + 10
    changed = dataclasses.replace(county, registries=registries, members=members)
    result = cross_check(changed)
    summary = result.summary.set_index("registry")
    assert summary.loc["registry_cadres", "conflict"] == 1
    assert summary.loc["registry_payroll", "conflict"] == 1
    conflicts = result.matches[result.matches["status"] == "conflict"]
    assert set(conflicts["household_id"]) == {"HH0001", "HH0003"}
    assert conflicts.set_index("registry").loc["registry_cadres", "name_conflict"]
    assert conflicts.set_index("registry").loc["registry_payroll", "birth_date_conflict"]
    codes = {problem.code for problem in result.problems}
    assert codes == {"registry_identity_conflict"}
    # The problem names the registry row (header = row 1, first record = row 2) and masks.
    cadre_problem = next(p for p in result.problems if p.file == "registry_cadres")
    assert cadre_problem.row == 2
    assert "错*字" in cadre_problem.expected


def test_invalid_registry_ids_are_counted_and_reported(county) -> None:  # type: ignore[no-untyped-def]
    registries = dict(county.registries)
    business = registries["registry_business"].copy()
    valid = business.loc[0, "id_number"]
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    # A name of no member: with a member's name the record would be linked by name only
    # (tests/test_names.py).
    business.loc[1] = {**business.loc[0].to_dict(), "id_number": wrong_check, "name": "无此人"}
    registries["registry_business"] = business
    result = cross_check(dataclasses.replace(county, registries=registries))
    summary = result.summary.set_index("registry")
    assert summary.loc["registry_business", "invalid_id"] == 1
    assert summary.loc["registry_business", "matched"] == 1
    problem = next(p for p in result.problems if p.code == "registry_invalid_id")
    assert (problem.file, problem.row, problem.column) == ("registry_business", 3, "id_number")
    assert "*" in problem.value


def test_clean_county_has_no_input_problem(county) -> None:  # type: ignore[no-untyped-def]
    assert risk_input_problems(county) == []
    assert check_risk_inputs(county) == []


def test_unknown_household_in_payments_names_row_and_column(county) -> None:  # type: ignore[no-untyped-def]
    payments = county.payments.copy()
    payments.loc[4, "household_id"] = "HH9999"
    with pytest.raises(DataError) as caught:
        check_risk_inputs(dataclasses.replace(county, payments=payments))
    problem = caught.value.problems[0]
    # Row 4 of the frame is spreadsheet row 6 (header row 1, 0-based index + 2).
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "payments",
        6,
        "household_id",
        "HH9999",
    )
    assert "payments, row 6, column 'household_id'" in str(caught.value)


def test_negative_and_non_numeric_amounts_are_errors(county) -> None:  # type: ignore[no-untyped-def]
    payments = county.payments.copy()
    payments["amount"] = payments["amount"].astype(object)
    payments.loc[0, "amount"] = -5.0
    payments.loc[1, "amount"] = "三百"
    problems = risk_input_problems(dataclasses.replace(county, payments=payments))
    by_code = {problem.code: problem for problem in problems}
    assert by_code["payment_amount_negative"].row == 2
    assert by_code["payment_amount_invalid"].row == 3
    assert by_code["payment_amount_invalid"].value == "三百"
    assert len(problems) == 2


def test_id_in_two_households_lists_both_rows(county) -> None:  # type: ignore[no-untyped-def]
    members = county.members.copy()
    first = members.index[members["household_id"] == "HH0020"][0]
    second = members.index[members["household_id"] == "HH0021"][0]
    members.loc[second, "id_number"] = members.loc[first, "id_number"]
    with pytest.raises(DataError) as caught:
        check_risk_inputs(dataclasses.replace(county, members=members))
    rows = sorted(p.row for p in caught.value.problems if p.code == "member_id_in_two_households")
    assert rows == [first + 2, second + 2]
    assert "HH0020, HH0021" in caught.value.problems[0].expected


def test_empty_registry_is_an_error_or_a_warning(county) -> None:  # type: ignore[no-untyped-def]
    registries = dict(county.registries)
    registries["registry_deaths"] = registries["registry_deaths"].iloc[0:0]
    empty = dataclasses.replace(county, registries=registries)
    with pytest.raises(DataError, match="registry_deaths"):
        check_risk_inputs(empty)
    warnings = check_risk_inputs(empty, empty_registry="warning")
    assert [(w.file, w.code, w.severity) for w in warnings] == [
        ("registry_deaths", "registry_empty", "warning")
    ]
    summary = cross_check(empty).summary.set_index("registry")
    assert summary.loc["registry_deaths", "records"] == 0


def test_restrict_keeps_row_numbers(county) -> None:  # type: ignore[no-untyped-def]
    subset = restrict_to(county, pd.Series(["HH0003", "HH0010"]))
    assert set(subset.households["household_id"]) == {"HH0003", "HH0010"}
    # HH0010 is the 10th household: spreadsheet row 11.
    rows = spreadsheet_rows(subset.households)
    assert list(rows) == [4, 11]
    assert set(subset.payments["household_id"]) == {"HH0003", "HH0010"}


def test_id_fixture_numbers_are_valid() -> None:
    from auditlib.data.idcard import is_valid_id_number

    assert is_valid_id_number(id_number(40, 12, True))


def test_head_id_heading_two_households(county) -> None:  # type: ignore[no-untyped-def]
    households = county.households.copy()
    households.loc[21, "head_id_number"] = households.loc[20, "head_id_number"]
    problems = risk_input_problems(dataclasses.replace(county, households=households))
    heads = [p for p in problems if p.code == "head_id_in_two_households"]
    # Frame rows 20 and 21 (HH0021, HH0022) are spreadsheet rows 22 and 23.
    assert sorted(p.row for p in heads) == [22, 23]
    assert all("HH0021, HH0022" in p.expected for p in heads)
