"""The append-only results log: rounds, sources, re-imports, corrections and conflicts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from auditlib.errors import FieldworkError
from auditlib.fieldwork.importing import import_worksheets, read_issued, read_verification
from auditlib.fieldwork.layout import CODES_SHEET, HEADER_ROW, WORKSHEET_COLUMNS
from auditlib.fieldwork.results import (
    LOG_COLUMNS,
    append_results,
    current_results,
    read_results_log,
    superseded_results,
)
from auditlib.fieldwork.verification_table import VERIFICATION_COLUMNS
from auditlib.fieldwork.writing import write_worksheets
from auditlib.sampling.sample import draw_sample
from tests.sampling_fixtures import make_county

COLUMN = {column.key: index + 1 for index, column in enumerate(WORKSHEET_COLUMNS)}
FIRST = HEADER_ROW + 1
MARCH = datetime(2021, 3, 5, 9, 30)
APRIL = datetime(2021, 4, 2, 16, 0)


@pytest.fixture()
def issued(tmp_path: Path):  # type: ignore[no-untyped-def]
    data = make_county()
    sample = draw_sample(data, "notice-2021", seed=42)
    sheets = write_worksheets(sample, data, tmp_path / "restricted")
    return sample, sheets, read_issued(sheets.folder)


def _fill(path: Path, out: Path, rows: dict[int, dict[str, object]] | None = None) -> Path:
    """Answer every row of the first township sheet 'eligible', then apply per-row changes."""
    book = load_workbook(path)
    sheet = next(s for s in book.worksheets if s.title != CODES_SHEET)
    for row in range(FIRST, sheet.max_row + 1):
        sheet.cell(row, COLUMN["eligible"]).value = "是"
        sheet.cell(row, COLUMN["correct_benefit"]).value = 300
        sheet.cell(row, COLUMN["verifier"]).value = "王核查"
        sheet.cell(row, COLUMN["verification_date"]).value = date(2021, 3, 1)
    for row, changes in (rows or {}).items():
        for key, value in changes.items():
            sheet.cell(row, COLUMN[key]).value = value
    book.save(out)
    return out


def _households(path: Path) -> list[str]:
    sheet = load_workbook(path).worksheets[0]
    return [sheet.cell(r, COLUMN["household_id"]).value for r in range(FIRST, sheet.max_row + 1)]


def test_rounds_sources_and_reimport(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample, sheets, manifest = issued
    log_path = tmp_path / "results_log.csv"
    assert read_results_log(log_path).empty  # absent: an empty, typed log
    assert list(read_results_log(log_path).columns) == list(LOG_COLUMNS)
    filled = _fill(sheets.files[0], tmp_path / "a.xlsx")
    result = import_worksheets(
        [filled], sample, manifest, current_results(read_results_log(log_path))
    )
    update = append_results(log_path, result.answers, imported_at=MARCH)
    households = _households(sheets.files[0])
    assert update.round == 1
    assert update.added == tuple(sorted(households))
    assert update.superseded == update.unchanged == update.conflicts == ()
    log = update.log
    assert list(log.columns) == list(LOG_COLUMNS)
    assert (log["round"] == 1).all() and (log["imported_at"] == "2021-03-05T09:30:00").all()
    first = log.set_index("household_id").loc[households[0]]
    assert (first["source_file"], first["source_sheet"], first["source_row"]) == (
        "a.xlsx",
        sheets.files[0].stem.removeprefix("worksheet_"),
        FIRST,
    )
    pd.testing.assert_frame_equal(current_results(log), result.verification)
    pd.testing.assert_frame_equal(read_results_log(log_path), log)
    # importing the same worksheet again adds nothing: no new round, the file unchanged
    written = log_path.read_bytes()
    again = import_worksheets([filled], sample, manifest, current_results(log))
    assert again.imported == 0 and again.errors == ()
    assert append_results(log_path, again.answers, imported_at=APRIL).round is None
    repeat = append_results(log_path, result.answers, imported_at=APRIL)
    assert repeat.round is None and repeat.added == ()
    assert repeat.unchanged == tuple(sorted(households))
    assert log_path.read_bytes() == written
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_later_correction_supersedes_and_is_kept_apart(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample, sheets, manifest = issued
    households = _households(sheets.files[0])
    log_path = tmp_path / "results_log.csv"
    first = import_worksheets([_fill(sheets.files[0], tmp_path / "a.xlsx")], sample, manifest)
    append_results(log_path, first.answers, imported_at=MARCH)
    written = log_path.read_bytes()
    correction = {
        "eligible": "否",
        "error_type": "car_owner",
        "correct_benefit": 0,
        "verification_date": date(2021, 4, 1),
    }
    corrected = _fill(sheets.files[0], tmp_path / "b.xlsx", {FIRST + 2: correction})
    log = read_results_log(log_path)
    second = import_worksheets([corrected], sample, manifest, current_results(log))
    assert second.superseded == (households[2],)
    update = append_results(log_path, second.answers, imported_at=APRIL)
    assert (update.round, update.added, update.superseded) == (
        2,
        (households[2],),
        (households[2],),
    )
    assert log_path.read_bytes().startswith(written)  # append-only: earlier bytes unchanged
    assert len(update.log) == len(households) + 1
    current = current_results(update.log)
    pd.testing.assert_frame_equal(current, second.verification)
    assert current.set_index("household_id").loc[households[2], "error_type"] == "car_owner"
    old = superseded_results(update.log)
    assert list(old["household_id"]) == [households[2]]
    assert (old["round"].iloc[0], old["eligible"].iloc[0], old["source_file"].iloc[0]) == (
        1,
        "yes",
        "a.xlsx",
    )
    assert list(old.columns) == list(LOG_COLUMNS)


def test_different_answer_not_dated_later_is_a_conflict(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample, sheets, manifest = issued
    households = _households(sheets.files[0])
    log_path = tmp_path / "results_log.csv"
    first = import_worksheets([_fill(sheets.files[0], tmp_path / "a.xlsx")], sample, manifest)
    append_results(log_path, first.answers, imported_at=MARCH)
    written = log_path.read_bytes()
    answers = first.answers.copy()
    same_date = answers["household_id"] == households[0]
    earlier = answers["household_id"] == households[1]
    answers.loc[same_date, "notes"] = "补充说明"
    answers.loc[earlier, "verification_date"] = pd.Timestamp(2021, 2, 1)
    answers["source_file"] = "b.xlsx"
    update = append_results(log_path, answers, imported_at=APRIL)
    assert update.round is None and update.added == ()
    assert [(p.file, p.row, p.value, p.code) for p in update.conflicts] == [
        (f"b.xlsx[{answers['source_sheet'].iloc[0]}]", FIRST + i, households[i], "answer_conflict")
        for i in (0, 1)
    ]
    assert "round 1 (dated 2021-03-01)" in update.conflicts[0].expected
    assert "nothing added" in update.conflicts[0].expected
    assert len(update.unchanged) == len(households) - 2
    assert log_path.read_bytes() == written
    # the same household twice in one round with different answers: neither is added
    twice = pd.concat([first.answers.iloc[[0]], first.answers.iloc[[0]]], ignore_index=True)
    twice.loc[1, "verification_date"] = pd.Timestamp(2021, 5, 1)
    update = append_results(log_path, twice, imported_at=APRIL)
    assert [p.code for p in update.conflicts] == ["answer_conflict"]
    assert "one answer per household in a round" in update.conflicts[0].expected
    assert update.added == ()


def test_answers_from_a_verification_file_and_statuses(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample, _sheets, _manifest = issued
    ids = list(sample.table["household_id"])
    table = pd.DataFrame(
        {
            "household_id": ids[:3],
            "status": ["not_found", "", "refused"],
            "eligible": ["", "yes", ""],
            "error_type": ["", "", ""],
            "correct_benefit": ["", "300", ""],
            "verifier": ["", "王核查", ""],
            "verification_date": ["", "2021-03-01", "2021-03-03"],
            "notes": ["", "", ""],
        }
    )
    path = tmp_path / "verification.csv"
    table.to_csv(path, index=False)
    answers = read_verification(path, sample=sample, with_source=True)
    log_path = tmp_path / "results_log.csv"
    update = append_results(log_path, answers, imported_at=MARCH)
    assert list(update.log["source_file"]) == ["verification.csv"] * 3
    assert list(update.log["source_sheet"].isna()) == [True] * 3
    assert sorted(update.log["source_row"]) == [2, 3, 4]
    assert list(current_results(update.log)["status"]) == ["not_found", "verified", "refused"]
    # a not-found household visited later: the dated answer supersedes the undated one
    visited = answers[list(VERIFICATION_COLUMNS)].iloc[[0]].copy()
    visited[["status", "eligible", "verifier"]] = ["verified", "yes", "李核查"]
    visited["verification_date"] = pd.Timestamp(2021, 4, 1)
    later = append_results(log_path, visited, imported_at=APRIL, source_file="second.csv")
    assert later.superseded == (ids[0],) and later.round == 2
    assert later.log["source_file"].iloc[-1] == "second.csv"
    assert current_results(later.log).set_index("household_id").loc[ids[0], "status"] == "verified"


def test_an_edited_log_is_refused(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sample, sheets, manifest = issued
    log_path = tmp_path / "results_log.csv"
    first = import_worksheets([_fill(sheets.files[0], tmp_path / "a.xlsx")], sample, manifest)
    append_results(log_path, first.answers, imported_at=MARCH)
    lines = log_path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",verified,yes,", ",verified,perhaps,")
    lines[3] = "0" + lines[3][1:]  # round 0
    lines.append(lines[4])  # the same answer again, not dated later
    log_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FieldworkError, match="results log") as caught:
        read_results_log(log_path)
    found = {(p.row, p.column, p.code) for p in caught.value.problems}
    assert {
        (3, "eligible", "bad_category"),
        (4, "round", "out_of_range"),
        (len(lines), "verification_date", "log_order"),
    } <= found
