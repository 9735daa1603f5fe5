"""Loading and validating county folders: every bad input named precisely, nothing dropped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from auditlib.cli.common import run_guarded
from auditlib.cli.main import cli
from auditlib.data.loading import load_county
from auditlib.data.policy import ValidationPolicy
from auditlib.errors import DataError
from tests import contract_fixtures as fx


@pytest.fixture()
def county(tmp_path: Path) -> Path:
    return fx.write_county(tmp_path / "county")


def test_clean_county_loads_typed(county: Path) -> None:
    data = load_county(county)
    assert len(data.problems) == 0
    assert len(data.rejected) == 0
    assert len(data.households) == 3 and len(data.members) == 4 and len(data.payments) == 3
    assert data.households["members"].dtype == "int64"
    assert data.households["monthly_benefit"].dtype == "float64"
    assert str(data.households["enrolment_date"].dtype) == "datetime64[ns]"
    assert data.households["registered_poor"].dtype == bool
    assert data.households.loc[0, "programme"] == "dibao"
    assert pd.isna(data.households.loc[1, "enrolment_date"])
    assert set(data.registries) == {"registry_vehicles"}
    assert data.info.county == "新邵县" and data.info.rural_standard == 500
    assert set(data.files) == {
        "households.csv",
        "members.csv",
        "payments.csv",
        "registry_vehicles.csv",
    }


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_encodings_are_detected(county: Path, encoding: str) -> None:
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, fx.MEMBERS, encoding=encoding)
    data = load_county(county)
    assert data.members.loc[0, "name"] == "张小明"
    assert data.members.columns[0] == "household_id"


def test_chinese_labels_accepted_as_column_names(county: Path) -> None:
    labels = {
        "household_id": "户编号",
        "id_number": "身份证号",
        "name": "姓名",
        "relation": "与户主关系",
        "sex": "性别",
    }
    header = [labels.get(name, name) for name in fx.MEMBER_HEADER]
    rows = [row.copy() for row in fx.MEMBERS]
    rows[0][3] = "户主"  # a Chinese category label too
    rows[0][5] = "男"
    fx.write_csv(county / "members.csv", header, rows, encoding="gb18030")
    data = load_county(county)
    assert data.members.loc[0, "relation"] == "head"
    assert data.members.loc[0, "sex"] == "M"


def test_missing_required_column_is_fatal_and_named(county: Path) -> None:
    header = [c for c in fx.HOUSEHOLD_HEADER if c != "declared_income"]
    index = fx.HOUSEHOLD_HEADER.index("declared_income")
    rows = [row[:index] + row[index + 1 :] for row in fx.HOUSEHOLDS]
    fx.write_csv(county / "households.csv", header, rows)
    with pytest.raises(DataError) as caught:
        load_county(county)
    problem = fx.single(pd.DataFrame([p.__dict__ for p in caught.value.problems]), "missing_column")
    assert problem["file"] == "households.csv"
    assert problem["column"] == "declared_income"
    assert "家庭月收入" in str(problem["expected"])


def test_unknown_column_warns_and_is_ignored(county: Path) -> None:
    header = [*fx.MEMBER_HEADER, "favourite_colour"]
    rows = [[*row, "blue"] for row in fx.MEMBERS]
    fx.write_csv(county / "members.csv", header, rows)
    data = load_county(county)
    problem = fx.single(data.problems, "unknown_column")
    assert problem["severity"] == "warning" and problem["column"] == "favourite_colour"
    assert "favourite_colour" not in data.members.columns


def test_duplicated_household_id_is_fatal_with_both_rows(county: Path) -> None:
    rows = [row.copy() for row in fx.HOUSEHOLDS]
    rows[2][6] = "H001"
    fx.write_csv(county / "households.csv", fx.HOUSEHOLD_HEADER, rows)
    problems = fx.problems_of(county)
    problem = fx.single(problems, "duplicate_key")
    assert problem["row"] == 4 and problem["column"] == "household_id"
    assert "row 2" in str(problem["expected"]) and problem["severity"] == "error"


def test_member_of_unknown_household_is_rejected_and_listed(county: Path) -> None:
    rows = [row.copy() for row in fx.MEMBERS]
    rows[3][0] = "H999"
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, rows)
    data = load_county(county, ValidationPolicy(max_rejected_share=0.5))
    problem = fx.single(data.problems, "orphan_key")
    assert (problem["file"], problem["row"], problem["value"]) == ("members.csv", 5, "H999")
    assert len(data.members) == 3
    assert data.rejected.to_dict("records") == [
        {"file": "members.csv", "row": 5, "reason": "household_id: not in households"}
    ]


def test_invalid_check_digit_warns_by_default_and_can_be_fatal(county: Path) -> None:
    rows = [row.copy() for row in fx.MEMBERS]
    last = rows[1][1][-1]
    rows[1][1] = rows[1][1][:-1] + ("0" if last != "0" else "1")
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, rows)
    data = load_county(county)
    problem = fx.single(data.problems, "id_invalid")
    assert problem["row"] == 3 and problem["severity"] == "warning"
    assert "check digit should be" in str(problem["expected"])
    assert "********" in str(problem["value"])  # ID numbers are masked in messages
    assert len(data.members) == 4
    with pytest.raises(DataError):
        load_county(county, ValidationPolicy(actions={"id_invalid": "error"}))


def test_negative_income_rejects_the_row(county: Path) -> None:
    rows = [row.copy() for row in fx.HOUSEHOLDS]
    rows[1][fx.HOUSEHOLD_HEADER.index("declared_income")] = "-20"
    fx.write_csv(county / "households.csv", fx.HOUSEHOLD_HEADER, rows)
    problems = fx.problems_of(county)
    problem = fx.single(problems, "out_of_range")
    assert (problem["row"], problem["column"], problem["value"]) == (3, "declared_income", "-20")
    assert "between 0" in str(problem["expected"])


def test_date_in_the_future_is_reported(county: Path) -> None:
    rows = [row.copy() for row in fx.PAYMENTS]
    rows[0][2] = "2031-01-10"
    fx.write_csv(county / "payments.csv", fx.PAYMENT_HEADER, rows)
    problem = fx.single(
        fx.problems_of(county, ValidationPolicy(max_rejected_share=1)), "future_date"
    )
    assert (problem["file"], problem["row"], problem["column"]) == (
        "payments.csv",
        2,
        "payment_date",
    )
    assert "2025-12-31" in str(problem["expected"])


def test_empty_file_is_fatal(county: Path) -> None:
    (county / "payments.csv").write_bytes(b"")
    problem = fx.single(fx.problems_of(county), "file_empty")
    assert problem["file"] == "payments.csv" and problem["severity"] == "error"


def test_xlsx_with_title_row_above_header(county: Path) -> None:
    (county / "members.csv").unlink()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["新邵县低保家庭成员信息表（2025年12月导出）"])
    sheet.append(fx.MEMBER_HEADER)
    for row in fx.MEMBERS:
        sheet.append(row)
    workbook.save(county / "members.xlsx")
    data = load_county(county)
    assert len(data.members) == 4 and len(data.problems) == 0
    # a problem in that sheet is named by its spreadsheet row (title 1, header 2, data 3..)
    sheet.cell(row=4, column=5, value="abc")
    workbook.save(county / "members.xlsx")
    problem = fx.single(
        fx.problems_of(county, ValidationPolicy(max_rejected_share=1)), "bad_number"
    )
    assert (problem["file"], problem["row"], problem["column"]) == ("members.xlsx", 4, "age")


def test_truncated_csv_names_the_short_row(county: Path) -> None:
    path = county / "payments.csv"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 25])
    problem = fx.single(fx.problems_of(county), "short_row")
    assert problem["file"] == "payments.csv" and problem["row"] == 4
    assert "truncated" in str(problem["expected"])


def test_truncated_xlsx_is_a_clear_error(county: Path) -> None:
    workbook = Workbook()
    workbook.active.append(fx.VEHICLE_HEADER)
    workbook.save(county / "registry_vehicles.xlsx")
    (county / "registry_vehicles.csv").unlink()
    path = county / "registry_vehicles.xlsx"
    path.write_bytes(path.read_bytes()[:300])
    problem = fx.single(fx.problems_of(county), "file_corrupt")
    assert problem["file"] == "registry_vehicles.xlsx"


def test_all_problems_reported_in_one_pass(county: Path) -> None:
    rows = [row.copy() for row in fx.HOUSEHOLDS]
    rows[0][fx.HOUSEHOLD_HEADER.index("members")] = "two"
    rows[1][fx.HOUSEHOLD_HEADER.index("programme")] = "welfare"
    fx.write_csv(county / "households.csv", fx.HOUSEHOLD_HEADER, rows)
    (county / "payments.csv").write_bytes(b"")
    codes = set(fx.problems_of(county)["code"])
    assert {"bad_number", "bad_category", "file_empty"} <= codes


def test_parquet_is_read(county: Path) -> None:
    frame = pd.read_csv(county / "payments.csv", dtype=str)
    frame["payment_date"] = pd.to_datetime(frame["payment_date"])
    frame["amount"] = frame["amount"].astype(float)
    frame.to_parquet(county / "payments.parquet")
    (county / "payments.csv").unlink()
    data = load_county(county)
    assert data.payments["amount"].sum() == pytest.approx(1460.0)


def test_cli_clean_and_bad(county: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(cli, ["validate", str(county)])
    assert clean.exit_code == 0, clean.output
    assert "clean" in clean.output
    broken = tmp_path / "broken"
    shutil.copytree(county, broken)
    (broken / "payments.csv").write_bytes(b"")
    assert run_guarded(cli, ["validate", str(broken)]) == 2


def test_cli_bad_input_prints_no_traceback(county: Path) -> None:
    import subprocess
    import sys

    (county / "members.csv").write_bytes(b"household_id,id_number\nH001\n")
    result = subprocess.run(
        [sys.executable, "-m", "auditlib", "validate", str(county)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "members.csv" in result.stderr


def test_head_missing_from_members_warns(county: Path) -> None:
    rows = [row for row in fx.MEMBERS if row[1] != fx.HEAD_3]
    rows.append(
        [
            "H003",
            fx.make_id("43052219810303005"),
            "王小力",
            "head",
            "44",
            "M",
            "回族",
            "0",
            "0",
            "0",
            "0",
            "none",
            "0",
            "",
        ]
    )
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, rows)
    problem = fx.single(load_county(county).problems, "head_not_member")
    assert (problem["row"], problem["column"]) == (4, "head_id_number")


def test_same_id_number_in_two_households_is_fatal(county: Path) -> None:
    rows = [row.copy() for row in fx.MEMBERS]
    rows[3][1] = fx.HEAD_1
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, rows)
    problem = fx.single(fx.problems_of(county), "duplicate_key")
    assert (problem["file"], problem["row"], problem["column"]) == ("members.csv", 5, "id_number")


def test_verification_dates_after_the_reference_date_are_accepted(county: Path) -> None:
    header = [
        "household_id",
        "eligible",
        "error_type",
        "correct_benefit",
        "verifier",
        "verification_date",
        "notes",
    ]
    rows = [
        ["H001", "no", "car_owner", "0", "刘核查", "2026-01-15", ""],
        ["H003", "yes", "", "500", "刘核查", "2999-01-15", ""],
        ["H002", "yes", "", "0", "刘核查", "2100-01-15", ""],
    ]
    fx.write_csv(county / "verification.csv", header, rows)
    data = load_county(county, ValidationPolicy(max_rejected_share=1))
    problem = fx.single(data.problems, "bad_date")  # only the visit dated in 2999
    assert (problem["file"], problem["row"], problem["value"]) == (
        "verification.csv",
        3,
        "2999-01-15",
    )
    assert data.verification is not None and list(data.verification["household_id"]) == ["H001"]
    future = fx.single(data.problems, "future_date")  # after today, plausible as a date
    assert (future["row"], future["value"]) == (4, "2100-01-15")
    future = fx.single(data.problems, "future_date")  # after today, plausible as a date
    assert (future["row"], future["value"]) == (4, "2100-01-15")


def test_a_file_whose_only_row_is_short_is_not_called_empty(county: Path) -> None:
    (county / "payments.csv").write_text(",".join(fx.PAYMENT_HEADER) + "\nP001,H001\n")
    problems = fx.problems_of(county)
    assert fx.single(problems, "short_row")["row"] == 2
    assert "file_empty" not in set(problems["code"])
