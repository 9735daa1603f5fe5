"""The optional verification answer ``payment_anomaly`` (发放异常), end to end.

Contract and rules, worksheet layout and import (old layouts included), the results log, the
CLI's refusal of a bad value, simulated fieldwork against the ground truth, and the analysis
table's 0/1 column (which changes no estimate).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from auditlib.cli.common import EXIT_BAD_INPUT, run_guarded
from auditlib.cli.main import cli
from auditlib.data.contract import VERIFICATION, contract_markdown
from auditlib.data.verification_rules import verification_rule_breaches
from auditlib.errors import FieldworkError
from auditlib.estimation.analysis_table import build_analysis_table
from auditlib.estimation.areas import estimates_table
from auditlib.fieldwork.importing import import_worksheets, read_issued, read_verification
from auditlib.fieldwork.layout import CODES_SHEET, HEADER_ROW, WORKSHEET_COLUMNS
from auditlib.fieldwork.results import (
    append_results,
    current_results,
    read_results_log,
)
from auditlib.fieldwork.writing import write_worksheets
from auditlib.sampling.sample import Sample, draw_sample
from auditlib.synth.config import SynthConfig
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import generate_county, write_practice_county
from auditlib.synth.output import SyntheticCounty
from tests.sampling_fixtures import make_county

COLUMN = {column.key: index + 1 for index, column in enumerate(WORKSHEET_COLUMNS)}
FIRST = HEADER_ROW + 1
VISIT = date(2021, 3, 1)  # after audit_period_start 2020-01-01 of make_county()


@pytest.fixture()
def issued(tmp_path: Path) -> tuple[Sample, Path, Path]:
    """A drawn sample of make_county(), its worksheet folder and its first workbook."""
    data = make_county()
    sample = draw_sample(data, "notice-2021", seed=42)
    sheets = write_worksheets(sample, data, tmp_path / "restricted")
    return sample, sheets.folder, sheets.files[0]


def _fill(path: Path, out: Path, changes: dict[int, dict[str, object]] | None = None) -> list[str]:
    """Answer every row of the first sheet eligible, apply ``changes``; its household ids."""
    book = load_workbook(path)
    sheet = next(s for s in book.worksheets if s.title != CODES_SHEET)
    households = []
    for row in range(FIRST, sheet.max_row + 1):
        household = sheet.cell(row, COLUMN["household_id"]).value
        if household is None:
            continue
        households.append(str(household))
        sheet.cell(row, COLUMN["eligible"]).value = "是"
        sheet.cell(row, COLUMN["correct_benefit"]).value = 300
        sheet.cell(row, COLUMN["verifier"]).value = "王核查"
        sheet.cell(row, COLUMN["verification_date"]).value = VISIT
    for row, values in (changes or {}).items():
        for key, value in values.items():
            sheet.cell(row, COLUMN[key]).value = value
    book.save(out)
    return households


# ------------------------------------------------------------------------ contract, rules
def test_contract_column_is_optional_yes_no_after_correct_benefit() -> None:
    column = VERIFICATION.column("payment_anomaly")
    assert (column.required, column.nullable, column.kind) == (False, True, "category")
    assert column.label_zh == "发放异常"
    assert column.value_labels_zh == {"yes": "是", "no": "否"}
    names = list(VERIFICATION.column_names)
    assert names.index("payment_anomaly") == names.index("correct_benefit") + 1
    assert "| `payment_anomaly` | 发放异常 | category: `yes` 是, `no` 否 | no | yes |" in (
        contract_markdown()
    )
    doc = Path(__file__).resolve().parent.parent / "docs" / "data-contract.md"
    assert contract_markdown() in doc.read_text(encoding="utf-8")


def test_rules_empty_for_non_respondents_optional_when_verified() -> None:
    verified = {
        "status": "verified",
        "eligible": "yes",
        "verifier": "王核查",
        "verification_date": VISIT,
    }
    for value in (None, "yes", "no"):
        answer = {**verified, "payment_anomaly": value}
        assert verification_rule_breaches(answer, recipient=True, today=VISIT) == []
    absent = {"status": "not_found", "payment_anomaly": "no"}
    breaches = verification_rule_breaches(absent, recipient=True, today=VISIT)
    assert [(b.column, b.code) for b in breaches] == [("payment_anomaly", "answer_inconsistent")]
    assert "未找到 not_found" in breaches[0].expected


# ---------------------------------------------------------------------- worksheets
def test_worksheet_round_trip(issued: tuple[Sample, Path, Path], tmp_path: Path) -> None:
    sample, folder, workbook = issued
    filled = tmp_path / "filled.xlsx"
    households = _fill(
        workbook,
        filled,
        {
            FIRST: {"payment_anomaly": "是"},
            FIRST + 1: {"payment_anomaly": "no"},
            FIRST + 2: {"payment_anomaly": "yes"},
            FIRST + 3: {"payment_anomaly": "否"},
        },
    )
    result = import_worksheets([filled], sample, read_issued(folder))
    assert result.errors == () and result.imported == len(households)
    table = result.verification.set_index("household_id")
    assert list(result.verification.columns) == list(VERIFICATION.column_names)
    assert str(table["payment_anomaly"].dtype) == "string"
    got = table.loc[households, "payment_anomaly"].tolist()
    assert got[:4] == ["yes", "no", "yes", "no"]
    assert all(value is pd.NA for value in got[4:])  # not checked: empty


def test_worksheet_of_the_older_layout_still_imports(
    issued: tuple[Sample, Path, Path], tmp_path: Path
) -> None:
    """A worksheet issued before the column existed: columns are found by their header."""
    sample, folder, workbook = issued
    filled = tmp_path / "filled.xlsx"
    households = _fill(workbook, filled)
    new = import_worksheets([filled], sample, read_issued(folder))
    book = load_workbook(filled)
    sheet = book.worksheets[0]
    sheet.delete_cols(COLUMN["payment_anomaly"])  # the 18-column layout: verifier moves left
    assert sheet.cell(HEADER_ROW, COLUMN["payment_anomaly"]).value == "核查人\nverifier"
    old = tmp_path / "old.xlsx"
    book.save(old)
    result = import_worksheets([old], sample, read_issued(folder))
    assert result.errors == () and result.imported == len(households)
    assert result.verification["payment_anomaly"].isna().all()
    pd.testing.assert_frame_equal(result.verification, new.verification)


def test_invalid_value_refused_naming_the_place(
    issued: tuple[Sample, Path, Path], tmp_path: Path
) -> None:
    sample, folder, workbook = issued
    bad = tmp_path / "bad.xlsx"
    households = _fill(workbook, bad, {FIRST + 1: {"payment_anomaly": "maybe"}})
    result = import_worksheets([bad], sample, read_issued(folder))
    sheet = load_workbook(bad).worksheets[0].title
    [problem] = result.errors
    assert (problem.file, problem.row, problem.column, problem.value, problem.code) == (
        f"bad.xlsx[{sheet}]",
        FIRST + 1,
        "payment_anomaly",
        "maybe",
        "answer_code",
    )
    assert problem.expected.startswith("是 or 否 (yes/no)")
    assert households[1] not in set(result.verification["household_id"])
    assert result.imported == len(households) - 1  # the other rows are kept


def test_non_respondent_with_a_value_refused(
    issued: tuple[Sample, Path, Path], tmp_path: Path
) -> None:
    sample, folder, workbook = issued
    bad = tmp_path / "absent.xlsx"
    not_found = {
        "status": "未找到",
        "eligible": None,
        "correct_benefit": None,
        "payment_anomaly": "是",
    }
    _fill(workbook, bad, {FIRST: not_found})
    result = import_worksheets([bad], sample, read_issued(folder))
    [problem] = result.errors
    assert (problem.row, problem.column, problem.value, problem.code) == (
        FIRST,
        "payment_anomaly",
        "是",
        "answer_inconsistent",
    )
    assert "empty when the status is 未找到 not_found" in problem.expected


def test_verification_file_with_and_without_the_column(tmp_path: Path) -> None:
    rows = {
        "household_id": ["H1", "H2", "H3"],
        "status": ["", "", "refused"],
        "eligible": ["yes", "yes", ""],
        "correct_benefit": ["300", "300", ""],
        "payment_anomaly": ["是", "", ""],
        "verifier": ["王核查", "王核查", "王核查"],
        "verification_date": [VISIT.isoformat()] * 3,
        "error_type": ["", "", ""],
    }
    current = tmp_path / "current.csv"
    pd.DataFrame(rows).to_csv(current, index=False)
    table = read_verification(current, today=VISIT)
    assert table["payment_anomaly"].tolist()[0] == "yes"
    assert table["payment_anomaly"].iloc[1:].isna().all()
    older = tmp_path / "older.csv"
    pd.DataFrame(rows).drop(columns="payment_anomaly").to_csv(older, index=False)
    assert read_verification(older, today=VISIT)["payment_anomaly"].isna().all()
    refused = tmp_path / "refused.csv"
    pd.DataFrame({**rows, "payment_anomaly": ["是", "", "否"]}).to_csv(refused, index=False)
    with pytest.raises(Exception, match="payment_anomaly") as caught:
        read_verification(refused, today=VISIT)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "payment_anomaly")]


# ---------------------------------------------------------------------- results log
def test_results_log_of_the_older_layout_is_appended_to_untouched(tmp_path: Path) -> None:
    log_path = tmp_path / "results_log.csv"
    first = pd.DataFrame(
        {
            "household_id": ["H1", "H2"],
            "status": ["verified", "verified"],
            "eligible": ["yes", "no"],
            "error_type": [None, "car_owner"],
            "correct_benefit": [300.0, 0.0],
            "verifier": ["王核查", "王核查"],
            "verification_date": pd.to_datetime([VISIT, VISIT]),
            "notes": ["备注, 含逗号", None],
        }
    )
    append_results(log_path, first, imported_at=datetime(2021, 3, 2, 9, 0))
    # the log as written before payment_anomaly existed: the same rows without the column
    older = pd.read_csv(log_path, dtype=str, keep_default_na=False)
    older.drop(columns="payment_anomaly").to_csv(log_path, index=False, lineterminator="\n")
    written = log_path.read_bytes()
    assert len(read_results_log(log_path)) == 2  # still reads, the column empty
    later = VISIT + timedelta(days=3)
    # an answer the old log cannot hold is refused, the log untouched
    answered = first.iloc[[0]].assign(payment_anomaly="yes", verification_date=pd.Timestamp(later))
    with pytest.raises(FieldworkError, match="payment_anomaly") as caught:
        append_results(log_path, answered, imported_at=datetime(2021, 3, 5, 9, 0))
    assert [(p.column, p.value) for p in caught.value.problems] == [("payment_anomaly", "H1")]
    assert log_path.read_bytes() == written
    # without it, the row is appended in the log's own layout; earlier bytes unchanged
    second = first.iloc[[0]].assign(verification_date=pd.Timestamp(later))
    update = append_results(log_path, second, imported_at=datetime(2021, 3, 5, 9, 0))
    assert update.superseded == ("H1",)
    assert log_path.read_bytes().startswith(written)
    current = current_results(read_results_log(log_path)).set_index("household_id")
    assert current.loc["H1", "verification_date"] == pd.Timestamp(later)
    assert current.loc["H2", "payment_anomaly"] is pd.NA
    assert current.loc["H1", "notes"] == "备注, 含逗号"


# ---------------------------------------------------------------------- CLI
def test_cli_import_refuses_a_bad_value_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = SynthConfig(
        county_code="420683",
        households=900,
        township_count=2,
        seed=6061,
        reference_date=date(2025, 3, 31),
    )
    params = write_practice_county(config, tmp_path, sample_seed=31)
    places = ["--workspace", str(tmp_path / "audits"), "--restricted", str(tmp_path / "r")]
    assert run_guarded(cli, ["sample", str(params), *places]) == 0
    folder = tmp_path / "r" / "420683" / "worksheets"
    start = date.fromisoformat(str(read_issued(folder)["audit_period_start"]))
    workbook = sorted(folder.glob("*.xlsx"))[0]
    book = load_workbook(workbook)
    sheet = book.worksheets[0]
    sheet.cell(FIRST, COLUMN["status"]).value = "已核查"
    sheet.cell(FIRST, COLUMN["eligible"]).value = "是"
    sheet.cell(FIRST, COLUMN["payment_anomaly"]).value = "maybe"
    sheet.cell(FIRST, COLUMN["verifier"]).value = "王核查"
    sheet.cell(FIRST, COLUMN["verification_date"]).value = start + timedelta(days=10)
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    capsys.readouterr()
    code = run_guarded(cli, ["fieldwork", "import", str(params), str(bad), *places])
    text = "".join(capsys.readouterr())
    assert code == EXIT_BAD_INPUT
    flat = " ".join(text.split())
    for part in (f"bad.xlsx[{sheet.title}]", f"│ {FIRST} ", "payment_anomaly", "maybe", "是 or 否"):
        assert part in flat, part
    assert "Traceback" not in text
    # the same answer with 是 is imported into the results log
    sheet.cell(FIRST, COLUMN["payment_anomaly"]).value = "是"
    good = tmp_path / "good.xlsx"
    book.save(good)
    assert run_guarded(cli, ["fieldwork", "import", str(params), str(good), *places]) == 0
    log = read_results_log(tmp_path / "audits" / "420683" / "results" / "results_log.csv")
    assert current_results(log)["payment_anomaly"].tolist() == ["yes"]


# ---------------------------------------------------------------------- simulated fieldwork
@pytest.fixture(scope="module")
def county() -> SyntheticCounty:
    # more planted payment anomalies than the default 2% of recipients, so that both answers occur
    return generate_county(
        SynthConfig(households=4000, township_count=3, seed=5, payment_anomaly_rate=0.15)
    )


def _anomalous(county: SyntheticCounty, ids: list[str]) -> pd.Series:
    """Truth: the household has payment anomaly types (``;``-joined codes, or empty)."""
    types = county.truth.households.set_index("household_id")["payment_anomaly_types"]
    return types.astype("string").fillna("").str.strip().reindex(ids) != ""


def test_simulated_fieldwork_reports_the_truth(county: SyntheticCounty) -> None:
    truth = county.truth.households
    ids = truth.loc[truth["recipient"], "household_id"].astype(str).tolist()
    result = simulate_verification(county.data, county.truth, ids, seed=1)
    anomalous = _anomalous(county, ids)
    assert anomalous.sum() > 10  # the generator planted some: the test can fail
    expected = np.where(anomalous.to_numpy(bool), "yes", "no").tolist()
    assert result["payment_anomaly"].tolist() == expected
    # non-respondents have no finding, respondents keep exactly the truth
    partial = simulate_verification(county.data, county.truth, ids, nonresponse_rate=0.3, seed=1)
    absent = (partial["status"] != "verified").to_numpy(bool)
    assert absent.any() and partial["payment_anomaly"][absent].isna().all()
    assert partial["payment_anomaly"][~absent].tolist() == np.array(expected)[~absent].tolist()
    # every other column is what it was without the answer (same draws)
    others = [c for c in result.columns if c != "payment_anomaly"]
    pd.testing.assert_frame_equal(partial[others][~absent], result[others][~absent])


def test_simulated_fieldwork_errs_at_the_verifier_error_rate(county: SyntheticCounty) -> None:
    ids = county.truth.households["household_id"].astype(str).tolist()
    rate = 0.2
    result = simulate_verification(county.data, county.truth, ids, verifier_error_rate=rate, seed=9)
    wrong = (result["payment_anomaly"] == "yes").to_numpy(bool) != _anomalous(county, ids)
    # Binomial: each answer wrong independently with probability 0.2; 4 standard errors.
    error = np.sqrt(rate * (1 - rate) / len(ids))
    assert abs(wrong.mean() - rate) < 4 * error, wrong.mean()
    # drawn independently of the verdict's error (not the same households)
    exact = simulate_verification(county.data, county.truth, ids, seed=9)
    verdict_wrong = (result["eligible"] != exact["eligible"]).to_numpy(bool)
    assert 0 < (wrong & verdict_wrong).sum() < verdict_wrong.sum()


# ---------------------------------------------------------------------- analysis table
def test_analysis_table_carries_a_0_1_column_and_no_estimate_changes(
    county: SyntheticCounty,
) -> None:
    from auditlib.sampling.sample import draw_sample as draw

    sample = draw(county.data, "notice-2021", 11).table
    verification = simulate_verification(
        county.data, county.truth, sample["household_id"], nonresponse_rate=0.1, seed=2
    )
    analysis = build_analysis_table(sample, verification, county.data.payments)
    ids = analysis["household_id"].astype(str)
    answers = verification.set_index(verification["household_id"].astype(str))["payment_anomaly"]
    expected = (answers.reindex(ids) == "yes").fillna(False).to_numpy(float)
    assert analysis["payment_anomaly"].tolist() == expected.tolist()
    assert expected.sum() > 0
    respondent = analysis["respondent"].to_numpy(float) > 0
    assert (analysis["payment_anomaly"][~respondent] == 0).all()
    without = build_analysis_table(
        sample, verification.drop(columns="payment_anomaly"), county.data.payments
    )
    assert (without["payment_anomaly"] == 0).all()
    shared = [c for c in without.columns if c != "payment_anomaly"]
    pd.testing.assert_frame_equal(analysis[shared], without[shared])
    pd.testing.assert_frame_equal(
        estimates_table(analysis, lonely_psu="adjust"),
        estimates_table(without, lonely_psu="adjust"),
    )
    # a value other than yes/no for a verified household is refused, row and value named
    bad = verification.astype({"payment_anomaly": object})
    row = int(np.flatnonzero((bad["status"] == "verified").to_numpy(bool))[0])
    bad.loc[bad.index[row], "payment_anomaly"] = "maybe"
    with pytest.raises(Exception, match="do not reconcile") as caught:
        build_analysis_table(sample, bad, county.data.payments)
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        (row + 2, "payment_anomaly", "maybe")
    ]
