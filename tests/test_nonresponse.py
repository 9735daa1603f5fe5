"""Field non-response: statuses in the analysis table, the weighting-class adjustment, bounds.

Expected numbers are hand calculations from the small design of :func:`_inputs` (noted inline),
closed forms (weights of a class add up to its design-weighted count; the SRSWOR variance of a
total), or the R ``survey`` reference values of tests/r/reference.csv (case ``two_stage``) that
the estimates had before non-response existed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from auditlib.errors import DesignError, FieldworkError
from auditlib.estimation.analysis_table import build_analysis_table, prepare
from auditlib.estimation.areas import county_estimates
from auditlib.estimation.estimands import audit_design, inclusion_error_rate
from auditlib.estimation.nonresponse import MINIMUM_RESPONDENTS, adjust_for_nonresponse
from auditlib.estimation.response import response_rates
from auditlib.estimation.summary import compute_estimates, key_figures

HERE = Path(__file__).parent / "r"

# One row per sampled household: id, township, village (psu), stratum, second-stage stratum,
# recipient, psu_population, ssu_population, weight, status, eligible. T:1 has 4 villages, 2
# drawn (π1 = 1/2); T:2 has 2, both drawn; C:relative 4 households; N:new_approval 4 of 20
# (weight 5). Weights = 1 / (π1 π2), e.g. a1: π2 = 3/15, weight 1 / (1/2 · 1/5) = 10.
ROWS = [
    ("a1", "1", "v1", "T:1", "random", True, 4, 15, 10.0, "verified", "no"),
    ("a2", "1", "v1", "T:1", "random", True, 4, 15, 10.0, "verified", "yes"),
    ("a3", "1", "v1", "T:1", "random", True, 4, 15, 10.0, "refused", None),
    ("a4", "1", "v2", "T:1", "random", True, 4, 30, 20.0, "verified", "yes"),
    ("a5", "1", "v2", "T:1", "random", True, 4, 30, 20.0, "verified", "no"),
    ("a6", "1", "v2", "T:1", "random", True, 4, 30, 20.0, "verified", "yes"),
    ("b1", "1", "v1", "T:1", "risk_oversample", True, 4, 4, 4.0, "", "no"),
    ("b2", "1", "v1", "T:1", "risk_oversample", True, 4, 4, 4.0, "not_found", None),
    ("c1", "1", "v2", "T:1", "temporary_assistance", True, 4, 2, 2.0, "verified", "yes"),
    ("c2", "1", "v2", "T:1", "temporary_assistance", False, 4, 2, 2.0, "moved", None),
    ("d1", "1", "v1", "T:1", "non_recipient", False, 4, 6, 4.0, "verified", "yes"),
    ("d2", "1", "v1", "T:1", "non_recipient", False, 4, 6, 4.0, "verified", "no"),
    ("d3", "1", "v1", "T:1", "non_recipient", False, 4, 6, 4.0, "verified", "yes"),
    ("e1", "2", "v3", "T:2", "random", True, 2, 6, 2.0, "verified", "yes"),
    ("e2", "2", "v3", "T:2", "random", True, 2, 6, 2.0, "verified", "yes"),
    ("e3", "2", "v3", "T:2", "random", True, 2, 6, 2.0, "verified", "no"),
    ("e4", "2", "v4", "T:2", "random", True, 2, 9, 3.0, "verified", "yes"),
    ("e5", "2", "v4", "T:2", "random", True, 2, 9, 3.0, "verified", "yes"),
    ("e6", "2", "v4", "T:2", "random", True, 2, 9, 3.0, "verified", "yes"),
    ("f1", "1", None, "C:relative", "all", True, 4, 1, 1.0, "verified", "no"),
    ("f2", "1", None, "C:relative", "all", True, 4, 1, 1.0, "refused", None),
    ("f3", "2", None, "C:relative", "all", True, 4, 1, 1.0, "verified", "yes"),
    ("f4", "2", None, "C:relative", "all", True, 4, 1, 1.0, "verified", "yes"),
    ("g1", "1", None, "N:new_approval", "all", True, 20, 1, 5.0, "verified", "yes"),
    ("g2", "2", None, "N:new_approval", "all", True, 20, 1, 5.0, "verified", "no"),
    ("g3", "2", None, "N:new_approval", "all", True, 20, 1, 5.0, "verified", "yes"),
    ("g4", "2", None, "N:new_approval", "all", True, 20, 1, 5.0, "refused", None),
]
COLUMNS = [
    *("household_id", "township_code", "psu", "stratum", "ssu_stratum", "recipient"),
    *("psu_population", "ssu_population", "weight", "status", "eligible"),
]
REASONS = {"C:relative": "certainty_relative", "N:new_approval": "new_approval"}
STATUS = [row[9] for row in ROWS]
ELIGIBLE = [row[10] for row in ROWS]


def _inputs(**changes: object) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Sample, verification (ROWS with ``changes`` to its columns) and payments."""
    frame = pd.DataFrame(ROWS, columns=COLUMNS).assign(**changes)
    single = frame["psu"].isna()
    frame["psu"] = frame["psu"].where(~single, frame["household_id"])
    frame["village_code"] = np.where(single, frame["township_code"] + "-x", frame["psu"])
    frame["selection_reason"] = frame["stratum"].map(REASONS).fillna(frame["ssu_stratum"])
    frame["county_code"] = "430522"
    sample = frame.drop(columns=["status", "eligible"])
    verification = frame[["household_id", "status", "eligible"]].copy()
    no = verification["eligible"] == "no"
    verification["error_type"] = np.where(no & frame["recipient"], "car_owner", None)
    payments = pd.DataFrame(
        {"household_id": frame["household_id"], "payment_date": "2025-03-01", "amount": 100.0}
    )
    return sample, verification, payments


