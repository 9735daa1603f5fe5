"""``auditlib verify`` checks what is published (issue 14, point 5).

One small synthetic county is reported once for the module (about 5 s); most checks run with
``rerun=False`` / ``--no-rerun`` on copies of its folder (the published files, the manifest, the
parameters and the inputs are checked before any re-run). Two tests re-run the report from a
copy of the report folder, its parameter file and its data at another path, as a third party
would, with the original paths gone.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from auditlib.cli.common import run_guarded
from auditlib.cli.main import cli
from auditlib.errors import ReportError
from auditlib.report.manifest import check_manifest, relative_locations
from auditlib.report.manifest_compare import Difference
from auditlib.report.produce import ReportResult, produce_report
from auditlib.report.verify import compare_parameters, verify_report
from tests import contract_fixtures as fx
from tests.test_report_pipeline import COUNTY_CODE, make_county

PARAMS_NAME = f"{COUNTY_CODE}.yaml"


@pytest.fixture(scope="module", autouse=True)
def fixed_code_fingerprint() -> Iterator[None]:
    """The digests of auditlib's own modules, taken once: a module edited while these tests
    run (a developer's work in progress) must not count as a changed input here; a changed
    module's effect is tested by :func:`test_changed_code_is_an_input_difference`."""
    from auditlib.report import manifest

    digests = manifest.code_fingerprint()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest, "code_fingerprint", lambda: dict(digests))
        yield


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    root = tmp_path_factory.mktemp("verify-original")
    params = make_county(root, households=2000)
    return produce_report(
        params, root / "reports", restricted_root=root / "restricted", verification="simulate"
    )


def copy_report(report: ReportResult, destination: Path) -> Path:
    """Copy the report folder, the parameter file and the data, keeping their layout."""
    root = report.folder.parent.parent
    for name in ("params", "data"):
        shutil.copytree(root / name, destination / name)
    shutil.copytree(report.folder, destination / "reports" / COUNTY_CODE)
    return destination / "reports" / COUNTY_CODE


def edit_manifest(folder: Path, change: Any) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


@contextmanager
def original_gone(report: ReportResult) -> Iterator[None]:
    """Move the original county folder away (its absolute paths, its workspace vanish)."""
    root = report.folder.parent.parent
    away = root.with_name(root.name + "-away")
    root.rename(away)
    try:
        yield
    finally:
        away.rename(root)


