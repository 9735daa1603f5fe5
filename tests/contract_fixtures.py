"""A tiny hand-made county folder that satisfies the data contract, for loader tests.

Every value is written out by hand (not generated) so that tests can break one cell and know
exactly which file, row and column the loader must name.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from auditlib.data.idcard import check_character
from auditlib.data.loading import load_county
from auditlib.data.policy import ValidationPolicy
from auditlib.errors import DataError


def make_id(prefix17: str) -> str:
    """Complete 17 digits with their GB 11643 check character."""
    return prefix17 + check_character(prefix17)


HEAD_1 = make_id("43052219600101001")
HEAD_2 = make_id("43052219700202002")
HEAD_3 = make_id("43052219800303003")
CHILD_1 = make_id("43052220050505004")

COUNTY_YAML = """\
county_code: "430522"
county: 新邵县
province: 湖南省
rural_standard: 500
reference_date: 2025-12-31
audit_period_start: 2025-01-01
audit_period_end: 2025-12-31
"""

HOUSEHOLD_HEADER = [
    "county_code",
    "county",
    "township_code",
    "township",
    "village_code",
    "village",
    "household_id",
    "head_name",
    "head_id_number",
    "members",
    "programme",
    "dibao_category",
    "monthly_benefit",
    "enrolment_date",
    "declared_income",
    "financial_assets",
    "housing_area",
    "housing_storeys",
    "housing_decorated",
    "registered_poor",
    "temporary_assistance",
    "exit_date",
    "refusal_date",
    "account_number",
    "account_holder_name",
]
HOUSEHOLDS = [
    [
        "430522",
        "新邵县",
        "43052201",
        "酿溪镇",
        "4305220101",
        "光明村",
        "H001",
        "张小明",
        HEAD_1,
        "2",
        "dibao",
        "B",
        "480.00",
        "2020-03-01",
        "300.00",
        "2000",
        "60",
        "1",
        "0",
        "1",
        "0",
        "",
        "",
        "6217000000000001",
        "张小明",
    ],
    [
        "430522",
        "新邵县",
        "43052201",
        "酿溪镇",
        "4305220101",
        "光明村",
        "H002",
        "李红",
        HEAD_2,
        "1",
        "none",
        "",
        "0",
        "",
        "2500.00",
        "50000",
        "120",
        "2",
        "0",
        "0",
        "0",
        "",
        "",
        "",
        "",
    ],
    [
        "430522",
        "新邵县",
        "43052202",
        "严塘镇",
        "4305220201",
        "红旗村",
        "H003",
        "王大力",
        HEAD_3,
        "1",
        "dibao",
        "A",
        "500.00",
        "2019-07-15",
        "0",
        "0",
        "45",
        "1",
        "0",
        "0",
        "1",
        "",
        "",
        "6217000000000003",
        "王大力",
    ],
]
MEMBER_HEADER = [
    "household_id",
    "id_number",
    "name",
    "relation",
    "age",
    "sex",
    "ethnicity",
    "disability_grade",
    "serious_illness",
    "student",
    "student_proof",
    "employment",
    "monthly_earnings",
    "death_date",
]
MEMBERS = [
    ["H001", HEAD_1, "张小明", "head", "65", "M", "汉族", "0", "1", "0", "0", "farming", "300", ""],
    ["H001", CHILD_1, "张小华", "child", "20", "F", "汉族", "0", "0", "1", "1", "student", "0", ""],
    ["H002", HEAD_2, "李红", "head", "55", "F", "汉族", "0", "0", "0", "0", "wage", "2500", ""],
    ["H003", HEAD_3, "王大力", "head", "45", "M", "回族", "2", "0", "0", "0", "none", "0", ""],
]
PAYMENT_HEADER = [
    "payment_id",
    "household_id",
    "payment_date",
    "amount",
    "account_number",
    "account_holder_name",
    "payer",
    "programme",
]
PAYMENTS = [
    ["P001", "H001", "2025-01-10", "480.00", "6217000000000001", "张小明", "新邵县民政局", "dibao"],
    ["P002", "H001", "2025-02-10", "480.00", "6217000000000001", "张小明", "新邵县民政局", "dibao"],
    ["P003", "H003", "2025-01-10", "500.00", "6217000000000003", "王大力", "新邵县民政局", "dibao"],
]
VEHICLE_HEADER = ["id_number", "name", "vehicle_type", "registration_date", "vehicle_value"]
VEHICLES = [[HEAD_2, "李红", "car", "2021-05-01", "80000"]]


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> None:
    """Write rows as CSV in the given encoding (``utf-8-sig`` writes a BOM)."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_county(folder: Path) -> Path:
    """Write the tiny valid county into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "county.yaml").write_text(COUNTY_YAML, encoding="utf-8")
    write_csv(folder / "households.csv", HOUSEHOLD_HEADER, HOUSEHOLDS)
    write_csv(folder / "members.csv", MEMBER_HEADER, MEMBERS)
    write_csv(folder / "payments.csv", PAYMENT_HEADER, PAYMENTS)
    write_csv(folder / "registry_vehicles.csv", VEHICLE_HEADER, VEHICLES)
    return folder


def problems_of(folder: Path, policy: ValidationPolicy | None = None) -> pd.DataFrame:
    """Problems reported for a folder, whether loading fails or not."""
    try:
        return load_county(folder, policy).problems
    except DataError as error:
        return pd.DataFrame([p.__dict__ for p in error.problems])


def single(problems: pd.DataFrame, code: str) -> dict[str, object]:
    """The one problem of ``code`` (fails the test when there is not exactly one)."""
    found = problems[problems["code"] == code]
    assert len(found) == 1, problems.to_string()
    return dict(found.iloc[0])
