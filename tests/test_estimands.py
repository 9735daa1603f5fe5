"""Audit estimands: analysis table, county estimates (against R survey), township designs.

County expected values come from tests/r/reference.R (tests/r/reference.csv, case
"two_stage": recipient_*, omission_*); other expectations are hand calculations noted inline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditlib import (
    DesignError,
    FieldworkError,
    SurveyDesign,
    build_analysis_table,
    county_estimates,
    estimates_table,
    township_estimates,
)
from auditlib.estimation.estimands import audit_design, inclusion_error_rate, omission_rate

HERE = Path(__file__).parent / "r"


def _reference() -> dict[str, float]:
    table = pd.read_csv(HERE / "reference.csv")
    table = table[table["case"] == "two_stage"]
    return dict(zip(table["quantity"], table["value"], strict=True))


def _analysis() -> pd.DataFrame:
    """tests/r/two_stage.csv as an analysis table (y = 1: ineligible)."""
    frame = pd.read_csv(HERE / "two_stage.csv", keep_default_na=False, na_values=[""])
    single = frame["stratum"].str.startswith(("C:", "N:"))
    townships = np.array(["1", "2", "3", "4"])[np.arange(len(frame)) % 4]
    frame["township_code"] = np.where(single, townships, frame["stratum"].str[2:])
    frame["village_code"] = frame["psu"]
    frame["eligible"] = np.where(frame["y"] == 1, "no", "yes")
    frame["county_code"] = "430522"
    frame["recipient"] = frame["recipient"].astype(bool)
    return frame


#: The options that give R ``survey``'s numbers (NCHS cap at n, #PSU − #strata, t limits).
R_OPTIONS = {"method": "korn-graubard-nchs", "df_method": "design", "payment_interval": "t"}


def test_county_estimates_agree_with_r() -> None:
    reference = _reference()
    result = county_estimates(_analysis(), **R_OPTIONS)
    # R: svyciprop/svymean(~y, subset(design, recipient == 1)).
    assert result.inclusion_error.estimate == pytest.approx(reference["recipient_y_mean"], rel=1e-8)
    assert result.inclusion_error.standard_error == pytest.approx(
        reference["recipient_y_se"], rel=1e-8
    )
    assert result.inclusion_error.lower == pytest.approx(
        reference["recipient_y_95_formula_kg_lower"], rel=1e-8
    )
    assert result.inclusion_error.upper == pytest.approx(
        reference["recipient_y_95_formula_kg_upper"], rel=1e-8
    )
    # R: svytotal(~improper_amount, recipients); svyratio(~improper_amount, ~amount_paid).
    total, rate = result.improper_payment_total, result.improper_payment_rate
    assert rate is not None
    assert total.estimate == pytest.approx(reference["recipient_improper_total"], rel=1e-8)
    assert total.standard_error == pytest.approx(reference["recipient_improper_total_se"], rel=1e-8)
    assert rate.estimate == pytest.approx(reference["recipient_improper_rate"], rel=1e-8)
    assert rate.standard_error == pytest.approx(reference["recipient_improper_rate_se"], rel=1e-8)
    # R: svyratio(~eligible_nonrecipient, ~eligible_yes) and vcov(svytotal(~E + R)).
    omission = result.omission
    assert omission is not None
    assert omission.rate.estimate == pytest.approx(reference["omission_rate"], rel=1e-8)
    assert omission.rate.standard_error == pytest.approx(reference["omission_rate_se"], rel=1e-8)
    assert omission.covariance == pytest.approx(reference["omission_cov_E_R"], rel=1e-8)
    assert omission.eligible_non_recipients.variance == pytest.approx(
        reference["omission_var_E"], rel=1e-8
    )
    assert omission.eligible_recipients.variance == pytest.approx(
        reference["omission_var_R"], rel=1e-8
    )
    # Joint linearisation: Var(E/(E+R)) by the delta method from Var(E), Var(R), Cov(E, R)
    # equals the ratio's linearised variance (hand derivation: gradient (R, -E)/(E+R)^2).
    e, r = omission.eligible_non_recipients.estimate, omission.eligible_recipients.estimate
    gradient = np.array([r, -e]) / (e + r) ** 2
    covariance = np.array(
        [
            [omission.eligible_non_recipients.variance, omission.covariance],
            [omission.covariance, omission.eligible_recipients.variance],
        ]
    )
    assert gradient @ covariance @ gradient == pytest.approx(omission.rate.variance, rel=1e-10)


def test_error_rate_bounds_without_nonresponse_are_the_estimate() -> None:
    # Everyone verified (no status column): both bounds are the 错保率 itself, which
    # test_county_estimates_agree_with_r checks against R.
    design = audit_design(_analysis())
    plain = inclusion_error_rate(design)
    for which in ("eligible", "ineligible"):
        bound = inclusion_error_rate(design, nonrespondents=which)
        assert bound.variable == f"ineligible:nonrespondents_{which}"
        assert (bound.estimate, bound.standard_error, bound.upper) == (
            plain.estimate,
            plain.standard_error,
            plain.upper,
        )


def test_inclusion_error_by_type_sums_to_overall() -> None:
    result = county_estimates(_analysis())
    # Each ineligible recipient has one type, so the type shares add up to the overall rate.
    assert sum(item.estimate for item in result.inclusion_error_by_type.values()) == pytest.approx(
        result.inclusion_error.estimate, rel=1e-12
    )
    assert set(result.inclusion_error_by_type) == {
        "car_owner",
        "salary_or_pension",
        "village_cadre",
    }


def test_township_design_is_conditional_on_the_township() -> None:
    analysis = _analysis()
    townships = township_estimates(analysis)
    assert sorted(townships) == ["1", "2", "3", "4"]
    one = townships["1"]
    # Degrees of freedom: sampled villages of T:1 (3) minus 1.
    assert one.inclusion_error.degrees_of_freedom == 2
    # Hand check: the estimate is the weighted share over the township's households (its own
    # village stratum plus the certainty/new-approval households located in it).
    rows = analysis[(analysis["township_code"] == "1") & analysis["recipient"]]
    expected = (rows["weight"] * rows["y"]).sum() / rows["weight"].sum()
    assert one.inclusion_error.estimate == pytest.approx(expected, rel=1e-12)
    # Without any single-stage household in the township, the result equals a stand-alone
    # single-stratum two-stage design on the township's rows.
    alone = analysis[(analysis["stratum"] == "T:1")].reset_index(drop=True)
    alone = alone.assign(township_code="1")
    design = SurveyDesign(
        alone[alone["recipient"]].reset_index(drop=True),
        strata="stratum",
        psu="psu",
        ssu="household_id",
        ssu_strata="ssu_stratum",
        psu_population="psu_population",
        ssu_population="ssu_population",
        weights="weight",
    )
    only_t = township_estimates(alone)["1"].inclusion_error
    direct = design.proportion("y")
    assert only_t.estimate == pytest.approx(direct.estimate, rel=1e-12)
    assert only_t.standard_error == pytest.approx(direct.standard_error, rel=1e-12)


def test_estimates_table_has_county_and_townships() -> None:
    table = estimates_table(_analysis())
    assert set(table["area_level"]) == {"county", "township"}
    assert set(table.loc[table["area_level"] == "township", "area_code"]) == {"1", "2", "3", "4"}
    for column in ("estimand", "estimate", "lower", "upper", "upper_one_sided", "reliable"):
        assert column in table.columns
    county = table[(table["area_level"] == "county") & (table["estimand"] == "omission_rate")]
    assert len(county) == 1


def test_omission_needs_non_recipients() -> None:
    analysis = _analysis()
    analysis = analysis[analysis["recipient"]].reset_index(drop=True)
    with pytest.raises(DesignError, match="needs a sample of at-risk non-recipient"):
        omission_rate(audit_design(analysis))
    result = county_estimates(analysis)
    assert result.omission is None


def test_omission_needs_the_at_risk_stratum_not_only_temporary_assistance() -> None:
    # temporary-assistance households cover only their own group: no omission rate from them
    analysis = _analysis()
    keep = analysis["recipient"] | (analysis["ssu_stratum"] != "non_recipient")
    analysis = analysis[keep].reset_index(drop=True)
    analysis.loc[~analysis["recipient"], "ssu_stratum"] = "temporary_assistance"
    with pytest.raises(DesignError, match="stratum 'non_recipient'"):
        omission_rate(audit_design(analysis))
    result = county_estimates(analysis)
    assert result.omission is None
    assert any("omission rate not estimated" in note for note in result.notes)


# ---------------------------------------------------------------------- analysis table
def _inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    sample = pd.DataFrame(
        {
            "household_id": ["h1", "h2", "h3"],
            "township_code": ["1", "1", "1"],
            "village_code": ["v1", "v1", "v2"],
            "recipient": [True, True, False],
            "stratum": ["T:1"] * 3,
            "psu": ["v1", "v1", "v2"],
            "ssu_stratum": ["random", "random", "non_recipient"],
            "psu_population": [5, 5, 5],
            "ssu_population": [10, 10, 4],
            "weight": [25.0, 25.0, 10.0],
        }
    )
    verification = pd.DataFrame(
        {
            "household_id": ["h1", "h2", "h3"],
            "eligible": ["no", "yes", "yes"],
            "error_type": ["car_owner", None, None],
            "correct_benefit": [0.0, 300.0, 280.0],
        }
    )
    payments = pd.DataFrame(
        {
            "household_id": ["h1", "h1", "h2", "h1"],
            "payment_date": pd.to_datetime(
                ["2025-01-10", "2025-02-10", "2025-01-10", "2024-12-10"]
            ),
            "amount": [100.0, 150.0, 200.0, 999.0],
        }
    )
    return sample, verification, payments


def test_build_analysis_table() -> None:
    sample, verification, payments = _inputs()
    table = build_analysis_table(
        sample, verification, payments, period_start="2025-01-01", period_end="2025-12-31"
    )
    # Hand: h1 paid 100 + 150 in the period (999 before it); h2 200; h3 none.
    assert table["amount_paid"].tolist() == [250.0, 200.0, 0.0]
    assert table["ineligible"].tolist() == [1.0, 0.0, 0.0]
    assert table["improper_amount"].tolist() == [250.0, 0.0, 0.0]
    assert table["eligible_non_recipient"].tolist() == [0.0, 0.0, 1.0]
    without_period = build_analysis_table(sample, verification, payments)
    assert without_period["amount_paid"].tolist() == [1249.0, 200.0, 0.0]


def test_analysis_table_reconciliation_errors() -> None:
    sample, verification, payments = _inputs()
    with pytest.raises(FieldworkError, match="do not reconcile") as caught:
        build_analysis_table(sample, verification.iloc[:2], payments)
    assert caught.value.problems[0].value == "h3"
    extra = pd.concat([verification, verification.iloc[[0]].assign(household_id="h9")])
    with pytest.raises(FieldworkError) as caught:
        build_analysis_table(sample, extra, payments)
    assert any(problem.value == "h9" for problem in caught.value.problems)
    bad = verification.assign(eligible=["no", "maybe", "yes"])
    with pytest.raises(FieldworkError) as caught:
        build_analysis_table(sample, bad, payments)
    assert any(problem.value == "maybe" for problem in caught.value.problems)


def test_pipeline_on_synthetic_county() -> None:
    from auditlib.sampling import sample as sampling
    from auditlib.synth import fieldwork, generator as synth
    from auditlib.synth.config import SynthConfig

    county = synth.generate_county(SynthConfig(households=4000, township_count=4, seed=3))
    sample = sampling.draw_sample(county.data, "notice-2021", 11).table
    verification = fieldwork.simulate_verification(
        county.data, county.truth, sample["household_id"], seed=2
    )
    analysis = build_analysis_table(sample, verification, county.data.payments)
    table = estimates_table(analysis, lonely_psu="adjust")
    county_rows = table[table["area_level"] == "county"]
    rate = county_rows[county_rows["estimand"] == "inclusion_error_rate"].iloc[0]
    assert 0 <= rate["lower"] <= rate["estimate"] <= rate["upper"] <= 1
    assert set(table["area_level"]) == {"county", "township"}


def test_ineligible_households_are_the_register_count_times_the_rate() -> None:
    # A Wald interval of the design's total of a rare finding under-covers and can go below 0
    # (45 % in a county with 8 of 489 sampled recipients ineligible, bench_province_coverage);
    # with the register's count of Dibao households known it is that count times 错保率.
    from auditlib.estimation.summary import compute_estimates

    analysis = _analysis()
    design_total = compute_estimates(analysis).ineligible_households
    estimates = compute_estimates(analysis, dibao_households=1234)
    rate, count = estimates.error_rate, estimates.ineligible_households
    assert design_total.lower != pytest.approx(1234 * rate.lower)  # not what it was before
    for field in ("estimate", "standard_error", "lower", "upper", "upper_one_sided"):
        assert getattr(count, field) == pytest.approx(1234 * getattr(rate, field), rel=1e-12)
    assert count.lower >= 0 and count.statistic == "total"
