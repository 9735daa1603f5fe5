"""SurveyDesign: validation errors, closed forms and invariants.

Expected numbers are closed forms or hand calculations, noted at each assertion; the
agreement with R survey is in tests/test_design_r.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from auditlib import DesignError, SurveyDesign


def _two_stage_frame() -> pd.DataFrame:
    rows = []
    for stratum, villages in (("T:1", 10), ("T:2", 6)):
        for v in range(2):
            for j in range(3):
                rows.append(
                    {
                        "stratum": stratum,
                        "psu": f"{stratum}-{v}",
                        "household": f"{stratum}-{v}-{j}",
                        "N1": villages,
                        "N2": 20,
                        "y": int((v + j) % 3 == 0),
                    }
                )
    return pd.DataFrame(rows)


def _design(frame: pd.DataFrame, **options: object) -> SurveyDesign:
    arguments: dict[str, object] = {
        "strata": "stratum",
        "psu": "psu",
        "ssu": "household",
        "psu_population": "N1",
        "ssu_population": "N2",
    }
    arguments.update(options)
    return SurveyDesign(frame, **arguments)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- errors
def test_lonely_psu_fail_names_the_stratum() -> None:
    frame = _two_stage_frame()
    frame = frame[frame["psu"] != "T:2-1"]
    with pytest.raises(DesignError, match=r"stratum 'T:2' has only one sampled unit"):
        _design(frame)


def test_lonely_second_stage_names_the_psu() -> None:
    frame = _two_stage_frame()
    frame = frame[~frame["household"].isin(["T:1-0-1", "T:1-0-2"])]
    with pytest.raises(DesignError, match=r"PSU 'T:1-0'.*second stage"):
        _design(frame)


def test_certainty_stratum_with_one_psu_is_not_lonely() -> None:
    frame = _two_stage_frame()
    extra = pd.DataFrame(
        [{"stratum": "C:relative", "psu": "h1", "household": "h1", "N1": 1, "N2": 1, "y": 1}]
    )
    design = _design(pd.concat([frame, extra], ignore_index=True))
    # The certainty household adds nothing to the variance: same SE of the total as without
    # it (hand reasoning: stage-1 f = 0 and stage-2 f = 0 for that stratum).
    assert design.total("y").standard_error == pytest.approx(
        _design(frame).total("y").standard_error
    )


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan])
def test_weights_must_be_positive_and_present(bad: float) -> None:
    frame = _two_stage_frame().assign(weight=10.0)
    frame.loc[3, "weight"] = bad
    with pytest.raises(DesignError, match="weights column 'weight'"):
        SurveyDesign(frame, strata="stratum", psu="psu", weights="weight")


def test_population_smaller_than_sample() -> None:
    frame = _two_stage_frame()
    frame.loc[frame["stratum"] == "T:2", "N1"] = 1
    with pytest.raises(
        DesignError, match=r"smaller than the number of PSUs sampled in stratum 'T:2'"
    ):
        _design(frame)
    frame = _two_stage_frame()
    frame.loc[frame["psu"] == "T:1-0", "N2"] = 2
    with pytest.raises(DesignError, match=r"SSUs sampled in PSU 'T:1-0'"):
        _design(frame)


def test_psu_in_two_strata() -> None:
    frame = _two_stage_frame()
    frame.loc[0, "stratum"] = "T:2"
    with pytest.raises(DesignError, match=r"PSU 'T:1-0'.*more than one stratum"):
        _design(frame)


def test_population_count_must_be_constant_within_stratum() -> None:
    frame = _two_stage_frame()
    frame.loc[0, "N1"] = 11
    with pytest.raises(DesignError, match="constant within each stratum"):
        _design(frame)


def test_first_stage_fpc_alone_is_refused() -> None:
    with pytest.raises(DesignError, match="drops the second-stage"):
        _design(_two_stage_frame(), ssu_population=None)


def test_proportion_needs_zero_one() -> None:
    frame = _two_stage_frame()
    frame.loc[4, "y"] = 2
    with pytest.raises(DesignError, match=r"0/1 variable; 'y' has 2\.0 at data row 6"):
        _design(frame).proportion("y")


def test_empty_domain() -> None:
    design = _design(_two_stage_frame())
    with pytest.raises(DesignError, match="domain is empty"):
        design.subset(np.zeros(len(design.data), dtype=bool))


def test_other_bad_arguments() -> None:
    frame = _two_stage_frame()
    with pytest.raises(DesignError, match="lonely_psu must be one of"):
        _design(frame, lonely_psu="average")
    with pytest.raises(DesignError, match="column 'village' is not in the data"):
        _design(frame, psu="village")
    frame.loc[2, "psu"] = None
    with pytest.raises(DesignError, match="missing value"):
        _design(frame)
    with pytest.raises(DesignError, match="give weights="):
        SurveyDesign(_two_stage_frame(), strata="stratum", psu="psu")


# ---------------------------------------------------------------------- closed forms
def test_simple_random_sample_closed_form() -> None:
    # One stratum, one stage, n = 8 of N = 40: var(mean) = (1 - n/N) s^2 / n.
    y = np.array([1, 0, 0, 1, 1, 0, 0, 0], dtype=float)
    frame = pd.DataFrame({"unit": range(8), "N": 40, "y": y})
    design = SurveyDesign(frame, psu="unit", psu_population="N")
    estimate = design.mean("y")
    expected = (1 - 8 / 40) * y.var(ddof=1) / 8
    assert estimate.estimate == pytest.approx(3 / 8)
    assert estimate.variance == pytest.approx(expected, rel=1e-12)
    assert estimate.degrees_of_freedom == 7
    # Design effect of SRS without replacement is 1 (R's deff definition).
    assert estimate.design_effect == pytest.approx(1.0, rel=1e-12)
    total = design.total("y")
    assert total.estimate == pytest.approx(40 * 3 / 8)
    assert total.variance == pytest.approx(40**2 * expected, rel=1e-12)


def test_ultimate_cluster_closed_form() -> None:
    # One stratum, PSU totals t_i of w*y: var = n/(n-1) * sum (t_i - mean t)^2.
    frame = pd.DataFrame(
        {"psu": [1, 1, 2, 2, 3], "w": [2.0, 2.0, 4.0, 4.0, 3.0], "y": [1.0, 3.0, 0.0, 2.0, 5.0]}
    )
    design = SurveyDesign(frame, psu="psu", weights="w")
    totals = np.array([2 + 6, 0 + 8, 15], dtype=float)
    expected = 3 / 2 * ((totals - totals.mean()) ** 2).sum()
    assert design.total("y").variance == pytest.approx(expected, rel=1e-12)
    assert design.variance_method == "ultimate cluster with replacement"


def test_two_stage_closed_form_single_stratum() -> None:
    # Hand formula (Cochran 11.24 in R's form): N1^2 (1-f1) s_b^2/n1 + (N1/n1) sum_i
    # M_i^2 (1-f2) s_i^2/m_i for the total, with PSU totals estimated as M_i * mean_i.
    y = {"a": [1.0, 0.0, 1.0], "b": [0.0, 0.0, 1.0], "c": [1.0, 1.0, 1.0]}
    rows = [
        {"psu": p, "hh": f"{p}{j}", "N1": 9, "N2": 12, "y": v}
        for p in y
        for j, v in enumerate(y[p])
    ]
    design = SurveyDesign(
        pd.DataFrame(rows), psu="psu", ssu="hh", psu_population="N1", ssu_population="N2"
    )
    n1, big_n1, m, big_m = 3, 9, 3, 12
    psu_totals = np.array([big_m * np.mean(v) for v in y.values()])
    between = big_n1**2 * (1 - n1 / big_n1) * psu_totals.var(ddof=1) / n1
    within = (
        big_n1 / n1 * sum(big_m**2 * (1 - m / big_m) * np.var(v, ddof=1) / m for v in y.values())
    )
    assert design.total("y").estimate == pytest.approx(big_n1 / n1 * psu_totals.sum())
    assert design.total("y").variance == pytest.approx(between + within, rel=1e-12)


def test_zero_errors_closed_forms() -> None:
    # p = 0 in a one-stage SRS of n = 30, df = 29: t_{n-1}/t_df = 1, so the Korn-Graubard
    # and Clopper-Pearson upper limits are 1 - (alpha/2)^(1/n); Wilson z^2/(n+z^2);
    # logit and Wald degenerate to [0, 0].
    frame = pd.DataFrame({"unit": range(30), "N": 3000, "y": 0})
    design = SurveyDesign(frame, psu="unit", psu_population="N")
    kg = design.proportion("y", method="korn-graubard")
    assert (kg.lower, kg.upper) == (0.0, pytest.approx(1 - 0.025 ** (1 / 30), rel=1e-10))
    assert kg.upper_one_sided == pytest.approx(1 - 0.05 ** (1 / 30), rel=1e-10)
    assert kg.effective_n == 30
    cp = design.proportion("y", method="clopper-pearson")
    assert cp.upper == pytest.approx(1 - 0.025 ** (1 / 30), rel=1e-10)
    z = 1.959963984540054
    assert design.proportion("y", method="wilson").upper == pytest.approx(z**2 / (30 + z**2))
    for method in ("logit", "wald"):
        result = design.proportion("y", method=method)
        assert (result.lower, result.upper) == (0.0, 0.0)


def test_zero_errors_in_a_clustered_design_uses_df() -> None:
    # p = 0, df = 4 - 2 = 2. NCHS: n = 12, n_df = 12 (t_11/t_2)^2, upper = 1 - 0.025^(1/n_df).
    # Default: the same with Kish's size (6 weights of 100/3 and 6 of 20) in place of n.
    from scipy import stats

    frame = _two_stage_frame().assign(y=0)
    design = _design(frame)
    nchs = design.proportion("y", method="korn-graubard-nchs")
    n_df = 12 * (stats.t.ppf(0.025, 11) / stats.t.ppf(0.025, 2)) ** 2
    assert nchs.degrees_of_freedom == 2
    assert nchs.upper == pytest.approx(1 - 0.025 ** (1 / n_df), rel=1e-10)
    assert not nchs.reliable  # df < 8
    kish = (6 * 100 / 3 + 6 * 20) ** 2 / (6 * (100 / 3) ** 2 + 6 * 20**2)
    k_df = kish * (stats.t.ppf(0.025, kish - 1) / stats.t.ppf(0.025, 2)) ** 2
    estimate = design.proportion("y", method="korn-graubard")
    assert estimate.effective_n == pytest.approx(kish, rel=1e-12)
    assert estimate.upper == pytest.approx(1 - 0.025 ** (1 / k_df), rel=1e-10)
    assert estimate.upper > nchs.upper


def test_korn_graubard_caps_effective_n() -> None:
    # A design effect below 1 would give n_eff > n; the NCHS form caps it at n, so the
    # interval equals the one at deff = 1 (checked with the same p and variance p(1-p)/n).
    from auditlib.estimation.intervals import proportion_interval

    capped = proportion_interval(0.2, 0.2 * 0.8 / 100 / 3, 50, 20)
    at_n = proportion_interval(0.2, 0.2 * 0.8 / 50, 50, 20)
    assert [float(x) for x in capped] == pytest.approx([float(x) for x in at_n], rel=1e-12)


def test_domain_mean_equals_ratio() -> None:
    # Domain mean = ratio of totals of y*d and d, with the same linearised SE
    # (the survey package's own cross-check).
    frame = _two_stage_frame()
    frame["d"] = (np.arange(len(frame)) % 2).astype(float)
    design = _design(frame)
    domain = design.subset(frame["d"].to_numpy() == 1).mean("y")
    ratio = design.ratio(frame["y"] * frame["d"], frame["d"])
    assert domain.estimate == pytest.approx(ratio.estimate, rel=1e-12)
    assert domain.standard_error == pytest.approx(ratio.standard_error, rel=1e-12)


def test_subset_keeps_the_design() -> None:
    frame = _two_stage_frame()
    design = _design(frame)
    domain = design.subset(frame["stratum"].to_numpy() == "T:1")
    assert len(domain.data) == len(frame)
    assert domain.n == 6
    assert domain.degrees_of_freedom() == 1
    assert design.n == 12  # the parent is unchanged


def test_by_returns_one_estimate_per_domain() -> None:
    result = _design(_two_stage_frame()).proportion("y", by="stratum")
    assert list(result) == ["T:1", "T:2"]
    frame = result.to_frame()
    assert frame["domain"].tolist() == ["T:1", "T:2"]
    assert frame["degrees_of_freedom"].tolist() == [1, 1]


def test_estimate_is_frozen_and_converts() -> None:
    estimate = _design(_two_stage_frame()).proportion("y")
    with pytest.raises(AttributeError):
        estimate.estimate = 0.5  # type: ignore[misc]
    assert estimate.to_frame().shape == (1, 16)


def test_lonely_options() -> None:
    frame = _two_stage_frame()
    frame = frame[frame["psu"] != "T:2-1"]
    adjust = _design(frame, lonely_psu="adjust").total("y")
    certainty = _design(frame, lonely_psu="certainty").total("y")
    # adjust adds (1 - f) * (stratum total)^2 at stage 1 for the lonely stratum (R's rule):
    # T:2 keeps one village of 6 whose estimated total is 6 * 20/3 * sum(y).
    lonely_total = 6 * 20 / 3 * frame.loc[frame["stratum"] == "T:2", "y"].sum()
    extra = (1 - 1 / 6) * lonely_total**2
    assert adjust.variance - certainty.variance == pytest.approx(extra, rel=1e-10)


# ---------------------------------------------------------------------- properties
@st.composite
def _samples(draw: st.DrawFn) -> pd.DataFrame:
    strata = draw(st.integers(1, 3))
    rows = []
    for h in range(strata):
        villages = draw(st.integers(2, 4))
        population = villages + draw(st.integers(0, 5))
        for v in range(villages):
            households = draw(st.integers(2, 4))
            size = households + draw(st.integers(0, 30))
            for j in range(households):
                rows.append(
                    {
                        "stratum": f"S{h}",
                        "psu": f"S{h}V{v}",
                        "household": f"S{h}V{v}H{j}",
                        "N1": population,
                        "N2": size,
                        "y": draw(st.integers(0, 1)),
                    }
                )
    return pd.DataFrame(rows)


@settings(max_examples=40, deadline=None)
@given(_samples(), st.randoms(use_true_random=False))
def test_properties(frame: pd.DataFrame, random: object) -> None:
    design = _design(frame)
    # Weights of a one-stage view sum to the number of PSUs in the population.
    first_stage = frame.groupby("stratum")["N1"].first().sum()
    psu_weights = frame.groupby("stratum")["N1"].transform("first") / frame.groupby("stratum")[
        "psu"
    ].transform("nunique")
    assert psu_weights.groupby(frame["psu"]).first().sum() == pytest.approx(first_stage)
    for method in ("korn-graubard", "logit", "wilson", "clopper-pearson", "wald"):
        estimate = design.proportion("y", method=method)
        assert estimate.lower <= estimate.estimate + 1e-12
        assert estimate.estimate <= estimate.upper + 1e-12
        assert estimate.upper_one_sided <= estimate.upper + 1e-12
    # Row order does not matter.
    shuffled = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    a, b = design.proportion("y"), _design(shuffled).proportion("y")
    assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
    assert a.standard_error == pytest.approx(b.standard_error, rel=1e-10, abs=1e-15)


def test_one_sided_limit_below_two_sided_with_few_sampled_units() -> None:
    # Found by test_properties: two villages taken whole (certainty), one subsampled (two
    # households of three). The variable part has Kish's size 2 < df + 1; the df adjustment
    # must not grow the effective size (it would, more at 95 % than at 90 %).
    frame = pd.DataFrame(
        {
            "stratum": "S0",
            "psu": ["V0", "V0", "V1", "V1", "V2", "V2"],
            "household": [f"H{i}" for i in range(6)],
            "N1": 3,
            "N2": [2, 2, 2, 2, 3, 3],
            "y": 0,
        }
    )
    estimate = _design(frame).proportion("y")
    assert estimate.upper_one_sided <= estimate.upper
    assert 0 < estimate.upper < 1
