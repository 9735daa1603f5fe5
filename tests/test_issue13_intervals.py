"""Issue 13: intervals that do not count certainty units as information.

Closed-form checks of Kish's weighted size and the Korn–Graubard cap
(:mod:`auditlib.estimation.intervals`), the certainty split
(:mod:`auditlib.estimation.certainty`), Satterthwaite degrees of freedom over variance groups
(:mod:`auditlib.estimation.degrees`), share intervals of ratios
(:mod:`auditlib.estimation.shares`) and the NCHS presentation flags on an estimator's output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from scipy import special

from auditlib.estimation.certainty import CertaintySplit, certainty_split, split_interval
from auditlib.estimation.degrees import satterthwaite_degrees_of_freedom
from auditlib.estimation.design import SurveyDesign
from auditlib.estimation.intervals import kish_size, proportion_interval

LEVELS = np.array([0.95, 0.90])


# ---------------------------------------------------------------------- helpers
def _hand_design(
    y_villages: list[list[int]] | None = None,
    y_new: list[int] | None = None,
    y_certain: list[int] | None = None,
    x_villages: list[list[float]] | None = None,
    *,
    df_method: str = "design",
) -> SurveyDesign:
    """Two township strata of villages (``T:a``: 3 of 10 villages, 4 of 20 households each;
    ``T:b``: 3 of 12 villages, 4 of 25 households each), a household stratum ``N:new`` (10 of
    50 households) and a certainty stratum ``C:rel`` (4 of 4 households, weight 1)."""
    y_villages = y_villages or [[0, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]] * 2
    y_new = y_new if y_new is not None else [0] * 10
    y_certain = y_certain if y_certain is not None else [1, 0, 0, 0]
    rows: list[dict[str, object]] = []
    for v, values in enumerate(y_villages):
        township = "a" if v < 3 else "b"
        villages, households = (10, 20) if township == "a" else (12, 25)
        for h, value in enumerate(values):
            rows.append(
                {
                    "stratum": f"T:{township}",
                    "psu": f"v{v}",
                    "hh": f"v{v}h{h}",
                    "psu_population": villages,
                    "ssu_population": households,
                    "weight": villages / 3 * households / 4,
                    "y": value,
                    "x": 100.0 + 10 * h + v if x_villages is None else x_villages[v][h],
                    "group": "T",
                }
            )
    for h, value in enumerate(y_new):
        rows.append(
            {
                "stratum": "N:new",
                "psu": f"n{h}",
                "hh": f"n{h}",
                "psu_population": 50,
                "ssu_population": 1,
                "weight": 5.0,
                "y": value,
                "x": 120.0 + h,
                "group": "N",
            }
        )
    for h, value in enumerate(y_certain):
        rows.append(
            {
                "stratum": "C:rel",
                "psu": f"c{h}",
                "hh": f"c{h}",
                "psu_population": len(y_certain),
                "ssu_population": 1,
                "weight": 1.0,
                "y": value,
                "x": 150.0 + h,
                "group": "C",
            }
        )
    frame = pd.DataFrame(rows)
    frame["improper"] = frame["x"] * frame["y"]
    return SurveyDesign(
        frame,
        strata="stratum",
        psu="psu",
        ssu="hh",
        weights="weight",
        psu_population="psu_population",
        ssu_population="ssu_population",
        df_method=df_method,
        variance_groups="group",
    )


# ---------------------------------------------------------------------- Kish's size
@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ([1.0, 1.0, 1.0, 1.0], 4.0),
        ([5.0] * 7, 7.0),
        ([30.0] * 10 + [1.0] * 10, 310.0**2 / (10 * 900.0 + 10 * 1.0)),
        ([2.0, 1.0], 9.0 / 5.0),
        ([3.0, 0.0, -1.0], 1.0),  # rows with weight <= 0 are outside the domain
        ([], 0.0),
        ([0.0, 0.0], 0.0),
    ],
)
def test_kish_size_examples(weights: list[float], expected: float) -> None:
    assert kish_size(weights) == pytest.approx(expected, rel=1e-12)


def test_kish_size_counts_certainty_units_by_their_weight() -> None:
    # 10 households of weight 30 plus 10 certainty households: about 10.67, not 20
    assert kish_size([30.0] * 10 + [1.0] * 10) == pytest.approx(10.6659267, rel=1e-7)
    assert kish_size([30.0] * 10 + [1.0] * 10) < 11


@pytest.mark.parametrize("p", [0.0, 0.02, 0.1, 0.35, 0.5, 0.97, 1.0])
@pytest.mark.parametrize("variance", [0.0, 1e-4, 4e-3])
def test_korn_graubard_with_cap_at_n_is_the_nchs_interval(p: float, variance: float) -> None:
    n, df = 60, 11
    default = proportion_interval(p, variance, n, df, method="korn-graubard", cap_size=n)
    nchs = proportion_interval(p, variance, n, df, method="korn-graubard-nchs")
    np.testing.assert_allclose(default, nchs, rtol=1e-14, atol=0)
    # the NCHS method ignores cap_size
    ignored = proportion_interval(p, variance, n, df, method="korn-graubard-nchs", cap_size=5)
    np.testing.assert_allclose(ignored, nchs, rtol=1e-14, atol=0)


def test_korn_graubard_smaller_cap_widens_the_interval() -> None:
    p, v, n, df = 0.1, 1e-4, 60, 11  # uncapped effective size 900: the cap binds
    lower_n, upper_n = proportion_interval(p, v, n, df, cap_size=n)
    lower_k, upper_k = proportion_interval(p, v, n, df, cap_size=20.0)
    assert lower_k < lower_n < p < upper_n < upper_k


def test_korn_graubard_closed_form_with_cap() -> None:
    # effective size p(1-p)/v = 900 capped at 20, times (t_{19}/t_{11})^2; exact beta limits
    p, v, df, cap = 0.1, 1e-4, 11, 20.0
    ratio = special.stdtrit(cap - 1, 0.025) / special.stdtrit(df, 0.025)
    size = cap * ratio**2
    x = size * p
    lower_expected = special.betaincinv(x, size - x + 1, 0.025)
    upper_expected = special.betaincinv(x + 1, size - x, 0.975)
    lower, upper = proportion_interval(p, v, 60, df, cap_size=cap, method="korn-graubard")
    assert float(lower) == pytest.approx(lower_expected, rel=1e-12)
    assert float(upper) == pytest.approx(upper_expected, rel=1e-12)


# ---------------------------------------------------------------------- certainty split
def test_split_all_certain_is_exact() -> None:
    split = CertaintySplit(exact=np.array([0.25]), scale=0.0, kish=0.0, exact_cv=0.0)
    lowers, uppers, effective = split_interval(
        np.array([0.25]), np.array([0.0]), 10, split, method="korn-graubard", levels=LEVELS
    )
    np.testing.assert_array_equal(lowers, [[0.25], [0.25]])
    np.testing.assert_array_equal(uppers, [[0.25], [0.25]])
    assert np.isinf(effective).all()


def test_domain_of_certainty_rows_only_is_exact() -> None:
    design = _hand_design(y_certain=[1, 0, 1, 0])
    certain = design.data["stratum"].eq("C:rel").to_numpy()
    assert np.array_equal(design.certain_rows, certain)
    result = design.subset(certain).proportion("y")
    assert result.estimate == pytest.approx(0.5, rel=1e-15)
    assert result.standard_error == pytest.approx(0.0, abs=1e-15)
    # no sampled household in the domain and an exact domain size: no margin at all
    assert result.lower == pytest.approx(0.5, rel=1e-12)
    assert result.upper == pytest.approx(0.5, rel=1e-12)
    assert result.upper_one_sided == pytest.approx(0.5, rel=1e-12)


def test_split_interval_closed_form_with_cv_margin() -> None:
    # c + a·[L_R, U_R] ± t·c·cv(N̂)
    c, a, kish, cv, df = 0.04, 0.8, 25.0, 0.05, 9
    part, part_variance = 0.05, 0.0009
    p = c + a * part
    split = CertaintySplit(exact=np.array([c]), scale=a, kish=kish, exact_cv=cv)
    lowers, uppers, effective = split_interval(
        np.array([p]),
        np.array([part_variance * a**2]),
        df,
        split,
        method="korn-graubard",
        levels=LEVELS,
    )
    for row, level in enumerate(LEVELS):
        lower_r, upper_r = proportion_interval(
            part, part_variance, kish, df, level=level, cap_size=kish, method="korn-graubard"
        )
        t = special.stdtrit(df, 1 - (1 - level) / 2)
        margin = t * c * cv  # combined in quadrature with a·(p̂_R − L_R) (MOVER)
        below = np.hypot(a * (part - float(lower_r)), margin)
        above = np.hypot(a * (float(upper_r) - part), margin)
        assert lowers[row, 0] == pytest.approx(p - below, rel=1e-10)
        assert uppers[row, 0] == pytest.approx(p + above, rel=1e-10)
    assert effective[0] == pytest.approx(min(part * (1 - part) / part_variance, kish), rel=1e-12)


def test_split_with_only_certain_errors_keeps_a_cv_margin() -> None:
    # all the estimate is exact (c = p, no sampled error) but N̂ is estimated: [p,p] ± margin
    c, a, cv, df = 0.03, 0.97, 0.04, 12
    split = CertaintySplit(exact=np.array([c]), scale=a, kish=40.0, exact_cv=cv)
    lowers, uppers, _ = split_interval(
        np.array([c]), np.array([0.0]), df, split, method="korn-graubard", levels=LEVELS
    )
    t = special.stdtrit(df, 0.975)
    assert lowers[0, 0] == pytest.approx(c - t * c * cv, rel=1e-12)  # L_R = 0 at p_R = 0
    upper_r = float(
        proportion_interval(0.0, 0.0, 40.0, df, cap_size=40.0, method="korn-graubard")[1]
    )
    assert uppers[0, 0] == pytest.approx(c + np.hypot(a * upper_r, t * c * cv), rel=1e-12)


def test_certainty_split_parts() -> None:
    weight = np.array([10.0, 10.0, 20.0, 1.0, 1.0, 0.0])
    certain = np.array([False, False, False, True, True, False])
    y = np.array([[1.0], [0.0], [0.0], [1.0], [0.0], [1.0]])
    split = certainty_split(weight, y, np.ones(6), certain, denominator_variance=16.0)
    total = 42.0
    assert split.exact[0] == pytest.approx(1.0 / total)
    assert split.scale == pytest.approx(40.0 / total)
    assert split.kish == pytest.approx(kish_size([10.0, 10.0, 20.0]))
    assert split.exact_cv == pytest.approx(4.0 / total)


def test_no_certainty_rows_split_equals_kish_capped_interval() -> None:
    design = _hand_design(y_certain=[])  # no C: rows at all
    frame = design.data
    design = SurveyDesign(
        frame[frame["stratum"] != "C:rel"].reset_index(drop=True),
        strata="stratum",
        psu="psu",
        ssu="hh",
        weights="weight",
        psu_population="psu_population",
        ssu_population="ssu_population",
    )
    assert not design.certain_rows.any()
    for domain in (None, "T:a", "T:b"):
        sub = design if domain is None else design.subset(design.data["stratum"].eq(domain))
        result = sub.proportion("y")
        lower, upper = proportion_interval(
            result.estimate,
            result.variance,
            result.n,
            result.degrees_of_freedom,
            cap_size=kish_size(sub.weight),
        )
        assert result.lower == pytest.approx(float(lower), rel=1e-10)
        assert result.upper == pytest.approx(float(upper), rel=1e-10)
        one_sided = proportion_interval(
            result.estimate,
            result.variance,
            result.n,
            result.degrees_of_freedom,
            level=0.90,
            cap_size=kish_size(sub.weight),
        )[1]
        assert result.upper_one_sided == pytest.approx(float(one_sided), rel=1e-10)


def test_certainty_rows_hold_all_errors() -> None:
    design = _hand_design(y_villages=[[0, 0, 0, 0]] * 6, y_new=[0] * 10, y_certain=[1, 1, 1, 0])
    result = design.proportion("y")
    assert result.estimate > 0
    assert result.lower <= result.estimate <= result.upper
    assert result.lower > 0
    assert result.upper_one_sided <= result.upper
    # the NCHS form treats certainty rows as sampled ones: a different interval
    nchs = design.proportion("y", method="korn-graubard-nchs")
    assert nchs.estimate == pytest.approx(result.estimate, rel=1e-15)


# ---------------------------------------------------------------------- Satterthwaite
def test_satterthwaite_equal_variances_sum_of_df() -> None:
    value = satterthwaite_degrees_of_freedom(
        np.array([2.0, 2.0, 2.0]), np.array([4.0, 6.0, 8.0]), np.ones(3)
    )
    assert value == pytest.approx(9.0 / (1 / 4 + 1 / 6 + 1 / 8), rel=1e-12)
    assert satterthwaite_degrees_of_freedom(
        np.array([1.0, 1.0]), np.array([10.0, 10.0]), np.ones(2)
    ) == pytest.approx(20.0)


def test_satterthwaite_one_group_dominating() -> None:
    value = satterthwaite_degrees_of_freedom(
        np.array([1.0, 1e-9]), np.array([5.0, 200.0]), np.ones(2)
    )
    assert value == pytest.approx(5.0, rel=1e-6)


def test_satterthwaite_zero_variance_uses_largest_group() -> None:
    value = satterthwaite_degrees_of_freedom(
        np.zeros(3), np.array([5.0, 30.0, 0.0]), np.array([800.0, 50.0, 5000.0])
    )
    # the group of size 5000 has no usable df; of the usable ones the largest is 800
    assert value == 5.0


def test_satterthwaite_no_usable_group() -> None:
    assert (
        satterthwaite_degrees_of_freedom(
            np.array([1.0, 2.0]), np.array([0.0, -1.0]), np.array([10.0, 20.0])
        )
        == 1.0
    )
    # never below 1
    assert satterthwaite_degrees_of_freedom(np.array([1.0]), np.array([0.5]), np.ones(1)) == 1.0


def test_variance_degrees_of_freedom_from_villages_when_households_do_not_vary() -> None:
    # y is 0 for every N: household (equal weights): that stratum adds no variance
    design = _hand_design(df_method="variance")
    result = design.proportion("y", method="korn-graubard")
    assert result.standard_error > 0
    villages, village_strata = 6, 2
    assert result.degrees_of_freedom == villages - village_strata
    assert result.method == "korn-graubard"
    # R's #PSU − #strata counts every household PSU and the certainty stratum
    r_df = (6 + 10 + 4) - 4
    assert design.degrees_of_freedom() == r_df
    r_design = _hand_design(df_method="design")
    assert r_design.degrees_of_freedom() == r_df
    assert r_design.proportion("y").degrees_of_freedom == r_df
    # the estimate and its variance do not depend on the degrees of freedom rule
    assert r_design.proportion("y").estimate == pytest.approx(result.estimate, rel=1e-15)
    assert r_design.proportion("y").standard_error == pytest.approx(
        result.standard_error, rel=1e-12
    )


def test_variance_degrees_of_freedom_between_groups_when_households_vary() -> None:
    design = _hand_design(y_new=[1, 0, 0, 1, 0, 0, 0, 1, 0, 0], df_method="variance")
    df = design.proportion("y").degrees_of_freedom
    # Satterthwaite of the village group (4) and the household group (9): within [4, 13]
    assert 4 <= df <= 13


# ---------------------------------------------------------------------- shares
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flags=st.lists(st.booleans(), min_size=24, max_size=24),
    certain=st.lists(st.booleans(), min_size=4, max_size=4),
    amounts=st.lists(
        st.floats(min_value=50.0, max_value=5000.0, allow_nan=False), min_size=24, max_size=24
    ),
)
def test_share_interval_never_below_zero(
    flags: list[bool], certain: list[bool], amounts: list[float]
) -> None:
    y_villages = [[int(f) for f in flags[4 * v : 4 * v + 4]] for v in range(6)]
    x_villages = [amounts[4 * v : 4 * v + 4] for v in range(6)]
    design = _hand_design(
        y_villages=y_villages, y_certain=[int(c) for c in certain], x_villages=x_villages
    )
    share = design.ratio("improper", "x", method="korn-graubard")
    assert 0.0 <= share.lower <= share.estimate <= share.upper <= 1.0
    assert share.upper_one_sided <= share.upper + 1e-12
    assert share.method == "korn-graubard"
    symmetric = design.ratio("improper", "x", method="t")
    assert symmetric.estimate == pytest.approx(share.estimate, rel=1e-15)
    assert symmetric.standard_error == pytest.approx(share.standard_error, rel=1e-12)


@pytest.mark.parametrize("df_method", ["design", "variance"])
def test_ratio_t_is_symmetric(df_method: str) -> None:
    design = _hand_design(df_method=df_method)
    result = design.ratio("improper", "x", method="t")
    x = design.data["x"].to_numpy()
    improper = design.data["improper"].to_numpy()
    w = design.weight
    assert result.estimate == pytest.approx((w * improper).sum() / (w * x).sum(), rel=1e-12)
    t = special.stdtrit(result.degrees_of_freedom, 0.975)
    assert result.lower == pytest.approx(result.estimate - t * result.standard_error, rel=1e-12)
    assert result.upper == pytest.approx(result.estimate + t * result.standard_error, rel=1e-12)
    t90 = special.stdtrit(result.degrees_of_freedom, 0.95)
    assert result.upper_one_sided == pytest.approx(
        result.estimate + t90 * result.standard_error, rel=1e-12
    )
    assert result.method == "t"


# ---------------------------------------------------------------------- NCHS presentation
def test_small_effective_size_is_unreliable() -> None:
    frame = pd.DataFrame(
        {
            "stratum": ["a"] * 10 + ["b"] * 10,
            "psu": [f"v{i // 5}" for i in range(20)],
            "hh": [f"h{i}" for i in range(20)],
            "psu_population": [8] * 20,
            "ssu_population": [30] * 20,
            "y": [1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0],
        }
    )
    design = SurveyDesign(
        frame,
        strata="stratum",
        psu="psu",
        ssu="hh",
        psu_population="psu_population",
        ssu_population="ssu_population",
    )
    result = design.proportion("y")
    assert result.effective_n < 30
    assert result.reliable is False
    assert "effective_n<30" in result.presentation.split(";")
    assert not math.isnan(result.lower)
