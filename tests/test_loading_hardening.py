"""Bad input never corrupts silently (issue 14): each case a tester found, loaded or refused.

Every value is either loaded exactly as written or refused/flagged with file, row, column,
value (masked where personal) and what was expected. The folders are the hand-made county of
:mod:`tests.contract_fixtures` with one thing broken.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from auditlib.cli.common import EXIT_BAD_INPUT, run_guarded
from auditlib.cli.main import cli
from auditlib.data.loading import load_county
from auditlib.data.policy import DEFAULT_ACTIONS, ValidationPolicy
from tests import contract_fixtures as fx

ACCOUNT = fx.HOUSEHOLD_HEADER.index("account_number")
ENROLMENT = fx.HOUSEHOLD_HEADER.index("enrolment_date")
INCOME = fx.HOUSEHOLD_HEADER.index("declared_income")
VILLAGE = fx.HOUSEHOLD_HEADER.index("village_code")
TOWNSHIP = fx.HOUSEHOLD_HEADER.index("township_code")
LENIENT = ValidationPolicy(max_rejected_share=1)


@pytest.fixture()
def county(tmp_path: Path) -> Path:
    return fx.write_county(tmp_path / "county")


def households_with(column: int, values: dict[int, str]) -> list[list[str]]:
    rows = [row.copy() for row in fx.HOUSEHOLDS]
    for index, value in values.items():
        rows[index][column] = value
    return rows


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


# ------------------------------------------------------------------ 1. ID numbers as numbers


@pytest.mark.parametrize("text", ["4.30522E+17", "4.3052219600101e+17", "430522196001010000.0"])
def test_id_number_exported_as_a_number_in_csv_is_an_error(county: Path, text: str) -> None:
    rows = [row.copy() for row in fx.MEMBERS]
    rows[1][1] = text  # no lowercase x anywhere in the column
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, rows)
    problems = fx.problems_of(county)
    problem = fx.single(problems, "id_lost_precision")
    assert (problem["file"], problem["row"], problem["column"]) == ("members.csv", 3, "id_number")
    assert problem["severity"] == "error" and "stored as text" in str(problem["expected"])
    assert "id_invalid" not in set(problems["code"])  # named once, for what it is


def test_lost_precision_is_named_whatever_the_case_of_other_cells(county: Path) -> None:
    """The check once fired only when another cell of the column had a lowercase ``x``."""
    rows = [row.copy() for row in fx.MEMBERS]
    rows[0][1] = rows[0][1].lower()  # 43052219600101001x: a valid ID, loaded upper-cased
    rows[3][1] = "4.30522E+17"
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, rows)
    problems = fx.problems_of(county)
    assert fx.single(problems, "id_lost_precision")["row"] == 5
    assert set(problems["code"]) <= {"id_lost_precision", "head_not_member"}


def test_id_number_stored_as_a_number_in_xlsx_is_an_error(county: Path) -> None:
    (county / "members.csv").unlink()
    rows: list[list[object]] = [list(row) for row in fx.MEMBERS]
    rows[1][1] = float(fx.CHILD_1)  # Excel keeps 15 significant digits
    write_xlsx(county / "members.xlsx", fx.MEMBER_HEADER, rows)
    problem = fx.single(fx.problems_of(county), "id_lost_precision")
    assert (problem["file"], problem["row"], problem["severity"]) == ("members.xlsx", 3, "error")
    assert str(problem["value"]).startswith("430522********")  # masked, no marker


def test_id_number_in_a_float64_parquet_column_is_an_error(county: Path) -> None:
    frame = pd.read_csv(county / "registry_vehicles.csv", dtype=str)
    frame["id_number"] = float(fx.CHILD_1)  # a float64 column
    frame.to_parquet(county / "registry_vehicles.parquet")
    (county / "registry_vehicles.csv").unlink()
    problem = fx.single(fx.problems_of(county), "id_lost_precision")
    assert (problem["file"], problem["row"]) == ("registry_vehicles.parquet", 2)
    assert problem["severity"] == "error"


# ------------------------------------------------------------------ 2. account numbers


def test_account_number_stored_as_a_number_in_xlsx_is_an_error(county: Path) -> None:
    (county / "households.csv").unlink()
    rows: list[list[object]] = [list(row) for row in fx.HOUSEHOLDS]
    rows[0][ACCOUNT] = 6299628099840013311.0
    write_xlsx(county / "households.xlsx", fx.HOUSEHOLD_HEADER, rows)
    problem = fx.single(fx.problems_of(county), "code_lost_precision")
    assert (problem["file"], problem["row"], problem["column"]) == (
        "households.xlsx",
        2,
        "account_number",
    )
    assert problem["severity"] == "error"
    assert "#" not in str(problem["value"]) and "*" in str(problem["value"])  # masked


def test_account_number_in_scientific_notation_in_csv_is_an_error(county: Path) -> None:
    rows = [row.copy() for row in fx.PAYMENTS]
    rows[2][4] = "6.217E+15"
    fx.write_csv(county / "payments.csv", fx.PAYMENT_HEADER, rows)
    problem = fx.single(fx.problems_of(county), "code_lost_precision")
    assert (problem["file"], problem["row"], problem["column"]) == (
        "payments.csv",
        4,
        "account_number",
    )


def test_account_numbers_written_as_text_in_xlsx_load_exactly(county: Path) -> None:
    (county / "households.csv").unlink()
    write_xlsx(county / "households.xlsx", fx.HOUSEHOLD_HEADER, fx.HOUSEHOLDS)
    data = load_county(county)
    assert data.households.loc[0, "account_number"] == "6217000000000001"


# ------------------------------------------------------------------ 3. dates


@pytest.mark.parametrize("text", ["2024-02-30", "2024-05-0199", "2023-02-29", "2024-13-01"])
def test_impossible_or_malformed_dates_are_rejected(county: Path, text: str) -> None:
    fx.write_csv(
        county / "households.csv", fx.HOUSEHOLD_HEADER, households_with(ENROLMENT, {0: text})
    )
    data = load_county(county, LENIENT)
    problem = fx.single(data.problems, "bad_date")
    assert (problem["row"], problem["column"], problem["value"]) == (2, "enrolment_date", text)
    assert "H001" not in set(data.households["household_id"])


def test_valid_date_spellings_load_as_written(county: Path) -> None:
    spellings = {0: "2020年3月1日", 2: "2019/07/15"}
    fx.write_csv(
        county / "households.csv", fx.HOUSEHOLD_HEADER, households_with(ENROLMENT, spellings)
    )
    dates = load_county(county).households["enrolment_date"]
    assert dates[0] == pd.Timestamp("2020-03-01") and dates[2] == pd.Timestamp("2019-07-15")
    rows = [row.copy() for row in fx.PAYMENTS]
    rows[0][2], rows[1][2] = "20240229", "2025-02-10 08:30:00"  # leap day; a workbook time
    fx.write_csv(county / "payments.csv", fx.PAYMENT_HEADER, rows)
    paid = load_county(county).payments["payment_date"]
    assert list(paid[:2]) == [pd.Timestamp("2024-02-29"), pd.Timestamp("2025-02-10")]


# ------------------------------------------------------------------ 4. numbers


@pytest.mark.parametrize("text", ["420,5", "4,2,0", "1,23", "nan", "inf", "1,234.5,6"])
def test_ambiguous_numbers_are_rejected(county: Path, text: str) -> None:
    fx.write_csv(county / "households.csv", fx.HOUSEHOLD_HEADER, households_with(INCOME, {1: text}))
    data = load_county(county, LENIENT)
    problem = fx.single(data.problems, "bad_number")
    assert (problem["row"], problem["column"], problem["value"]) == (3, "declared_income", text)
    assert "H002" not in set(data.households["household_id"])


def test_thousands_separators_in_the_exact_pattern_are_read(county: Path) -> None:
    values = {0: "1,234,567.89", 1: "2,500", 2: "-0"}
    fx.write_csv(county / "households.csv", fx.HOUSEHOLD_HEADER, households_with(INCOME, values))
    data = load_county(county)
    assert list(data.households["declared_income"]) == [1234567.89, 2500.0, 0.0]


def test_infinite_salary_without_an_upper_bound_is_rejected(county: Path) -> None:
    header = ["id_number", "name", "employer", "monthly_salary"]
    fx.write_csv(county / "registry_payroll.csv", header, [[fx.HEAD_2, "李红", "县医院", "inf"]])
    problem = fx.single(fx.problems_of(county, LENIENT), "bad_number")
    assert (problem["file"], problem["column"]) == ("registry_payroll.csv", "monthly_salary")


# ------------------------------------------------------------------ 5. encodings

BIG5_MEMBERS = [
    [
        "H001",
        fx.HEAD_1,
        "張小明",
        "head",
        "65",
        "M",
        "漢族",
        "0",
        "1",
        "0",
        "0",
        "farming",
        "300",
        "",
    ],
    [
        "H001",
        fx.CHILD_1,
        "張小華",
        "child",
        "20",
        "F",
        "漢族",
        "0",
        "0",
        "1",
        "1",
        "student",
        "0",
        "",
    ],
    ["H002", fx.HEAD_2, "李紅", "head", "55", "F", "漢族", "0", "0", "0", "0", "wage", "2500", ""],
    ["H003", fx.HEAD_3, "王大力", "head", "45", "M", "回族", "2", "0", "0", "0", "none", "0", ""],
]


def test_big5_csv_is_refused_not_loaded_as_mojibake(county: Path) -> None:
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, BIG5_MEMBERS, encoding="big5")
    problem = fx.single(fx.problems_of(county), "file_encoding")
    assert problem["file"] == "members.csv" and problem["severity"] == "error"
    assert problem["row"] == 2  # the first line whose text is mojibake
    assert "big5" in str(problem["value"]).lower()
    assert fx.HEAD_1 not in str(problem["value"])  # the line itself is not shown


def test_gb18030_of_real_chinese_text_still_loads(county: Path) -> None:
    fx.write_csv(county / "members.csv", fx.MEMBER_HEADER, fx.MEMBERS, encoding="gb18030")
    rows = [row.copy() for row in fx.HOUSEHOLDS]
    rows[0][fx.HOUSEHOLD_HEADER.index("head_name")] = "張小明"  # traditional, rare: still GB18030
    fx.write_csv(county / "households.csv", fx.HOUSEHOLD_HEADER, rows, encoding="gb18030")
    data = load_county(county, ValidationPolicy(actions={"head_not_member": "warning"}))
    assert data.members.loc[2, "name"] == "李红"
    assert data.households.loc[0, "head_name"] == "張小明"


# ------------------------------------------------------------------ 6. cross-table facts


def test_households_of_another_county_are_an_error(county: Path) -> None:
    rows = [row.copy() for row in fx.HOUSEHOLDS]
    for row in rows[1:]:
        row[0] = "430523"
    fx.write_csv(county / "households.csv", fx.HOUSEHOLD_HEADER, rows)
    problem = fx.single(fx.problems_of(county), "county_mismatch")
    assert (problem["file"], problem["row"], problem["column"]) == (
        "households.csv",
        3,
        "county_code",
    )
    assert str(problem["value"]).startswith("430523 (2 row(s)")
    assert "430522" in str(problem["expected"]) and problem["severity"] == "error"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "0", "yes"])
def test_rural_standard_must_be_finite_and_positive(county: Path, value: str) -> None:
    text = fx.COUNTY_YAML.replace("rural_standard: 500", f"rural_standard: {value}")
    (county / "county.yaml").write_text(text, encoding="utf-8")
    problem = fx.single(fx.problems_of(county), "bad_value")
    assert (problem["file"], problem["column"]) == ("county.yaml", "rural_standard")
    assert "finite positive" in str(problem["expected"])


def test_audit_period_must_not_end_before_it_starts(county: Path) -> None:
    text = fx.COUNTY_YAML.replace("audit_period_end: 2025-12-31", "audit_period_end: 2024-12-31")
    (county / "county.yaml").write_text(text, encoding="utf-8")
    problem = fx.single(fx.problems_of(county), "period_order")
    assert (problem["file"], problem["column"], problem["value"]) == (
        "county.yaml",
        "audit_period_end",
        "2024-12-31",
    )
    assert "2025-01-01" in str(problem["expected"]) and problem["severity"] == "error"


def test_a_village_code_under_two_townships_is_an_error(county: Path) -> None:
    rows = households_with(VILLAGE, {2: "4305220101"})  # H003 in 严塘镇, village of 酿溪镇
    fx.write_csv(county / "households.csv", fx.HOUSEHOLD_HEADER, rows)
    problem = fx.single(fx.problems_of(county), "village_township")
    assert (problem["file"], problem["row"], problem["column"]) == (
        "households.csv",
        4,
        "township_code",
    )
    assert problem["value"] == "43052202 (village 4305220101)"
    assert "43052201" in str(problem["expected"]) and "row 2" in str(problem["expected"])
    assert rows[2][TOWNSHIP] == "43052202"


# ------------------------------------------------------------------ 7. cells right of the header


def test_xlsx_cell_right_of_the_header_is_refused_like_csv(county: Path) -> None:
    (county / "payments.csv").unlink()
    rows: list[list[object]] = [list(row) for row in fx.PAYMENTS]
    rows[1] = [*rows[1], "", "多付50元"]  # two columns right of the header's last (H)
    write_xlsx(county / "payments.xlsx", fx.PAYMENT_HEADER, rows)
    problem = fx.single(fx.problems_of(county), "extra_field")
    assert (problem["file"], problem["row"], problem["column"]) == (
        "payments.xlsx",
        3,
        "(column J, right of the header)",
    )
    # free text of unknown meaning: a CJK run of 2-4 characters may be a name, so it is masked
    assert problem["value"] == "多*50元" and problem["severity"] == "error"


def test_csv_row_with_an_extra_field_is_refused_the_same_way(county: Path) -> None:
    rows = [row.copy() for row in fx.PAYMENTS]
    rows[1] = [*rows[1], "多付50元"]
    fx.write_csv(county / "payments.csv", fx.PAYMENT_HEADER, rows)
    problems = fx.problems_of(county)
    problem = fx.single(problems, "extra_field")
    assert (problem["file"], problem["row"], problem["column"]) == (
        "payments.csv",
        3,
        "(field 9, right of the header)",
    )
    assert problem["value"] == "多*50元"  # masked: 多付 could be a name
    assert "short_row" not in set(problems["code"])


def test_a_refused_wide_row_is_listed_when_the_policy_tolerates_it(county: Path) -> None:
    rows = [row.copy() for row in fx.PAYMENTS]
    rows[1] = [*rows[1], "x"]
    fx.write_csv(county / "payments.csv", fx.PAYMENT_HEADER, rows)
    data = load_county(
        county, ValidationPolicy(actions={"extra_field": "reject"}, max_rejected_share=1)
    )
    assert list(data.payments["payment_id"]) == ["P001", "P003"]
    assert data.rejected.to_dict("records") == [
        {"file": "payments.csv", "row": 3, "reason": "extra_field: x"}
    ]


# ------------------------------------------------------------------ the defaults


def test_every_new_check_is_an_error_or_reject_by_default() -> None:
    new = ("code_lost_precision", "extra_field", "county_mismatch", "village_township")
    for code in (*new, "period_order", "id_lost_precision", "bad_date", "bad_number"):
        assert DEFAULT_ACTIONS[code] in ("error", "reject"), code


# ------------------------------------------------------ 8. no traceback for any input (issue 14.3)


def validate_fails_cleanly(folder: Path, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    """Run ``auditlib validate``: exit 2, no traceback; return what it printed."""
    code = run_guarded(cli, ["validate", str(folder), *options])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == EXIT_BAD_INPUT, text
    assert "Traceback" not in text and "internal error" not in text and "Exception" not in text
    return " ".join(text.split())


def test_duplicated_header_in_xlsx_is_refused(
    county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (county / "registry_vehicles.csv").unlink()
    header = ["id_number", "name", "name", "vehicle_type", "registration_date", "vehicle_value"]
    write_xlsx(county / "registry_vehicles.xlsx", header, [[fx.HEAD_2, "李红", "李红", "car"]])
    text = validate_fails_cleanly(county, capsys)
    assert "registry_vehicles.xlsx" in text and "name appear twice" in text
    problem = fx.single(fx.problems_of(county), "dup_col")
    assert problem["row"] == 1


def test_impossible_reference_date_in_county_yaml_is_a_problem_of_its_key(
    county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (county / "county.yaml").read_text(encoding="utf-8")
    (county / "county.yaml").write_text(
        text.replace("reference_date: 2025-12-31", "reference_date: 2025-13-45"), encoding="utf-8"
    )
    shown = validate_fails_cleanly(county, capsys)
    assert "reference_date" in shown and "2025-13-45" in shown and "YYYY-MM-DD" in shown


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("actions: [id_invalid\n", "valid YAML"),  # syntax error
        ("no_such_key: 1\n", "no_such_key"),  # unknown key
        ("max_rejected_share: lots\n", "a number in [0, 1]"),  # wrong type
        ("actions: 5\n", "a mapping of check code"),  # wrong type
        ("actions: {no_such_check: error}\n", "unknown check"),
        ("max_rejected_share: 3\n", "must be in [0, 1]"),
    ],
)
def test_malformed_policy_file_is_a_clear_error(
    county: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, named: str
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(content, encoding="utf-8")
    text = validate_fails_cleanly(county, capsys, "--policy", str(policy))
    assert named in text and "policy.yaml" in text


def test_a_20_megabyte_cell_is_refused_at_its_row(
    county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row.copy() for row in fx.VEHICLES]
    rows[0][2] = "x" * 20_000_000
    fx.write_csv(county / "registry_vehicles.csv", fx.VEHICLE_HEADER, rows)
    text = validate_fails_cleanly(county, capsys)
    assert "too long" in text and "x" * 200 not in text
    assert fx.single(fx.problems_of(county), "file_malformed")["row"] == 2


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_is_refused_naming_the_encoding(
    county: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    path = county / "members.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    text = validate_fails_cleanly(county, capsys)
    assert "members.csv" in text and "UTF-16" in text


def test_binary_file_is_refused_as_binary(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (county / "members.csv").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    validate_fails_cleanly(county, capsys)
    problem = fx.single(fx.problems_of(county), "file_encoding")
    assert "binary data, not text" in problem["value"] and "encoding guessed" in problem["value"]


def test_a_non_utf8_byte_is_located_at_its_row(
    county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = county / "members.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b",", b",\xff", 1)  # the third line: spreadsheet row 3
    path.write_bytes(b"".join(lines))
    text = validate_fails_cleanly(county, capsys)
    assert "0xFF" in text and "line 3" in text
    assert fx.single(fx.problems_of(county), "file_encoding")["row"] == 3
