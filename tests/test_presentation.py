"""auditlib.estimation.presentation: NCHS presentation standards as CDC surveytable applies them.

One test per rule at its threshold (just below / at / above), vectorised input, labels, and
worked examples copied from surveytable's rendered vignettes (CDCgov/surveytable, commit
ea5d660, docs/articles/*.html; the tables were produced with ``set_opts(mode = "NCHS")``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from auditlib import DesignError
from auditlib.estimation.presentation import (
    PRESENTATION_RULES,
    Presentation,
    proportion_presentation,
    total_presentation,
)

NAN = float("nan")


def _one(**kwargs: float) -> Presentation:
    """One proportion: defaults are a comfortably reliable estimate."""
    args = {"estimate": 0.5, "lower": 0.49, "upper": 0.51, "effective_n": 500.0}
    args |= {"degrees_of_freedom": 100.0, "n": 1000.0} | kwargs
    n_numerator = args.pop("n_numerator", None)
    return proportion_presentation(**args, n_numerator=n_numerator)[0]


def _suppress(results: list[Presentation]) -> list[bool]:
    return [r.suppress for r in results]


# --- proportions: one test per rule ------------------------------------------------------------


def test_effective_sample_size_below_30_is_suppressed() -> None:
    got = proportion_presentation(0.5, 0.49, 0.51, [29.999, 30.0, 30.001], 100, 1000)
    assert _suppress(got) == [True, False, False]
    assert got[0].reasons == ("effective_n<30",) and got[0].surveytable_flags == ("Px",)
    assert got[1].reliable and got[1].reasons == () and got[1].label() == ""


def test_sample_size_below_30_is_suppressed_through_the_cap() -> None:
    # z_lpe.R 95-96: the effective size is capped at the denominator n.
    got = proportion_presentation(0.5, 0.49, 0.51, 500, 100, [29, 30, 31])
    assert _suppress(got) == [True, False, False]
    assert got[0].reasons == ("n<30", "effective_n<30")


def test_absolute_width_of_30_points_or_more_is_suppressed() -> None:
    # 0.65 - 0.35 is 0.30000000000000004 in floating point: rounded to 0.30, "at" the limit.
    got = proportion_presentation(0.5, 0.35, [0.6499, 0.65, 0.6501], 500, 100, 1000)
    assert _suppress(got) == [False, True, True]
    assert got[1].reasons == ("width>=0.30",)


def test_width_of_5_points_or_less_is_always_shown() -> None:
    # Relative width 0.05 / 0.02 = 250 % but the absolute width is at most 0.05 (z_lpe.R 104).
    got = proportion_presentation(0.02, 0.0, [0.0499, 0.05, 0.0501], 500, 100, 1000)
    assert _suppress(got) == [False, False, True]
    assert got[1].reliable
    assert got[2].reasons == ("relative_width>130%",)


def test_relative_width_above_130_percent_is_suppressed() -> None:
    # p = 0.1, width 0.13 -> exactly 130 %, which passes (the rule is "> 130 %").
    got = proportion_presentation(0.1, 0.05, [0.1799, 0.18, 0.1801], 500, 100, 1000)
    assert _suppress(got) == [False, False, True]
    assert got[2].reasons == ("relative_width>130%",)
    assert got[2].label() == "不予发布（相对置信区间宽度>130%）"


def test_complement_relative_width_above_130_percent_gets_a_footnote() -> None:
    # p = 0.9: width / (1 - p) at 0.1299 / 0.13 / 0.1301.
    got = proportion_presentation(0.9, 0.8, [0.9299, 0.93, 0.9301], 500, 100, 1000)
    assert [r.footnote for r in got] == [False, False, True]
    assert not any(r.suppress or r.review for r in got)
    assert got[2].reasons == ("complement_relative_width>130%",)
    assert got[2].surveytable_flags == ("Pc",) and not got[2].reliable
    # A width <= 0.05 passes before the complement is looked at (z_lpe.R 104, 122).
    assert _one(estimate=0.98, lower=0.95, upper=0.99).reliable
    # A suppressed estimate gets no complement footnote.
    assert _one(estimate=0.9, lower=0.6, upper=0.95).reasons == ("width>=0.30",)


def test_degrees_of_freedom_below_8_go_to_review() -> None:
    got = proportion_presentation(0.5, 0.49, 0.51, 500, [7, 7.999, 8, 9], 1000)
    assert [r.review for r in got] == [True, True, False, False]
    assert not any(r.suppress for r in got)
    assert got[0].reasons == ("df<8",) and got[0].surveytable_flags == ("Pdf",)
    # Review flags are set only on estimates that are shown (z_lpe.R 130).
    hidden = _one(effective_n=10, degrees_of_freedom=3)
    assert hidden.suppress and not hidden.review and hidden.reasons == ("effective_n<30",)


def test_estimate_of_0_or_1_goes_to_review_with_n_as_effective_size() -> None:
    # z_lpe.R 91-93: effective n := n and width := 0 (NaN effective n is allowed then).
    got = proportion_presentation(
        [0.0, 1.0, 0.0], [0.0, 0.9, 0.0], [0.1, 1.0, 0.4], NAN, 8, [30, 30, 29]
    )
    assert [(r.suppress, r.review) for r in got] == [(False, True), (False, True), (True, False)]
    assert got[0].reasons == ("zero_or_one",) and got[0].surveytable_flags == ("P0",)
    assert got[2].reasons == ("n<30", "effective_n<30")
    # From counts, as surveytable does: numerator 0 or numerator == denominator.
    by_count = proportion_presentation(0.5, 0.49, 0.51, 500, 100, 100, n_numerator=[0, 50, 100])
    assert [r.reasons for r in by_count] == [("zero_or_one",), (), ("zero_or_one",)]


def test_cells_of_1_to_4_cases_are_flagged_r() -> None:
    # z_lpe.R 1-13: counts 1..4, or total - 1..4.
    got = proportion_presentation(0.5, 0.49, 0.51, 500, 100, 100, n_numerator=[4, 5, 95, 96])
    assert [r.reasons for r in got] == [("cell_n<5",), (), (), ("cell_n<5",)]
    assert got[0].review and got[0].surveytable_flags == ("R",)
    expected = "Needs statistical review (cell of < 5 cases, suppress if confidential)"
    assert got[0].label("en") == expected


def test_several_reasons_and_labels_in_both_languages() -> None:
    both = _one(estimate=0.5, lower=0.3, upper=0.7, effective_n=20)
    assert both.reasons == ("effective_n<30", "width>=0.30")
    assert both.label() == "不予发布（有效样本量<30；置信区间宽度≥30个百分点）"
    assert both.label("en") == (
        "Do not publish (effective sample size < 30; CI width ≥ 30 percentage points)"
    )
    review = _one(estimate=0.0, lower=0.0, upper=0.02, degrees_of_freedom=5)
    assert review.label() == "需统计复核（自由度<8；估计值为0或100%）"
    assert review.label("en") == (
        "Needs statistical review (degrees of freedom < 8; estimate of 0% or 100%)"
    )
    mixed = _one(estimate=0.9, lower=0.8, upper=0.95, degrees_of_freedom=5)
    assert mixed.review and mixed.footnote
    assert mixed.label() == "需统计复核（自由度<8）；加注发布（互补比例的相对置信区间宽度>130%）"
    with pytest.raises(ValueError, match="language"):
        mixed.label("fr")


def test_inputs_broadcast_and_come_back_in_c_order() -> None:
    effective = np.array([[10.0, 100.0, 1000.0], [10.0, 100.0, 1000.0]])
    df = np.array([[3.0], [30.0]])
    got = proportion_presentation(0.5, 0.49, 0.51, effective, df, 1000)
    assert len(got) == 6
    assert [(r.suppress, r.review) for r in got] == [
        (True, False),
        (False, True),
        (False, True),
        (True, False),
        (False, False),
        (False, False),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lower": 0.6},  # lower above the estimate
        {"upper": 1.2},
        {"estimate": -0.1, "lower": -0.2},
        {"n": 0},
        {"effective_n": NAN},  # missing where the estimate is not 0 or 1
        {"degrees_of_freedom": NAN},
    ],
)
def test_bad_proportion_inputs_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(DesignError):
        _one(**kwargs)


def test_shapes_that_do_not_broadcast_are_refused() -> None:
    with pytest.raises(DesignError, match="one shape"):
        proportion_presentation([0.5, 0.5], [0.4, 0.4, 0.4], 0.6, 500, 100, 1000)


def test_rules_constant_holds_the_cited_thresholds() -> None:
    rules = PRESENTATION_RULES
    assert rules["proportion_minimum_effective_n"] == 30
    assert rules["proportion_width_always_shown"] == 0.05
    assert rules["proportion_maximum_width"] == 0.30
    assert rules["proportion_maximum_relative_width"] == 1.30
    assert rules["minimum_degrees_of_freedom"] == 8
    assert rules["count_minimum_effective_n"] == 10
    assert rules["count_maximum_relative_width"] == 1.60
    with pytest.raises(TypeError):
        rules["proportion_maximum_width"] = 0.5  # type: ignore[index]


# --- counts, rates, means, ratios --------------------------------------------------------------


def _se_for_relative_width(width: float, effective_n: float, x: float = 100.0) -> float:
    """Standard error whose log-t interval has relative width ``width`` (R/tab.R 200-203)."""
    t = stats.t.ppf(0.975, effective_n - 1)
    return x * math.asinh(width / 2) / t


def test_count_effective_sample_size_below_10_is_suppressed() -> None:
    got = total_presentation(100, 1, [9.999, 10, 10.001], 100, 500)
    assert _suppress(got) == [True, False, False]
    assert got[0].reasons == ("effective_n<10",) and got[0].surveytable_flags == ("Cx",)
    # The Kish effective size is capped at n (R/tab.R 192-193).
    assert total_presentation(100, 1, 500, 100, 9)[0].suppress


def test_count_relative_ci_width_above_160_percent_is_suppressed() -> None:
    se = _se_for_relative_width(1.60, 50)
    got = total_presentation(100, [se * 0.9999, se, se * 1.0001], 50, 100, 50)
    assert _suppress(got) == [False, False, True]
    assert got[2].reasons == ("relative_width>160%",)
    assert got[2].label() == "不予发布（相对置信区间宽度>160%）"
    # A non-positive estimate has no log interval: suppressed.
    assert total_presentation([0.0, -5.0], 1, 50, 100, 50)[1].suppress


def test_count_degrees_of_freedom_below_8_go_to_review() -> None:
    got = total_presentation(100, 5, 500, [7, 8], 500)
    assert [(r.review, r.surveytable_flags) for r in got] == [(True, ("Cdf",)), (False, ())]
    assert got[0].label("en") == "Needs statistical review (degrees of freedom < 8)"
    assert not total_presentation(100, 5, 5, 3, 500)[0].review  # suppressed, so no Cdf


def test_30_30_rule_suppresses_n_below_30_and_footnotes_rse_of_30_percent() -> None:
    got = total_presentation(100, [29.99, 30, 30.01], 1, 1, 30, rule="30/30")
    assert [(r.suppress, r.footnote) for r in got] == [(False, False), (False, True), (False, True)]
    assert got[1].reasons == ("rse>=30%",) and got[1].surveytable_flags == ("Cr",)
    assert got[1].label() == "加注发布（相对标准误≥30%）"
    small = total_presentation(100, 50, 1, 1, [29, 30], rule="30/30")
    assert [(r.suppress, r.reasons) for r in small] == [(True, ("n<30",)), (False, ("rse>=30%",))]
    with pytest.raises(ValueError, match="rule"):
        total_presentation(100, 5, 500, 8, 500, rule="rse")


def test_count_cells_of_1_to_4_cases_are_flagged_r() -> None:
    # z_lpe.R 1-13 ("R" is independent of the count rule); n < 10 also caps m below 10.
    got = total_presentation(100, 1, 500, 100, [4, 5, 10])
    assert [r.surveytable_flags for r in got] == [("R", "Cx"), ("Cx",), ()]
    assert got[0].reasons == ("cell_n<5", "effective_n<10") and got[0].suppress
    assert got[0].label() == "不予发布（有效样本量<10）"
    flagged = total_presentation(100, 1, 500, 100, [4, 30], rule="30/30")
    assert [r.surveytable_flags for r in flagged] == [("R", "Cx"), ()]


def test_bad_count_inputs_are_refused() -> None:
    with pytest.raises(DesignError):
        total_presentation(100, -1, 500, 100, 500)
    with pytest.raises(DesignError):
        total_presentation(100, 1, NAN, 100, 500)


# --- worked examples from surveytable's vignettes -----------------------------------------------
# Percent / SE / LL / UL as printed (rounded to 0.1 points); effective n = p(1 - p) / SE^2 from
# the printed values (what .lpe_percents computes when n.eff is absent, z_lpe.R 85-87). The NAMCS
# design's df is not printed; no "Pdf"/"Cdf" flag shows that it is >= 8, so df = 100 here.
# Each row: (percent, se, ll, ul, n numerator, n denominator, flags printed minus C* flags).
PERCENT_EXAMPLES = {
    # vignettes surveytable.Rmd, docs/articles/surveytable.html: tab_subset("MRI", "SPECCAT"),
    # SPECCAT = Medical care specialty: FALSE "Pc", TRUE "Cx Px".
    "MRI medical": [
        (97.1, 1.4, 92.9, 99.2, 2163, 2207, ("Pc",)),
        (2.9, 1.4, 0.8, 7.1, 44, 2207, ("Px",)),
    ],
    # docs/articles/surveytable.html: tab("PAYNOCHG"); TRUE is flagged "Cx" only.
    "PAYNOCHG": [(99.8, 0.2, 99.0, 100.0, 8234, 8250, ()), (0.2, 0.2, 0.0, 1.0, 16, 8250, ())],
    # docs/articles/Example-National-Ambulatory-Medical-Care-Survey-NAMCS-tables.html:
    # tab_subset("PRIMCARE", "SENBEFOR"), new patients: "Cx Px", "", "".
    "PRIMCARE new": [
        (7.0, 2.6, 2.8, 14.0, 80, 1479, ("Px",)),
        (14.0, 2.6, 9.2, 20.0, 151, 1479, ()),
        (79.0, 3.2, 71.8, 85.1, 1248, 1479, ()),
    ],
    # Same article, preventive care visits under 15 years, by specialty: "Pc", "R Cx", "Cx Px".
    "preventive <15": [
        (98.6, 1.2, 93.3, 99.9, 289, 300, ("Pc",)),
        (0.3, 0.2, 0.0, 1.8, 4, 300, ("R",)),
        (1.1, 1.2, 0.0, 7.0, 7, 300, ("Px",)),
    ],
    # docs/articles/Example-Residential-Care-Community-Services-User-NSLTCP-RCC-SU-report.html:
    # tab_subset("medicaid2", "Age"), Age = Under 65 and 65-74: every percent "Px".
    "Medicaid <65": [
        (49.8, 9.5, 30.3, 69.4, 31, 66, ("Px",)),
        (50.2, 9.5, 30.6, 69.7, 35, 66, ("Px",)),
    ],
    "Medicaid 65-74": [
        (62.0, 7.6, 45.4, 76.7, 53, 83, ("Px",)),
        (38.0, 7.6, 23.3, 54.6, 30, 83, ("Px",)),
    ],
}


@pytest.mark.parametrize("table", sorted(PERCENT_EXAMPLES))
def test_surveytable_percent_flags_are_reproduced(table: str) -> None:
    rows = np.array([row[:6] for row in PERCENT_EXAMPLES[table]])
    p, se, lower, upper = (rows[:, i] / 100 for i in range(4))
    got = proportion_presentation(
        p, lower, upper, p * (1 - p) / se**2, 100, rows[:, 5], n_numerator=rows[:, 4]
    )
    assert [r.surveytable_flags for r in got] == [row[6] for row in PERCENT_EXAMPLES[table]]


def test_surveytable_count_flags_are_reproduced() -> None:
    # Number / SE (000) and n as printed; the Kish effective n is not printed, so each decision
    # is checked at both ends of its range [10, n]: these rows do not depend on it.
    rows = [
        (2146, 1919, 16, True),  # surveytable.html, tab("PAYNOCHG") TRUE: "Cx"
        (39519, 9507, 300, False),  # surveytable.html, tab("PRIMCARE") Unknown: ""
        (6917, 1845, 82, False),  # surveytable.html, MRI, surgical care TRUE: ""
        (8626, 4768, 44, True),  # surveytable.html, MRI, medical care TRUE: "Cx"
        (6295, 2768, 20, True),  # surveytable.html, MRI, primary care TRUE: "Cx"
    ]
    x, se, n, cx = (np.array(column) for column in zip(*rows, strict=True))
    for effective in (np.full(len(rows), 10.0), n):
        got = total_presentation(x, se, effective, 100, n)
        assert _suppress(got) == list(cx)
        assert [r.surveytable_flags for r in got] == [("Cx",) if c else () for c in cx]
