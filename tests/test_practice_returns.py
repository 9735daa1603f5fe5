"""``auditlib fieldwork simulate``: simulated field returns for training, imported as real ones.

A small generated county (seed 6071, used only here) is sampled; the simulated returns are
checked against the answers ``--verification simulate`` gives, the issued worksheets stay
untouched, a second run refuses to overwrite, and a county without ground truth is refused.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from auditlib.cli.common import EXIT_BAD_INPUT, EXIT_OK, run_guarded
from auditlib.cli.main import cli
from auditlib.data.loading import load_county
from auditlib.fieldwork.results import current_results, read_results_log
from auditlib.pipeline.params import load_params
from auditlib.pipeline.record import read_recorded_sample
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.synth.config import SynthConfig
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import write_practice_county
from auditlib.synth.output import read_ground_truth


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("returns")
    config = SynthConfig(
        county_code="420684",
        households=900,
        township_count=2,
        seed=6071,
        reference_date=date(2025, 3, 31),
    )
    params = write_practice_county(config, root, sample_seed=37)
    places = ["--workspace", str(root / "audits"), "--restricted", str(root / "restricted")]
    assert run_guarded(cli, ["sample", str(params), *places]) == EXIT_OK
    return root, params, places


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_simulated_returns_import_as_the_simulated_verification(drawn) -> None:  # type: ignore[no-untyped-def]
    root, params_file, places = drawn
    issued = root / "restricted" / "420684" / "worksheets"
    before = _digests(issued)
    out = root / "round1"
    command = ["fieldwork", "simulate", str(params_file), *places, "--out", str(out)]
    assert run_guarded(cli, [*command, "--answered", "0.6"]) == EXIT_OK
    assert _digests(issued) == before  # the issued worksheets are not touched
    files = sorted(str(path) for path in out.glob("*.xlsx"))
    assert (
        files and run_guarded(cli, ["fieldwork", "import", str(params_file), *files, *places]) == 0
    )

    params = load_params(params_file)
    workspace = CountyWorkspace(
        "420684", audit_root=root / "audits", restricted_root=root / "restricted"
    )
    imported = current_results(read_results_log(workspace.results_log)).set_index("household_id")
    sampled = read_recorded_sample(workspace).table["household_id"].astype(str)
    assert 0 < len(imported) < len(sampled)  # --answered 0.6 leaves some blank
    expected = simulate_verification(
        load_county(params.data),
        read_ground_truth(params.data),
        list(imported.index),
        seed=params.seed,
    ).set_index("household_id")
    for column in ("eligible", "error_type", "payment_anomaly"):
        got = imported[column].astype("string").reindex(expected.index)
        pd.testing.assert_series_equal(got, expected[column].astype("string"), check_names=False)
    benefit = pd.to_numeric(imported["correct_benefit"]).reindex(expected.index)
    assert (
        benefit.fillna(-1).round(2).tolist()
        == expected["correct_benefit"].fillna(-1).round(2).tolist()
    )

    # the same call again refuses and writes nothing; another folder gets the same answers
    written = _digests(out)
    assert run_guarded(cli, [*command, "--answered", "0.6"]) == EXIT_BAD_INPUT
    assert _digests(out) == written
    again = root / "round1-again"
    assert run_guarded(cli, [*command[:-1], str(again), "--answered", "0.6"]) == EXIT_OK
    assert {name: _answers(again / name) for name in written} == {
        name: _answers(out / name) for name in written
    }


def _answers(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return [tuple(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def test_a_county_without_ground_truth_is_refused(
    drawn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    root, params_file, places = drawn
    copy = tmp_path / "data"
    shutil.copytree(root / "data" / "420684", copy, ignore=shutil.ignore_patterns("ground_truth"))
    text = params_file.read_text(encoding="utf-8")
    moved = tmp_path / "params.yaml"
    moved.write_text(re.sub(r"^data:.*$", f"data: {copy.as_posix()}", text, flags=re.M), "utf-8")
    assert load_params(moved).data != load_params(params_file).data
    code = run_guarded(
        cli, ["fieldwork", "simulate", str(moved), *places, "--out", str(tmp_path / "r")]
    )
    assert code == EXIT_BAD_INPUT
    assert "no ground_truth/ folder" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
