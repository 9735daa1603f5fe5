"""Coverage simulation: the vectorised estimator equals SurveyDesign; the grid runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from auditlib import ParamsError, SurveyDesign
from auditlib.estimation.intervals import CI_METHODS
from auditlib.evaluation.coverage import (
    draw_replicates,
    plan_for,
    replicate_estimates,
    simulate_coverage,
    synthetic_county,
)


def test_plans() -> None:
    # 30 -> 3 strata x 2 villages, 75 -> 5 x 3, 150 -> 10 x 3 (module docstring).
    assert plan_for(30).villages_per_stratum.tolist() == [2, 2, 2]
    assert plan_for(75).villages_per_stratum.tolist() == [3] * 5
    assert plan_for(150).villages_per_stratum.tolist() == [3] * 10
    assert plan_for(150).degrees_of_freedom == 20
    with pytest.raises(ParamsError, match="multiple of 5"):
        plan_for(31)


def test_vectorised_estimates_equal_survey_design() -> None:
    county = synthetic_county(0.1, 0.15, seed=4)
    plan = plan_for(75)
    samples = draw_replicates(county, plan, 3, np.random.default_rng(9))
    estimate, variance = replicate_estimates(county, plan, samples)
    stratum_of_village = plan.stratum_of_township[county.township]
    for replicate in range(3):
        rows = []
        for h, villages in enumerate(samples.villages):
            for position, village in enumerate(villages[replicate]):
                errors = int(samples.errors[h][replicate, position])
                for j in range(plan.households_per_village):
                    rows.append(
                        {
                            "stratum": h,
                            "village": int(village),
                            "household": f"{village}-{j}",
                            "N1": int((stratum_of_village == h).sum()),
                            "N2": int(county.households[village]),
                            "y": int(j < errors),
                        }
                    )
        design = SurveyDesign(
            pd.DataFrame(rows),
            strata="stratum",
            psu="village",
            ssu="household",
            psu_population="N1",
            ssu_population="N2",
        )
        result = design.proportion("y")
        assert estimate[replicate] == pytest.approx(result.estimate, rel=1e-12)
        assert variance[replicate] == pytest.approx(result.variance, rel=1e-10, abs=1e-18)


def test_coverage_grid_small() -> None:
    table = simulate_coverage(
        rates=(0.02, 0.10), sample_sizes=(30, 150), iccs=(0.1,), replicates=400
    )
    assert len(table) == 2 * 2 * len(CI_METHODS)
    assert table["coverage"].between(0, 1).all()
    default = table[table["method"] == "korn-graubard"]
    # Korn-Graubard is conservative on this design (docs/estimation.md: >= 96% with 10,000
    # replicates); with 400 replicates the Monte Carlo SE is about 1 point.
    assert default["coverage"].min() >= 0.92
    # The logit interval is [0, 0] on zero-error samples, so it misses the truth whenever
    # no error is found (the share of zero-error samples bounds its coverage).
    logit = table[
        (table["method"] == "logit") & (table["rate"] == 0.02) & (table["sample_size"] == 30)
    ]
    assert logit["coverage"].iloc[0] <= 1 - logit["zero_error_share"].iloc[0] + 1e-12


def test_simulate_command() -> None:
    from auditlib.cli.simulate import simulate

    result = CliRunner().invoke(
        simulate, ["--replicates", "50", "--rates", "0.05", "--sizes", "30", "--iccs", "0.1"]
    )
    assert result.exit_code == 0, result.output
    assert "korn-graubard" in result.output
    assert "minimum coverage" in result.output
