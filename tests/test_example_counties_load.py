"""The generator's output satisfies the data contract: it loads clean through the validator."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from auditlib.cli.main import cli
from auditlib.data.loading import load_county
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.output import write_county


def test_generated_county_loads_clean_with_same_tables(tmp_path: Path) -> None:
    synthetic = generate_county(SynthConfig(households=3_000, seed=7, township_count=4))
    write_county(synthetic, tmp_path)
    loaded = load_county(tmp_path)
    assert loaded.problems.empty, loaded.problems.head(20).to_string()
    assert loaded.rejected.empty
    generated = synthetic.data
    for name in ("households", "members", "payments"):
        left, right = getattr(generated, name), getattr(loaded, name)
        assert list(left.columns) == list(right.columns)
        assert len(left) == len(right)
        # the written and re-read values agree (floats to the cent)
        pd.testing.assert_frame_equal(
            left.reset_index(drop=True), right, check_dtype=False, atol=0.005
        )
    assert set(loaded.registries) == set(generated.registries)


def test_example_county_validates_clean_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["synth", "examples", "--out", str(tmp_path), "--only", "530621"])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(cli, ["validate", str(tmp_path / "530621")])
    assert checked.exit_code == 0, checked.output
    assert "clean" in checked.output and "鲁甸县" in checked.output