def _analysis(**changes: object) -> pd.DataFrame:
    return build_analysis_table(*_inputs(**changes))


# ---------------------------------------------------------------------- analysis table
def test_status_and_respondent_columns() -> None:
    table = _analysis()
    # b1's empty status means verified; a3, b2, c2, f2, g4 did not respond.
    assert table.set_index("household_id").loc["b1", "status"] == "verified"
    missing = set(table.loc[table["respondent"] == 0, "household_id"])
    assert missing == {"a3", "b2", "c2", "f2", "g4"}
    assert set(table["status"]) == {"verified", "refused", "not_found", "moved"}
    # Non-respondents count as neither eligible nor ineligible in any derived variable.
    absent = table["respondent"] == 0
    derived = ["ineligible", "eligible_flag", "eligible_recipient", "eligible_non_recipient"]
    assert (table.loc[absent, [*derived, "improper_amount"]] == 0).all().all()
    assert table.loc[absent, "eligible"].isna().all()
    prepared = prepare(table)
    assert prepared["respondent"].tolist() == table["respondent"].tolist()


def test_without_a_status_column_everyone_is_verified() -> None:
    sample, verification, payments = _inputs()
    verification = verification.drop(columns="status").assign(
        eligible=verification["eligible"].fillna("yes")
    )
    table = build_analysis_table(sample, verification, payments)
    assert (table["status"] == "verified").all() and (table["respondent"] == 1).all()


def test_bad_status_codes_and_verdicts_are_problems() -> None:
    statuses = list(STATUS)
    statuses[0], statuses[3] = "lost", "pending"
    eligible = list(ELIGIBLE)
    eligible[1] = None  # a2 verified without a verdict
    eligible[2] = "no"  # a3 refused but has a verdict (and so a reason, car_owner)
    with pytest.raises(FieldworkError, match="do not reconcile") as caught:
        build_analysis_table(*_inputs(status=statuses, eligible=eligible))
    found = {(p.row, p.column, p.value) for p in caught.value.problems}
    # Spreadsheet rows: header is row 1, so a1 is row 2.
    assert found == {
        (2, "status", "lost"),
        (5, "status", "pending"),
        (3, "eligible", "<NA>"),
        (4, "eligible", "no"),
        (4, "error_type", "car_owner"),
    }
    status_problem = next(p for p in caught.value.problems if p.value == "lost")
    assert "not_found" in status_problem.expected and status_problem.file == "verification"


def test_missing_results_are_errors_or_pending_in_an_interim_report() -> None:
    sample, verification, payments = _inputs()
    short = verification[~verification["household_id"].isin(["e1", "g1"])]
    with pytest.raises(FieldworkError) as caught:
        build_analysis_table(sample, short, payments)
    assert sorted(p.value for p in caught.value.problems) == ["e1", "g1"]  # one per household
    table = build_analysis_table(sample, short, payments, interim=True)
    rows = table.set_index("household_id")
    assert rows.loc[["e1", "g1"], "status"].tolist() == ["pending", "pending"]
    assert rows.loc[["e1", "g1"], "respondent"].tolist() == [0.0, 0.0]
    # An interim report also accepts "pending" written in the verification table.
    written = verification.assign(status=verification["status"].where(verification.index != 0))
    written.loc[0, ["status", "eligible", "error_type"]] = ["pending", None, None]
    assert build_analysis_table(sample, written, payments, interim=True)["status"].iloc[0] == (
        "pending"
    )
    counts = response_rates(table).set_index("level").loc["county"]
    assert counts["pending"] == 2 and counts["respondents"] == 27 - 5 - 2