def test_manifest_records_paths_relative_to_the_report_folder(report: ReportResult) -> None:
    manifest = json.loads((report.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["relative_paths"] == {
        "params_file": f"../../params/{PARAMS_NAME}",
        "data": f"../../data/{COUNTY_CODE}",
    }
    assert Path(manifest["params_file"]).is_absolute(), "the absolute path is kept too"


def test_relative_locations_by_hand(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "430522"
    located = relative_locations(folder, tmp_path / "p" / "x.yaml", tmp_path / "data" / "430522")
    assert located == {"params_file": "../../p/x.yaml", "data": "../../data/430522"}


def test_untouched_copy_passes_without_rerun(
    report: ReportResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_report(report, tmp_path)
    assert run_guarded(cli, ["verify", str(folder), "--no-rerun"]) == 0
    out = capsys.readouterr().out
    assert "published files match the manifest" in out and "not re-run" in out
    result = verify_report(folder, rerun=False)
    assert result.params_file == (tmp_path / "params" / PARAMS_NAME).resolve()
    assert result.data_folder == (tmp_path / "data" / COUNTY_CODE).resolve()
    assert result.identical and result.outputs == ()


def test_tampered_output_differs_from_its_manifest(
    report: ReportResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_report(report, tmp_path)
    html = folder / "report.html"
    html.write_text(html.read_text(encoding="utf-8").replace("</body>", "<p>x</p></body>"))
    (folder / "estimates.json").unlink()
    result = verify_report(folder, rerun=False)
    assert result.published == (
        Difference("published", "estimates.json", "missing from the report folder"),
        Difference("published", "report.html", "differs from its manifest"),
    )
    assert not result.identical
    assert run_guarded(cli, ["verify", str(folder), "--no-rerun"]) == 1
    out = capsys.readouterr().out
    assert "report.html: differs from its manifest" in out
    assert "NOT identical (2 difference(s) listed above)" in out


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("county_code", None),
        ("params_file", None),
        ("parameters", None),
        ("seed", None),
        ("options", None),
        ("inputs", None),
        ("outputs", None),
        ("estimates", None),
        ("inputs", ["not", "a", "mapping"]),
        ("outputs", {}),
        ("outputs", "report.html"),
        ("parameters", 3),
        ("seed", "12"),
        ("notebook_content", []),
    ],
)
def test_manifest_missing_or_malformed_part_is_refused(
    report: ReportResult, tmp_path: Path, part: str, value: Any
) -> None:
    folder = tmp_path / "report"
    shutil.copytree(report.folder, folder)

    def change(manifest: dict[str, Any]) -> None:
        if value is None:
            del manifest[part]
        else:
            manifest[part] = value

    edit_manifest(folder, change)
    with pytest.raises(ReportError, match="incomplete or damaged") as caught:
        verify_report(folder, rerun=False)
    assert [problem.column for problem in caught.value.problems] == [part]
    assert part in caught.value.message


def test_manifest_without_an_input_part_or_format_is_refused_by_the_cli(
    report: ReportResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "report"
    shutil.copytree(report.folder, folder)
    edit_manifest(folder, lambda manifest: manifest["inputs"].pop("data"))
    assert run_guarded(cli, ["verify", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "'inputs.data'" in err and "Traceback" not in err
    edit_manifest(folder, lambda manifest: manifest.pop("format"))
    assert run_guarded(cli, ["verify", str(folder)]) == 2
    assert "unknown manifest format" in capsys.readouterr().err


def test_check_manifest_lists_every_bad_part(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as caught:
        check_manifest({"format": 1, "seed": True, "inputs": {}}, tmp_path / "manifest.json")
    columns = [problem.column for problem in caught.value.problems]
    assert columns == [
        "county_code",
        "params_file",
        "parameters",
        "seed",  # a boolean is not an integer
        "options",
        "outputs",
        "estimates",
        "inputs.params",
        "inputs.data",
        "inputs.notebooks",
    ]


def test_changed_seed_or_parameter_in_the_manifest_is_a_difference(
    report: ReportResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_report(report, tmp_path)

    def change(manifest: dict[str, Any]) -> None:
        manifest["seed"] += 1
        manifest["parameters"]["risk"]["n_estimators"] += 1

    edit_manifest(folder, change)
    result = verify_report(folder, rerun=False)
    assert [(item.name, item.kind) for item in result.parameters] == [
        ("seed", "parameter"),
        ("parameters.risk.n_estimators", "parameter"),
    ]
    assert result.parameters[0].detail == "the manifest records 8, the parameter file has 7"
    assert run_guarded(cli, ["verify", str(folder), "--no-rerun"]) == 1
    assert "seed: the manifest records 8, the parameter file has 7" in capsys.readouterr().out


def test_compare_parameters_ignores_the_data_path() -> None:
    recorded = {"county_code": "430522", "data": "/a/data", "seed": 1, "risk": {"tiers": [1]}}
    manifest = {"seed": 1, "county_code": "430522", "parameters": recorded}
    current = recorded | {"data": "/elsewhere/data"}
    assert compare_parameters(manifest, current) == []
    current = recorded | {"risk": {"tiers": [2]}}
    assert compare_parameters(manifest, current) == [
        Difference(
            "parameter", "parameters.risk.tiers", "[1] in the manifest, [2] in the parameter file"
        )
    ]


def test_changed_input_exits_1(
    report: ReportResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_report(report, tmp_path)
    path = tmp_path / "data" / COUNTY_CODE / "households.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run_guarded(cli, ["verify", str(folder), "--no-rerun"]) == 1
    out = capsys.readouterr().out
    assert "Inputs changed since the report was made:" in out and "households.csv" in out


def test_changed_code_is_an_input_difference(
    report: ReportResult, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditlib.report import manifest

    digests = manifest.code_fingerprint() | {"report/verify.py": "0" * 64}
    monkeypatch.setattr(manifest, "code_fingerprint", lambda: digests)
    assert run_guarded(cli, ["verify", str(report.folder), "--no-rerun"]) == 1
    assert "code auditlib: source changed: report/verify.py" in capsys.readouterr().out


def test_missing_parameter_file_or_data_is_exit_2_naming_the_option(
    report: ReportResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "elsewhere" / COUNTY_CODE
    shutil.copytree(report.folder, folder)
    shutil.copytree(report.folder.parent.parent / "params", tmp_path / "mine")
    with original_gone(report):
        assert run_guarded(cli, ["verify", str(folder)]) == 2
        assert "--params FILE" in capsys.readouterr().err
        params = tmp_path / "mine" / PARAMS_NAME
        assert run_guarded(cli, ["verify", str(folder), "--params", str(params)]) == 2
        assert "--data DIR" in capsys.readouterr().err


@pytest.mark.slow
def test_third_party_copy_with_the_same_layout_is_identical(
    report: ReportResult, tmp_path: Path
) -> None:
    folder = copy_report(report, tmp_path / "evaluator")
    with original_gone(report):
        result = verify_report(folder)
    assert result.identical, [item.describe() for item in result.differences]
    assert result.params_file == (tmp_path / "evaluator" / "params" / PARAMS_NAME).resolve()
    assert [item.detail for item in result.outputs] == ["identical"] * 5


@pytest.mark.slow
def test_third_party_copy_elsewhere_with_params_and_data_is_identical(
    report: ReportResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = report.folder.parent.parent
    folder = tmp_path / "received" / "report"
    shutil.copytree(report.folder, folder)
    shutil.copy(root / "params" / PARAMS_NAME, tmp_path / PARAMS_NAME)
    shutil.copytree(root / "data" / COUNTY_CODE, tmp_path / "county-data")
    arguments = ["--params", str(tmp_path / PARAMS_NAME), "--data", str(tmp_path / "county-data")]
    with original_gone(report):
        code = run_guarded(cli, ["verify", str(folder), *arguments])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "identical (published files match the manifest" in out
    assert f"data folder: {(tmp_path / 'county-data').resolve()}" in out


def test_validate_writes_the_problems_csv_when_fatal(tmp_path: Path) -> None:
    import pandas as pd

    county = fx.write_county(tmp_path / "county")
    (county / "payments.csv").write_bytes(b"")
    csv = tmp_path / "problems.csv"
    assert run_guarded(cli, ["validate", str(county), "--problems-csv", str(csv)]) == 2
    problems = pd.read_csv(csv)
    assert list(problems.columns) == [
        "file",
        "row",
        "column",
        "value",
        "expected",
        "severity",
        "code",
    ]
    assert "payments.csv" in set(problems["file"]) and "error" in set(problems["severity"])
