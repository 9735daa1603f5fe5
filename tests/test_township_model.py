"""The report's township model (auditlib.estimation.township_model): arcsine-scale Fay–Herriot
with fallback auxiliaries and additive benchmarking to the county estimate."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from auditlib.estimation.results import Estimate
from auditlib.estimation.township_model import MODEL_COLUMNS, county_design_effect, township_model


def _direct(rate: float, variance: float, n: int) -> Estimate:
    return Estimate(
        statistic="proportion",
        variable="ineligible",
        domain=None,
        estimate=rate,
        standard_error=float(np.sqrt(variance)),
        lower=0.0,
        upper=1.0,
        upper_one_sided=1.0,
        level=0.95,
        method="korn-graubard",
        degrees_of_freedom=2,
        n=n,
        effective_n=float(n),
        design_effect=1.0,
        reliable=False,
    )


def _inputs(m: int, seed: int = 7) -> tuple[dict[str, Estimate], dict[str, float], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rates = np.clip(rng.normal(0.08, 0.05, m), 0.0, 0.4)
    rates[0] = 0.0  # a township where nothing was found (design variance 0)
    n = rng.integers(12, 40, m)
    codes = [f"T{k:02d}" for k in range(m)]
    direct = {
        code: _direct(float(r), 0.0 if r == 0 else float(r * (1 - r) / k * 1.4), int(k))
        for code, r, k in zip(codes, rates, n, strict=True)
    }
    auxiliaries = pd.DataFrame(
        {
            "township_code": codes,
            "recipients": rng.integers(150, 500, m).astype(float),
            "rule_share": rng.uniform(0.05, 0.3, m),
            "mean_risk": rng.uniform(0.3, 0.7, m),
        }
    )
    return direct, dict(zip(codes, n.astype(float), strict=True)), auxiliaries


def test_benchmarked_bounded_and_positive_where_nothing_was_found() -> None:
    direct, sizes, auxiliaries = _inputs(10)
    frame, notes = township_model(direct, sizes, auxiliaries, 0.075)
    assert list(frame.columns) == list(MODEL_COLUMNS)
    weights = auxiliaries["recipients"].to_numpy() / auxiliaries["recipients"].sum()
    assert float(weights @ frame["estimate"].to_numpy()) == pytest.approx(0.075, abs=1e-12)
    assert (frame["lower"] <= frame["estimate"] + 1e-12).all()
    assert (frame["estimate"] <= frame["upper"] + 1e-12).all()
    assert frame[["lower", "upper"]].stack().between(0, 1).all()
    assert frame["sampling_variance"].gt(0).all()  # also for the township with nothing found
    assert frame.loc[0, "upper"] > 0
    assert any("arcsine" in note for note in notes)
    assert (frame["upper"] - frame["lower"]).max() < 0.6  # far narrower than direct ones


def test_too_few_townships_drop_auxiliaries_then_give_up() -> None:
    direct, sizes, auxiliaries = _inputs(5)
    frame, notes = township_model(direct, sizes, auxiliaries, 0.08)
    assert len(frame) == 5
    assert any("rule_share" in note and "mean_risk" not in note for note in notes)
    three = {code: direct[code] for code in list(direct)[:3]}
    empty, why = township_model(three, sizes, auxiliaries, 0.08)
    assert empty.empty and "not fitted" in why[0]


def test_area_order_does_not_matter() -> None:
    direct, sizes, auxiliaries = _inputs(9)
    first, _ = township_model(direct, sizes, auxiliaries, 0.07)
    reordered = dict(reversed(list(direct.items())))
    second, _ = township_model(reordered, sizes, auxiliaries.iloc[::-1], 0.07)
    pd.testing.assert_frame_equal(first, second)


def _with_degrees(direct: dict[str, Estimate], degrees: int) -> dict[str, Estimate]:
    return {code: replace(item, degrees_of_freedom=degrees) for code, item in direct.items()}


def test_quantile_is_student_t_on_the_townships_degrees_of_freedom() -> None:
    """Interval on the arcsine scale θ̂ ± t_ν·u, ν = Σ township df: with county variance 0 the
    width is sin 2θ̂ · sin(2 t_ν u) and the MSE column sin²2θ̂ · u² (delta method), so u from
    one run predicts the width of another run that differs only in ν."""
    direct, sizes, auxiliaries = _inputs(8, seed=11)
    few, _ = township_model(_with_degrees(direct, 1), sizes, auxiliaries, 0.075)
    many, _ = township_model(_with_degrees(direct, 40), sizes, auxiliaries, 0.075)
    pd.testing.assert_series_equal(few["estimate"], many["estimate"])
    inside = (few["lower"] > 0) & (few["upper"] < 1)
    assert inside.sum() >= 2
    quantiles = {nu: stats.t.ppf(0.975, nu) for nu in (8, 320)}
    for row in inside[inside].index:
        width_many = many.loc[row, "upper"] - many.loc[row, "lower"]
        root_mse = np.sqrt(many.loc[row, "mse"])
        ratio = width_many / root_mse
        u = optimize.brentq(lambda s, r=ratio: np.sin(2 * quantiles[320] * s) / s - r, 1e-9, 0.7)
        predicted = root_mse / u * np.sin(2 * quantiles[8] * u)
        assert few.loc[row, "upper"] - few.loc[row, "lower"] == pytest.approx(predicted, rel=1e-9)


def test_county_design_effect_floors_the_pooled_one() -> None:
    assert county_design_effect(0.1, 0.0004, 500) == pytest.approx(0.0004 * 500 / 0.09)
    assert county_design_effect(0.0, 0.0004, 500) == 1.0
    assert county_design_effect(0.1, 0.0, 500) == 1.0
    direct, sizes, auxiliaries = _inputs(8, seed=11)
    pooled, _ = township_model(direct, sizes, auxiliaries, 0.075)
    total = sum(sizes.values())
    # A county variance whose design effect is 3 (above the pooled 1.4): D = 3/(4n).
    variance = 3.0 * 0.075 * 0.925 / total
    floored, _ = township_model(direct, sizes, auxiliaries, 0.075, county_variance=variance)
    expected = 3.0 / (4 * np.maximum(np.array([sizes[c] for c in sorted(sizes)]), 1.0))
    np.testing.assert_allclose(floored["sampling_variance"], expected, rtol=1e-12)
    assert (floored["sampling_variance"] > pooled["sampling_variance"]).all()