# ---------------------------------------------------------------------- weighting classes
def test_class_collapsing_by_hand() -> None:
    result = adjust_for_nonresponse(_analysis(), minimum_respondents=3)
    classes = result.classes.set_index("class")
    into = classes["collapsed_into"].to_dict()
    # Step 1, township 1: risk_oversample (1 respondent) and temporary-assistance recipients
    # (1) join random (5); temporary-assistance non-recipients (0) join non_recipient (3).
    assert into["1:risk_oversample"] == into["1:temporary_assistance:recipient"] == "1:random"
    assert into["1:temporary_assistance:non_recipient"] == "1:non_recipient"
    # Step 2: the certainty classes (1 and 2 respondents) and the new-approval classes (1 and 2)
    # are thin in each township and pooled across townships.
    assert into["1:certainty_relative"] == into["2:certainty_relative"] == "county:certainty"
    assert into["1:new_approval"] == into["2:new_approval"] == "county:new_approval"
    assert into["2:random"] == "2:random" and classes.loc["2:random", "collapse_step"] == 0
    assert classes.loc["1:risk_oversample", "collapse_step"] == 1
    assert classes.loc["1:new_approval", "collapse_step"] == 2
    # Factors: 1:random = (3·10 + 3·20 + 2·4 + 1·2) / (2·10 + 3·20 + 1·4 + 1·2) = 100/86;
    # 1:non_recipient = (3·4 + 2) / (3·4) = 14/12; county:certainty = 4/3 (1 + 1 + 1 + 1 over
    # three respondents); county:new_approval = 20/15; 2:random = 1 (everyone responded).
    factor = classes["factor"].to_dict()
    assert factor["1:random"] == pytest.approx(100 / 86, rel=1e-15)
    assert factor["1:temporary_assistance:non_recipient"] == pytest.approx(14 / 12, rel=1e-15)
    assert factor["2:certainty_relative"] == pytest.approx(4 / 3, rel=1e-15)
    assert factor["2:new_approval"] == pytest.approx(20 / 15, rel=1e-15)
    assert factor["2:random"] == 1.0
    weights = result.analysis.set_index("household_id")["weight"]
    assert weights["a4"] == pytest.approx(20 * 100 / 86, rel=1e-15)
    assert weights["f1"] == pytest.approx(4 / 3, rel=1e-15)
    assert weights["g2"] == pytest.approx(5 * 20 / 15, rel=1e-15)
    assert weights["e4"] == 3.0
    assert MINIMUM_RESPONDENTS == 5


def test_a_whole_kind_with_fewer_respondents_stays_thin() -> None:
    # Minimum 5: the non-recipient kind has 3 respondents in the county (township 1 only), the
    # certainty kind 3 and the new-approval kind 3; each ends as one class of its kind, thin.
    # 2:random (6 respondents) keeps its own class.
    classes = adjust_for_nonresponse(_analysis()).classes.set_index("class")
    assert classes.loc["1:temporary_assistance:non_recipient", "collapsed_into"] == (
        "1:non_recipient"
    )
    assert classes.loc["1:non_recipient", "class_respondents"] == 3
    assert classes.loc["1:certainty_relative", "collapsed_into"] == "county:certainty"
    assert (
        classes.loc[classes["collapsed_into"] == "county:certainty", "class_respondents"]
        .eq(3)
        .all()
    )
    assert classes.loc["2:random", "collapsed_into"] == "2:random"


