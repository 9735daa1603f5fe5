"""The county workspace and phase 1: recorded once, never replaced, nothing deleted."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from auditlib.data.loading import load_county
from auditlib.errors import DataError, DesignError, ParamsError
from auditlib.pipeline.params import load_params
from auditlib.pipeline.phases import phase_one
from auditlib.pipeline.record import data_changes, recorded_frame, refuse_changed_data
from auditlib.pipeline.workspace import SAMPLE_SIDECAR, CountyWorkspace
from auditlib.report.folder import output_name, place_outputs
from auditlib.sampling.sample import SIDECAR_FILE
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import write_practice_county


def _tree(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below ``folder``, by relative path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("county")
    config = SynthConfig(
        county_code="410223",
        households=1_500,
        township_count=3,
        seed=917,
        reference_date=date(2025, 9, 30),
    )
    return write_practice_county(config, root, sample_seed=4242)


def _workspace(root: Path) -> CountyWorkspace:
    return CountyWorkspace(
        "410223",
        audit_root=root / "audits",
        restricted_root=root / "restricted",
        report_root=root / "reports",
    )


def test_phase_one_records_once_and_is_idempotent(county: Path, tmp_path: Path) -> None:
    params = load_params(county)
    data = load_county(params.data)
    workspace = _workspace(tmp_path)
    first = phase_one(params, workspace, data)
    assert first.recorded_now
    assert first.worksheets is not None and first.worksheets.action == "issued"
    names = {path.name for path in workspace.sample_dir.iterdir()}
    assert names == {"sample.csv", "sample.json", "frame.csv", "data_fingerprint.json"}
    assert len(recorded_frame(workspace)) > len(first.sample.table)
    before = _tree(tmp_path)
    again = phase_one(params, workspace, data)
    assert not again.recorded_now and again.record_files == ()
    assert again.worksheets is not None and again.worksheets.action == "kept"
    assert _tree(tmp_path) == before, "a second phase 1 on the same inputs writes nothing"


def test_a_different_sample_is_refused_not_replaced(county: Path, tmp_path: Path) -> None:
    params = load_params(county)
    data = load_county(params.data)
    workspace = _workspace(tmp_path)
    phase_one(params, workspace, data)
    before = _tree(tmp_path)
    other = county.with_name("other.yaml")
    other.write_text(county.read_text(encoding="utf-8").replace("seed: 4242", "seed: 4243"))
    with pytest.raises(DesignError, match="never replaces a recorded sample"):
        phase_one(load_params(other), workspace, data)
    assert _tree(tmp_path) == before


def test_answers_typed_into_issued_worksheets_are_never_overwritten(
    county: Path, tmp_path: Path
) -> None:
    params = load_params(county)
    data = load_county(params.data)
    workspace = _workspace(tmp_path)
    issued = phase_one(params, workspace, data).worksheets
    assert issued is not None
    # a coordinator puts a filled workbook back where it was issued
    filled = issued.folder / issued.files[0]
    content = b"PK-not-really-a-workbook-but-someone's-answers"
    filled.write_bytes(content)
    result = phase_one(params, workspace, data)
    assert result.worksheets is not None and result.worksheets.action == "kept"
    assert filled.read_bytes() == content
    # a missing file is written again, identical to the first issue; the others are kept
    missing = issued.folder / issued.files[-1]
    first_bytes = missing.read_bytes()
    missing.unlink()
    completed = phase_one(params, workspace, data).worksheets
    assert completed is not None and completed.action == "completed"
    assert completed.written == (issued.files[-1],)
    assert missing.read_bytes() == first_bytes
    assert filled.read_bytes() == content


def test_worksheets_of_another_sample_are_kept_and_a_new_set_issued(
    county: Path, tmp_path: Path
) -> None:
    params = load_params(county)
    data = load_county(params.data)
    workspace = _workspace(tmp_path)
    phase_one(params, workspace, data)
    before = _tree(workspace.worksheets_dir)
    # another sample of the same county, recorded in another workspace, same restricted folder
    other = county.with_name("other.yaml")
    other.write_text(county.read_text(encoding="utf-8").replace("seed: 4242", "seed: 77"))
    second = CountyWorkspace(
        "410223",
        audit_root=tmp_path / "audits-2",
        restricted_root=tmp_path / "restricted",
        report_root=tmp_path / "reports",
    )
    result = phase_one(load_params(other), second, data)
    assert result.worksheets is not None and result.worksheets.action == "reissued"
    assert result.worksheets.folder == workspace.restricted_dir / "worksheets-2"
    assert "kept as they are" in result.worksheets.describe()
    assert _tree(workspace.worksheets_dir) == before


def test_changed_data_is_named(county: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    config = SynthConfig(
        county_code="410223",
        households=1_200,
        township_count=3,
        seed=918,
        reference_date=date(2025, 9, 30),
    )
    params_file = write_practice_county(config, root, sample_seed=5)
    params = load_params(params_file)
    data = load_county(params.data)
    workspace = _workspace(tmp_path)
    phase_one(params, workspace, data, worksheets=False)
    assert data_changes(workspace, data) == []
    households = Path(params.data) / "households.csv"
    lines = households.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].split(",")
    column = header.index("declared_income") if "declared_income" in header else len(header) - 1
    cells = lines[5].rstrip("\n").split(",")
    cells[column] = "12345" if cells[column] != "12345" else "54321"
    lines[5] = ",".join(cells) + "\n"
    households.write_text("".join(lines), encoding="utf-8")
    changes = data_changes(workspace, load_county(params.data))
    assert [change.file for change in changes] == ["households.csv"]
    assert "values changed in column(s)" in changes[0].detail
    assert "in file rows 2-" in changes[0].detail
    with pytest.raises(DataError, match=r"households\.csv.*--from-recorded-sample") as caught:
        refuse_changed_data(changes, data)
    assert caught.value.problems[0].code == "data_changed"


def test_restricted_inside_the_reports_is_refused(tmp_path: Path) -> None:
    inside = CountyWorkspace(
        "410223",
        audit_root=tmp_path / "audits",
        restricted_root=tmp_path / "reports" / "restricted",
        report_root=tmp_path / "reports",
    )
    with pytest.raises(ParamsError, match="outside the reports folder"):
        inside.check()
    same = CountyWorkspace("410223", restricted_root=tmp_path / "r", report_root=tmp_path / "r")
    with pytest.raises(ParamsError):
        same.check()
    nested = CountyWorkspace(
        "410223",
        audit_root=tmp_path / "reports",
        restricted_root=tmp_path / "restricted",
        report_root=tmp_path / "reports",
    )
    with pytest.raises(ParamsError, match="outside the report folder"):
        nested.check()


def test_placing_a_report_keeps_foreign_files_and_the_previous_report(tmp_path: Path) -> None:
    destination = tmp_path / "reports" / "410223"
    destination.mkdir(parents=True)
    (destination / "notes-by-the-auditor.docx").write_bytes(b"mine")
    (destination / "sample").mkdir()
    (destination / "sample" / "sample.csv").write_text("household_id\n1\n")

    def run(text: str) -> Path | None:
        work = tmp_path / f"work-{text}"
        work.mkdir(exist_ok=True)
        (work / "report.html").write_text(text)
        (work / "manifest.json").write_text("{}")
        return place_outputs(work, destination, ["report.html"], "manifest.json")

    assert run("first") is None
    assert run("first") is None, "identical outputs: nothing to keep"
    kept = run("second")
    assert kept == destination / "superseded-1"
    assert (kept / "report.html").read_text() == "first"
    assert (destination / "report.html").read_text() == "second"
    assert (destination / "notes-by-the-auditor.docx").read_bytes() == b"mine"
    assert (destination / "sample" / "sample.csv").is_file()


def test_the_workspace_names_the_sidecar_the_sampling_stage_writes() -> None:
    # pipeline.workspace stays light (the report runner imports it before its kernel starts)
    assert SAMPLE_SIDECAR == SIDECAR_FILE


def test_interim_file_names() -> None:
    assert output_name("report.html", interim=True) == "report-interim.html"
    assert output_name("statistics_form.xlsx", interim=True) == "statistics_form-interim.xlsx"
    assert output_name("manifest.json") == "manifest.json"


def test_a_bad_verification_file_is_refused_before_the_report_starts(
    county: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditlib.cli.common import run_guarded
    from auditlib.cli.main import cli

    params = load_params(county)
    data = load_county(params.data)
    workspace = _workspace(tmp_path)
    sample = phase_one(params, workspace, data, worksheets=False).sample
    household = str(sample.table["household_id"].iloc[0])
    bad = tmp_path / "results.csv"
    bad.write_text(
        "household_id,status,eligible,error_type,correct_benefit,verifier,verification_date,notes\n"
        f"{household},verified,yes,,-5,张三,2099-01-01,\n",
        encoding="utf-8",
    )
    code = run_guarded(
        cli,
        [
            "report",
            str(county),
            "--verification",
            str(bad),
            "--workspace",
            str(workspace.audit_root),
            "--restricted",
            str(workspace.restricted_root),
            "--out",
            str(workspace.report_root),
        ],
    )
    printed = capsys.readouterr()
    assert code == 2
    text = printed.out + printed.err
    assert "correct_benefit" in text and "-5" in text
    assert "2099-01-01" in text
    assert "Traceback" not in text
    assert not workspace.report_dir.exists() or not any(workspace.report_dir.iterdir())
