"""The real two-phase audit, run through the command line exactly as a coordinator would.

The steps are README's "A real audit, step by step" (docs/workflow.md): phase 1, filled
worksheets put back where they were issued (some households not found or refusing, one workbook
re-saved by LibreOffice when it is installed), two import rounds with relative paths, an interim
report, a correction, the final report, and a re-extracted register. After every step, every file
written before it still exists with the same bytes, except the files that step is documented to
update (the results log grows by appending).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from auditlib.fieldwork.filling import fill_worksheet
from auditlib.fieldwork.layout import CODES_SHEET, HEADER_ROW, WORKSHEET_COLUMNS
from auditlib.synth.config import SynthConfig
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import generate_county, write_practice_county

CODE = "370725"
pytestmark = pytest.mark.slow


def _snapshot(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".ipynb_checkpoints" not in path.parts
    }


def _kept(before: dict[str, str], after: dict[str, str], updated: set[str] = frozenset()) -> None:
    """Every file of ``before`` is still there with the same bytes (but ``updated`` ones)."""
    lost = sorted(name for name in before if name not in after)
    changed = sorted(name for name in before if name in after and after[name] != before[name])
    assert lost == [], f"files deleted: {lost}"
    assert sorted(set(changed) - set(updated)) == [], f"files overwritten: {changed}"


def _auditlib(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "auditlib", *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        check=False,
    )


def _households_in(path: Path) -> list[str]:
    position = [c.key for c in WORKSHEET_COLUMNS].index("household_id") + 1
    book = load_workbook(path, read_only=True)
    found = [
        str(row[position - 1])
        for sheet in book.worksheets
        if sheet.title != CODES_SHEET
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
        if row and row[position - 1]
    ]
    book.close()
    return found


def _resave_with_libreoffice(path: Path, scratch: Path) -> bool:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        return False
    scratch.mkdir(exist_ok=True)
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{scratch / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(scratch),
            str(path),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    shutil.copyfile(scratch / path.name, path)
    return True


def test_a_real_audit_loses_nothing(tmp_path: Path) -> None:
    root = tmp_path / "project"
    config = SynthConfig(
        county_code=CODE,
        county="练习县",
        province="练习省",
        households=2_400,
        township_count=3,
        village_households=120,
        seed=3117,
        reference_date=date(2025, 6, 30),
    )
    params = write_practice_county(config, root, sample_seed=2718)
    relative_params = params.relative_to(root).as_posix()
    county = generate_county(config)

    # Phase 1: the sample record and the worksheets
    result = _auditlib(root, "sample", relative_params)
    assert result.returncode == 0, result.stderr
    issued = root / "restricted" / CODE / "worksheets"
    workbooks = sorted(issued.glob("*.xlsx"))
    assert len(workbooks) == 3
    sample = pd.read_csv(root / "audits" / CODE / "sample" / "sample.csv", dtype=str)
    truth = simulate_verification(
        county.data, county.truth, sample["household_id"].tolist(), seed=5
    )
    households = sorted(sample["household_id"])
    statuses = {households[3]: "not_found", households[11]: "refused", households[20]: "moved"}
    after_phase_one = _snapshot(root)
    result = _auditlib(root, "sample", relative_params)
    assert result.returncode == 0 and "nothing rewritten" in result.stdout, result.stdout
    _kept(after_phase_one, _snapshot(root))

    # Field teams return two of the three workbooks; they are put back where they were issued
    returned, late = workbooks[:2], workbooks[2]
    for path in returned:
        assert fill_worksheet(path, truth, statuses) > 0
    resaved = _resave_with_libreoffice(returned[0], tmp_path / "office")
    returned_snapshot = _snapshot(root)
    # Re-running phase 1 now must keep the filled workbooks
    result = _auditlib(root, "sample", relative_params)
    assert result.returncode == 0 and "kept as they are" in result.stdout, result.stdout
    _kept(returned_snapshot, _snapshot(root))

    # Import, round 1 (relative paths, from the project folder)
    names = [path.relative_to(root).as_posix() for path in returned]
    result = _auditlib(root, "fieldwork", "import", relative_params, *names)
    assert result.returncode == 0, result.stderr
    assert "pending" in result.stderr and f"{late.name}" in result.stderr
    log = root / "audits" / CODE / "results" / "results_log.csv"
    after_round_one = _snapshot(root)
    _kept(returned_snapshot, after_round_one)

    # A final report now refuses, listing the pending households by file, sheet and row
    result = _auditlib(root, "report", relative_params, "--no-pdf")
    assert result.returncode == 2, result.stderr
    assert late.name in result.stderr and "row" in result.stderr
    assert "Traceback" not in result.stderr
    _kept(after_round_one, _snapshot(root))

    # Interim report
    result = _auditlib(root, "report", relative_params, "--interim", "--no-pdf")
    assert result.returncode == 0, result.stderr
    report = root / "reports" / CODE
    assert (report / "report-interim.html").is_file() and not (report / "report.html").exists()
    assert "中期" in (report / "report-interim.html").read_text(encoding="utf-8")
    # Its own log, one record per notebook cell (what the progress bar showed)
    logs = sorted((root / "reports" / "logs").glob(f"{CODE}-*.log"))
    assert logs and "notebook cell 1 of" in logs[-1].read_text(encoding="utf-8")
    interim_estimates = json.loads((report / "estimates-interim.json").read_text("utf-8"))
    assert interim_estimates["estimates"]["response_rate"] < 1
    after_interim = _snapshot(root)
    _kept(after_round_one, after_interim)

    # The late workbook comes back; one earlier answer is corrected with a later date, in a
    # copy of the workbook it was first returned in
    fill_worksheet(late, truth, statuses)
    first_round = [h for h in _households_in(returned[-1]) if h not in statuses]
    corrected = truth.copy()
    target = corrected.index[corrected["household_id"] == first_round[0]][0]
    corrected.loc[target, "verification_date"] += timedelta(days=3)
    corrected.loc[target, "verifier"] = "复核员"
    correction = tmp_path / "correction.xlsx"
    shutil.copyfile(returned[-1], correction)
    fill_worksheet(correction, corrected, statuses)
    before_round_two = _snapshot(root)
    log_before = log.read_bytes()
    result = _auditlib(
        root,
        "fieldwork",
        "import",
        relative_params,
        late.relative_to(root).as_posix(),
        str(correction),
    )
    assert result.returncode == 0, result.stderr
    assert "1 correction(s)" in result.stderr, result.stderr
    assert log.read_bytes().startswith(log_before), "the log is append-only"
    _kept(before_round_two, _snapshot(root), {log.relative_to(root).as_posix()})

    # Final report: every household answered (three did not respond)
    result = _auditlib(root, "report", relative_params, "--no-pdf")
    assert result.returncode == 0, result.stderr
    final = json.loads((report / "estimates.json").read_text(encoding="utf-8"))["estimates"]
    assert 0.9 < final["response_rate"] < 1
    assert final["error_rate_lower_bound"] <= final["error_rate_estimate"]
    assert final["error_rate_estimate"] <= final["error_rate_upper_bound"]
    after_final = _snapshot(root)
    _kept(before_round_two, after_final, {log.relative_to(root).as_posix()})
    assert (report / "report-interim.html").is_file(), "the interim report is kept"

    # The register is re-extracted with one changed value: phase 2 stops and names it
    data_file = root / "data" / CODE / "households.csv"
    lines = data_file.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[7].rstrip("\n").split(",")
    position = header.index("housing_area")
    cells[position] = str(float(cells[position]) + 2.0)
    lines[7] = ",".join(cells) + "\n"
    data_file.write_text("".join(lines), encoding="utf-8")
    changed = _snapshot(root)
    result = _auditlib(root, "report", relative_params, "--no-pdf")
    assert result.returncode == 2, result.stderr
    assert "households.csv" in result.stderr and "housing_area" in result.stderr
    _kept(changed, _snapshot(root))
    result = _auditlib(root, "report", relative_params, "--no-pdf", "--from-recorded-sample")
    assert result.returncode == 0, result.stderr
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "households.csv" in html, "the report says it rests on changed data"
    assert (report / "superseded-1" / "report.html").is_file(), "the previous report is kept"
    _kept(changed, _snapshot(root), {f"reports/{CODE}/{name}" for name in _outputs(after_final)})
    assert resaved or shutil.which("libreoffice") is None


def _outputs(snapshot: dict[str, str]) -> list[str]:
    prefix = f"reports/{CODE}/"
    names = [name[len(prefix) :] for name in snapshot if name.startswith(prefix)]
    return [name for name in names if "/" not in name]