def test_a_kind_without_respondents_joins_the_nearest_class() -> None:
    statuses = list(STATUS)
    for index, row in enumerate(ROWS):
        if row[3] == "C:relative":
            statuses[index] = "refused"
    eligible = [None if s == "refused" else e for s, e in zip(statuses, ELIGIBLE, strict=True)]
    result = adjust_for_nonresponse(
        _analysis(status=statuses, eligible=eligible), minimum_respondents=3
    )
    classes = result.classes.set_index("class")
    # Step 3: a recipient class that is not a certainty class, the most respondents: 1:random
    # (7 respondents after step 1) beats 2:random (6).
    assert classes.loc["1:certainty_relative", "collapsed_into"] == "1:random"
    assert classes.loc["1:certainty_relative", "collapse_step"] == 3
    # 1:random carries its 100 (see the hand test) and the 4 certainty households: 104 / 86.
    assert classes.loc["1:random", "factor"] == pytest.approx(104 / 86, rel=1e-15)


def test_no_respondent_at_all_is_an_error() -> None:
    statuses = ["refused"] * len(ROWS)
    with pytest.raises(DesignError, match="no sampled household was verified"):
        adjust_for_nonresponse(_analysis(status=statuses, eligible=[None] * len(ROWS)))
    with pytest.raises(DesignError, match="minimum_respondents"):
        adjust_for_nonresponse(_analysis(), minimum_respondents=0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.booleans(), min_size=len(ROWS), max_size=len(ROWS)).filter(any),
    st.integers(1, 6),
)
def test_weights_of_a_class_add_up_to_its_design_weighted_count(
    responded: list[bool], minimum: int
) -> None:
    statuses = ["verified" if flag else "not_found" for flag in responded]
    eligible = [(e or "yes") if flag else None for flag, e in zip(responded, ELIGIBLE, strict=True)]
    table = _analysis(status=statuses, eligible=eligible)
    result = adjust_for_nonresponse(table, minimum_respondents=minimum)
    classes = result.classes
    final = dict(zip(classes["class"], classes["collapsed_into"], strict=True))
    labels = [
        f"{town}:{reason}"
        + (
            f":{'recipient' if paid else 'non_recipient'}"
            if reason == "temporary_assistance"
            else ""
        )
        for town, reason, paid in zip(
            table["township_code"], table["selection_reason"], table["recipient"], strict=True
        )
    ]
    design_total = table["weight"].groupby([final[label] for label in labels]).sum()
    adjusted_total = result.analysis.groupby("weighting_class")["weight"].sum()
    # Closed form: every class with a respondent carries exactly its design-weighted count.
    assert np.allclose(adjusted_total.reindex(design_total.index), design_total, rtol=1e-12)
    assert result.analysis["weight"].sum() == pytest.approx(table["weight"].sum(), rel=1e-12)
    assert len(result.analysis) == sum(responded)
    assert (classes["class_respondents"] >= 1).all()


def test_certainty_respondents_are_a_random_subsample_of_their_class() -> None:
    frame = pd.DataFrame(
        {
            "household_id": [f"h{i}" for i in range(6)],
            "township_code": "1",
            "village_code": "v",
            "recipient": True,
            "stratum": "C:relative",
            "psu": [f"h{i}" for i in range(6)],
            "ssu_stratum": "all",
            "psu_population": 6,
            "ssu_population": 1,
            "weight": 1.0,
            "selection_reason": "certainty_relative",
        }
    )
    verification = pd.DataFrame(
        {
            "household_id": frame["household_id"],
            "status": ["verified"] * 5 + ["refused"],
            "eligible": ["no", "yes", "yes", "yes", "no", None],
        }
    )
    payments = pd.DataFrame(columns=["household_id", "payment_date", "amount"])
    table = build_analysis_table(frame, verification, payments)
    adjusted = adjust_for_nonresponse(table, minimum_respondents=1).analysis
    assert set(adjusted["stratum"]) == {"C:1:certainty_relative"}
    assert adjusted["psu_population"].tolist() == [6.0] * 5
    assert adjusted["weight"].tolist() == pytest.approx([6 / 5] * 5, rel=1e-15)
    total = audit_design(adjusted).total("ineligible")
    # SRSWOR of 5 from 6: total 6/5 · 2 = 2.4; variance 6² (1 − 5/6) s²/5 with s² the sample
    # variance of (1, 0, 0, 0, 1) = (2·0.6² + 3·0.4²)/4 = 0.3, i.e. 0.36 (SE 0.6).
    assert total.estimate == pytest.approx(2.4, rel=1e-14)
    assert total.standard_error == pytest.approx(0.6, rel=1e-12)
    # Everyone verified: the stratum stays certain (no variance), the weights stay 1.
    complete = adjust_for_nonresponse(
        build_analysis_table(frame, verification.assign(status="", eligible="yes"), payments)
    ).analysis
    assert audit_design(complete).total("ineligible").standard_error == 0.0
    assert complete["weight"].tolist() == [1.0] * 6


