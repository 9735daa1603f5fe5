"""Simulation: empirical selection frequencies over 2,000 seeds match the stated π.

For every household with 0 < π < 1 the number of draws (out of R = 2,000) that select it is
Binomial(R, π) under a correct design. Each household gets a two-sided exact binomial p-value;
the test fails if any p-value is below α/m (Bonferroni, α = 1e-3, m = households tested), so a
correct implementation fails by chance with probability at most 1/1,000. Keys are SHA-256 of
the seed, so the R draws are independent by construction (random-oracle model).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from auditlib.sampling.draw import draw_from_frame, selection
from auditlib.sampling.frame import build_frame
from auditlib.sampling.plan import resolve_plan
from tests.sampling_fixtures import make_county

REPLICATES = 2_000
ALPHA = 1e-3


def _frequencies(plan_fields: dict[str, object]) -> tuple[pd.Series, pd.Series]:
    data = make_county((3, 5, 11), households_per_village=9, seed=3)
    plan = resolve_plan(plan_fields)
    frame = build_frame(data, plan)
    counts: dict[str, int] = {}
    stated: dict[str, float] = {}
    # the fast path gives the same selection as the full table (checked on a few seeds)
    for seed in range(3):
        table = draw_from_frame(frame, plan, seed)
        households, probabilities = selection(frame, plan, seed)
        assert sorted(households) == sorted(table["household_id"])
    for seed in range(REPLICATES):
        households, probabilities = selection(frame, plan, seed)
        for household, probability in zip(households.tolist(), probabilities.tolist(), strict=True):
            counts[household] = counts.get(household, 0) + 1
            previous = stated.setdefault(household, probability)
            # π of a household must not depend on the draw
            assert previous == pytest.approx(probability, rel=1e-12)
    # households never selected must be in the frame with some π: collect from a full pass
    population = frame.table["household_id"]
    return (
        pd.Series(counts).reindex(population, fill_value=0),
        pd.Series(stated).reindex(population),
    )


def _check(counts: pd.Series, stated: pd.Series) -> None:
    if stated.isna().any():
        missing = stated[stated.isna()].index[:5].tolist()
        raise AssertionError(f"households never selected in {REPLICATES} draws: {missing}")
    random_part = (stated > 0) & (stated < 1)
    k = counts[random_part].to_numpy()
    p = stated[random_part].to_numpy()
    lower = stats.binom.cdf(k, REPLICATES, p)
    upper = stats.binom.sf(k - 1, REPLICATES, p)
    p_values = np.minimum(1.0, 2 * np.minimum(lower, upper))
    threshold = ALPHA / len(p_values)
    worst = int(np.argmin(p_values))
    assert p_values.min() >= threshold, (
        f"household {counts[random_part].index[worst]}: selected {k[worst]} times in "
        f"{REPLICATES}, stated π = {p[worst]:.4f} (p = {p_values[worst]:.2e} < {threshold:.1e})"
    )
    certain = stated == 1
    assert (counts[certain] == REPLICATES).all()


@pytest.mark.slow
@pytest.mark.parametrize("selection", ["srs", "pps"])
def test_selection_frequencies_match_inclusion_probabilities(selection: str) -> None:
    plan = {"preset": "notice-2021", "psu_selection": selection, "non_recipients_per_village": 2}
    counts, stated = _frequencies(plan)
    _check(counts, stated)


@pytest.mark.slow
def test_goodness_of_fit_detects_wrong_probabilities() -> None:
    # negative control: the same check must reject probabilities misstated by 15%
    counts, stated = _frequencies({"preset": "notice-2019"})
    with pytest.raises(AssertionError):
        _check(counts, (stated * 1.15).clip(upper=1.0))


@pytest.mark.slow
@pytest.mark.parametrize("selection_method", ["srs", "pps"])
def test_horvitz_thompson_totals_unbiased(selection_method: str) -> None:
    # Σ w·y over the sample estimates Σ y without bias. y = 1 for recipient households of the
    # two-stage part: the mean of 2,000 estimates must be within 4 Monte-Carlo standard errors
    # of the frame count (closed-form expectation of an HT estimator = the population total).
    data = make_county((3, 5, 11), households_per_village=9, seed=3)
    plan = resolve_plan({"preset": "notice-2021", "psu_selection": selection_method})
    frame = build_frame(data, plan)
    table = frame.table
    wanted = set(
        table.loc[table["recipient"] & table["stratum"].str.startswith("T:"), "household_id"]
    )
    estimates = np.empty(REPLICATES)
    for seed in range(REPLICATES):
        households, probabilities = selection(frame, plan, seed)
        mask = np.fromiter((h in wanted for h in households), dtype=bool, count=len(households))
        estimates[seed] = (1.0 / probabilities[mask]).sum()
    error = estimates.std(ddof=1) / np.sqrt(REPLICATES)
    assert abs(estimates.mean() - len(wanted)) < 4 * error
