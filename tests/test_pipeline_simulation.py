"""``auditlib simulate pipeline``: repeated draws of a county's plan through the real pipeline.

A small synthetic county (seed 8137, used nowhere else in tests/ or benchmarks/) is prepared
once; :func:`run_replicates` must give one row per replicate × estimand × domain × model with
the documented columns, every county estimand, the Fay–Herriot township rows, ordered limits
and identical results for identical seeds; :func:`true_values` must agree with the ground truth
computed here independently. The CLI is run as a subprocess on a county written to disk.

The county has 6 townships: with 5 the township model (intercept + 2 auxiliaries) has
m − p = 2 areas of freedom, adjusted REML has no finite maximum and no ``small_area`` row is
produced (documented by ``township_model``'s note), so 6 is the smallest that exercises it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditlib.pipeline.audit import risk_scorer
from auditlib.pipeline.params import params_from_mapping
from auditlib.pipeline.simulation import (
    ESTIMANDS,
    RESULT_COLUMNS,
    PipelineSimulation,
    prepare_simulation,
    run_replicates,
    true_values,
)
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county, write_practice_county
from auditlib.synth.output import SyntheticCounty

SEED = 8137
FIRST_SEED = 813_700
CONFIG = SynthConfig(households=3000, township_count=6, seed=SEED)
RISK = {"n_estimators": 20, "max_samples": 64}
AUDITLIB = [sys.executable, "-m", "auditlib"]


@pytest.fixture(scope="module")
def county() -> SyntheticCounty:
    return generate_county(CONFIG)


@pytest.fixture(scope="module")
def simulation(county: SyntheticCounty) -> PipelineSimulation:
    params = params_from_mapping(
        {
            "county_code": county.data.info.county_code,
            "data": "unused",
            "seed": 1,
            "risk": RISK,
            "estimation": {"lonely_psu": "adjust"},
        }
    )
    return prepare_simulation(
        params, county.data, county.truth, risk_scorer(params.risk), plan="notice-2021"
    )


@pytest.fixture(scope="module")
def results(simulation: PipelineSimulation) -> pd.DataFrame:
    return run_replicates(simulation, 5, FIRST_SEED)


def test_columns_and_replicates(results: pd.DataFrame) -> None:
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert sorted(results["replicate"].unique().tolist()) == [0, 1, 2, 3, 4]
    seeds = results.groupby("replicate")["seed"].unique()
    assert [list(s) for s in seeds] == [[FIRST_SEED + r] for r in range(5)]
    assert set(results["model"]) == {"direct", "small_area"}
    assert results["reliable"].map(type).eq(bool).all()
    # one row per replicate x domain x estimand x model
    key = ["replicate", "domain", "estimand", "model"]
    assert not results.duplicated(key).any()


def test_every_estimand_for_the_county(results: pd.DataFrame) -> None:
    county = results[results["domain"] == "county"]
    for replicate, part in county.groupby("replicate"):
        assert set(part["estimand"]) == set(ESTIMANDS), replicate
        assert (part["model"] == "direct").all()
        assert np.isfinite(part[["estimate", "lower", "upper"]].to_numpy(float)).all()


def test_township_rows(results: pd.DataFrame, county: SyntheticCounty) -> None:
    townships = set(county.data.households["township_code"].astype(str))
    direct = results[(results["domain"] != "county") & (results["model"] == "direct")]
    assert set(direct["domain"]) <= townships
    assert set(direct["estimand"]) <= set(ESTIMANDS)
    model = results[results["model"] == "small_area"]
    assert len(model) > 0
    assert set(model["estimand"]) == {"error_rate"}
    assert set(model["domain"]) <= townships
    assert "county" not in set(model["domain"])
    # one model row per sampled township per replicate
    for replicate, part in model.groupby("replicate"):
        sampled = set(direct.loc[direct["replicate"] == replicate, "domain"])
        assert set(part["domain"]) == sampled


def test_limits_are_ordered(results: pd.DataFrame) -> None:
    finite = results.dropna(subset=["estimate", "lower", "upper"])
    assert len(finite) >= 0.9 * len(results)
    scale = np.maximum(np.abs(finite["estimate"].to_numpy(float)), 1.0)
    lower, estimate, upper = (finite[c].to_numpy(float) for c in ("lower", "estimate", "upper"))
    assert np.all(lower <= estimate + 1e-9 * scale), finite[lower > estimate + 1e-9 * scale]
    assert np.all(estimate <= upper + 1e-9 * scale), finite[estimate > upper + 1e-9 * scale]
    # rates and yuan totals never below 0
    assert (lower >= 0).all()
    rates = finite["estimand"].str.endswith("rate").to_numpy()
    assert (upper[rates] <= 1 + 1e-12).all()


def test_same_seeds_same_table(simulation: PipelineSimulation, results: pd.DataFrame) -> None:
    again = run_replicates(simulation, 2, FIRST_SEED + 3)
    first = results[results["replicate"] >= 3].reset_index(drop=True)
    first = first.assign(replicate=first["replicate"] - 3)
    pd.testing.assert_frame_equal(again, first)


def test_true_error_rate_from_ground_truth(county: SyntheticCounty) -> None:
    households = county.data.households
    truth = county.truth.households
    eligible = dict(
        zip(truth["household_id"].astype(str), truth["eligible"].astype(bool), strict=True)
    )
    dibao = households.loc[households["programme"].astype(str) == "dibao", "household_id"]
    flags = np.array([not eligible[str(h)] for h in dibao])
    assert len(flags) > 0 and 0 < flags.mean() < 1
    values = true_values(county.data, county.truth)
    county_values = values[values["domain"] == "county"].set_index("estimand")["truth"]
    assert set(county_values.index) == set(ESTIMANDS)
    assert county_values["error_rate"] == pytest.approx(flags.mean(), rel=1e-12)
    # per township too
    township = dict(
        zip(
            households["household_id"].astype(str),
            households["township_code"].astype(str),
            strict=True,
        )
    )
    for code in sorted(set(township.values())):
        mine = [not eligible[str(h)] for h in dibao if township[str(h)] == code]
        got = values[(values["domain"] == code) & (values["estimand"] == "error_rate")]["truth"]
        if mine:
            assert float(got.iloc[0]) == pytest.approx(float(np.mean(mine)), rel=1e-12)


# ---------------------------------------------------------------------- CLI
@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("practice")
    params = write_practice_county(CONFIG, root, sample_seed=11, n_estimators=20, max_samples=64)
    with params.open("a", encoding="utf-8") as handle:
        handle.write("estimation: {lonely_psu: adjust}\n")
    return params


def _simulate(params: Path, out: Path, seed: int = FIRST_SEED) -> subprocess.CompletedProcess:
    command = [*AUDITLIB, "simulate", "pipeline", str(params), "--replicates", "3"]
    command += ["--first-seed", str(seed), "--out", str(out), "--quiet"]
    # the practice parameter file's default plan samples no non-recipients (no 漏保率)
    command += ["--plan", "notice-2021"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_cli_writes_replicates_and_refuses_to_overwrite(practice: Path, tmp_path: Path) -> None:
    out = tmp_path / "sim" / "out.csv"
    done = _simulate(practice, out)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out)
    assert list(table.columns) == list(RESULT_COLUMNS)
    assert sorted(table["replicate"].unique().tolist()) == [0, 1, 2]
    assert set(table.loc[table["domain"] == "county", "estimand"]) == set(ESTIMANDS)
    assert "coverage" in done.stdout
    written = out.read_bytes()
    again = _simulate(practice, out)
    assert again.returncode == 2
    message = again.stdout + again.stderr
    assert str(out) in message or out.name in message
    assert "Traceback" not in message
    assert out.read_bytes() == written


def test_cli_needs_a_ground_truth(practice: Path, tmp_path: Path) -> None:
    code = CONFIG.county_code
    data = tmp_path / "data" / code
    shutil.copytree(practice.parent.parent / "data" / code, data)
    shutil.rmtree(data / "ground_truth")
    params = tmp_path / "params" / f"{code}.yaml"
    params.parent.mkdir()
    params.write_text(practice.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out.csv"
    done = _simulate(params, out)
    assert done.returncode == 2, done.stdout + done.stderr
    message = done.stdout + done.stderr
    assert "Traceback" not in message
    assert "ground truth" in message or "ground_truth" in message
    assert not out.exists()