def test_second_stage_groups_left_with_one_respondent() -> None:
    result = adjust_for_nonresponse(_analysis(), minimum_respondents=3)
    rows = result.analysis.set_index("household_id")
    # v1: risk_oversample kept 1 of 2 (population 4): joins non_recipient (3 respondents),
    # populations 6 + 4. v2: temporary_assistance kept 1 of 2: joins random (3), 30 + 2.
    assert rows.loc["b1", "ssu_stratum"] == rows.loc["d1", "ssu_stratum"]
    assert rows.loc["b1", "ssu_stratum"] == "non_recipient+risk_oversample"
    assert rows.loc["b1", "ssu_population"] == 10.0
    assert rows.loc["c1", "ssu_stratum"] == "random+temporary_assistance"
    assert rows.loc["c1", "ssu_population"] == 32.0
    assert rows.loc["a1", "ssu_stratum"] == "random"  # 2 of 3 respondents: unchanged
    assert len(result.notes) == 2
    county_estimates(result.analysis)  # the design builds under lonely_psu="fail"


def test_response_rates_by_hand() -> None:
    rates = adjust_for_nonresponse(_analysis()).to_frame().set_index(["level", "code"])
    county = rates.loc[("county", "county")]
    # 22 of 27 verified. Design weights: 3·10 + 3·20 + 2·4 + 2·2 + 3·4 + 3·2 + 3·3 + 4·1 + 4·5
    # = 153 sampled; non-respondents a3, b2, c2, f2, g4 weigh 10 + 4 + 2 + 1 + 5 = 22.
    assert (county["sampled"], county["respondents"]) == (27, 22)
    assert county["response_rate"] == pytest.approx(22 / 27, rel=1e-15)
    assert county["weighted_sampled"] == pytest.approx(153.0, rel=1e-15)
    assert county["weighted_response_rate"] == pytest.approx(131 / 153, rel=1e-15)
    assert (county["refused"], county["not_found"], county["moved"]) == (3, 1, 1)
    township = rates.loc[("township", "2")]  # e1–e6, f3, f4, g2–g4: only g4 refused
    assert township["response_rate"] == pytest.approx(10 / 11, rel=1e-15)
    reason = rates.loc[("selection_reason", "certainty_relative")]
    assert reason["response_rate"] == 0.75 and reason["weighted_response_rate"] == 0.75


# ---------------------------------------------------------------------- estimates and bounds
def test_bounds_by_hand_and_they_bracket_the_adjusted_rate() -> None:
    table = _analysis()
    result = compute_estimates(table, minimum_respondents=3)
    recipients = table[table["recipient"]]
    weight = recipients["weight"]
    found = (weight * recipients["ineligible"]).sum()
    missing = (weight * (1 - recipients["respondent"])).sum()
    # Closed form: Σ w·ineligible / Σ w, and with every non-respondent ineligible.
    assert result.error_rate_lower_bound is not None and result.error_rate_upper_bound is not None
    lower, upper = result.error_rate_lower_bound.estimate, result.error_rate_upper_bound.estimate
    assert lower == pytest.approx(found / weight.sum(), rel=1e-14)
    assert upper == pytest.approx((found + missing) / weight.sum(), rel=1e-14)
    adjusted = adjust_for_nonresponse(table, minimum_respondents=3).analysis
    answered = adjusted[adjusted["recipient"]]
    expected = (answered["weight"] * answered["ineligible"]).sum() / answered["weight"].sum()
    assert result.error_rate.estimate == pytest.approx(expected, rel=1e-14)
    assert lower <= result.error_rate.estimate <= upper
    # Without the adjustment the table's own estimate is the lower bound (non-respondents 0).
    assert county_estimates(table).inclusion_error.estimate == pytest.approx(lower, rel=1e-14)
    figures = key_figures(result)
    assert figures["response_rate"] == pytest.approx(22 / 27, rel=1e-15)
    assert figures["error_rate_lower_bound"] == lower
    assert figures["error_rate_upper_bound"] == upper
    # Sampled recipients per township count the non-respondents; "found" the respondents only.
    towns = result.townships.set_index("township_code")
    assert towns.loc["1", "sampled"] == int(table[table["township_code"] == "1"]["recipient"].sum())


def test_nonrespondents_value_must_be_known() -> None:
    with pytest.raises(DesignError, match="nonrespondents must be"):
        inclusion_error_rate(audit_design(_analysis()), nonrespondents="maybe")


def _two_stage(status: object) -> pd.DataFrame:
    """tests/r/two_stage.csv as an analysis table (as tests/test_estimands.py)."""
    frame = pd.read_csv(HERE / "two_stage.csv", keep_default_na=False, na_values=[""])
    single = frame["stratum"].str.startswith(("C:", "N:"))
    townships = np.array(["1", "2", "3", "4"])[np.arange(len(frame)) % 4]
    frame["township_code"] = np.where(single, townships, frame["stratum"].str[2:])
    frame["village_code"] = frame["psu"]
    frame["eligible"] = np.where(frame["y"] == 1, "no", "yes")
    frame["recipient"] = frame["recipient"].astype(bool)
    if status is not None:
        frame["status"] = status
    return frame


@pytest.mark.parametrize("status", [None, "verified", ""])
def test_all_verified_gives_the_estimates_of_before(status: object) -> None:
    reference = pd.read_csv(HERE / "reference.csv")
    reference = reference[reference["case"] == "two_stage"]
    values = dict(zip(reference["quantity"], reference["value"], strict=True))
    analysis = _two_stage(status)
    options = {"method": "korn-graubard-nchs", "df_method": "design", "payment_interval": "t"}
    result = compute_estimates(analysis, **options)
    # R survey (tests/r/reference.R): svyciprop/svymean(~y, subset(design, recipient == 1)).
    assert result.error_rate.estimate == pytest.approx(values["recipient_y_mean"], rel=1e-8)
    assert result.error_rate.standard_error == pytest.approx(values["recipient_y_se"], rel=1e-8)
    assert result.error_rate.upper == pytest.approx(
        values["recipient_y_95_formula_kg_upper"], rel=1e-8
    )
    assert result.error_rate_lower_bound is result.error_rate
    assert result.error_rate_upper_bound is result.error_rate
    assert result.response_rate == 1.0 and result.nonresponse_figures is None
    assert (result.weighting_classes["factor"] == 1.0).all()
    # Exactly what the estimands give on the table itself (no adjustment is applied).
    direct = county_estimates(analysis, **options)
    for mine, theirs in (
        (result.error_rate, direct.inclusion_error),
        (result.improper_amount, direct.improper_payment_total),
    ):
        pd.testing.assert_frame_equal(mine.to_frame(), theirs.to_frame(), check_exact=True)
    # The report adds the township model's note after the estimands' own.
    assert result.notes[: len(direct.notes)] == direct.notes


def test_synthetic_county_through_the_pipeline() -> None:
    from auditlib.sampling.sample import draw_sample
    from auditlib.synth.config import SynthConfig
    from auditlib.synth.fieldwork import simulate_verification
    from auditlib.synth.generator import generate_county

    county = generate_county(SynthConfig(households=4000, township_count=4, seed=17))
    sample = draw_sample(county.data, "notice-2021", 5).table
    ids = sample["household_id"]
    results = {}
    for rate in (0.0, 0.15):
        verification = simulate_verification(
            county.data, county.truth, ids, seed=8, nonresponse_rate=rate
        )
        analysis = build_analysis_table(sample, verification, county.data.payments)
        results[rate] = (analysis, compute_estimates(analysis, lonely_psu="adjust"))
    full, partial = results[0.0][1], results[0.15][1]
    assert full.error_rate_lower_bound is full.error_rate is full.error_rate_upper_bound
    assert partial.response_rate is not None and partial.response_rate < 1
    assert partial.error_rate_lower_bound is not None
    assert partial.error_rate_upper_bound is not None
    lower, upper = partial.error_rate_lower_bound, partial.error_rate_upper_bound
    assert lower.estimate <= partial.error_rate.estimate <= upper.estimate
    assert lower.estimate <= full.error_rate.estimate <= upper.estimate
    # The adjusted weights carry every stratum's design-weighted count.
    analysis = results[0.15][0]
    adjusted = adjust_for_nonresponse(analysis).analysis
    assert adjusted["weight"].sum() == pytest.approx(analysis["weight"].sum(), rel=1e-12)
    by_stratum = adjusted.groupby(adjusted["stratum"].str[:2])["weight"].sum()
    design = analysis.groupby(analysis["stratum"].str[:2])["weight"].sum()
    assert np.allclose(by_stratum.reindex(design.index), design, rtol=1e-12)
