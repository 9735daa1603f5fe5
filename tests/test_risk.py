"""RiskScorer (scikit-learn conventions, ranking, protected attributes) and reasons."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from auditlib.errors import ParamsError
from auditlib.risk.assessment import SCORE_COLUMNS, within_percentile
from auditlib.risk.reasons import REASON_COLUMNS, explain, feature_reason_text, top_reasons
from auditlib.risk.scorer import RiskScorer
from tests.risk_fixtures import make_county

PLANTED_DEFINITIVE = {f"HH{n:04d}" for n in range(1, 18)} - {"HH0002"}


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    return make_county(n_households=160)


@pytest.fixture(scope="module")
def assessment(county):  # type: ignore[no-untyped-def]
    return RiskScorer(n_estimators=100, min_peers=20, random_state=3).fit_assess(county)


def test_init_only_stores_parameters() -> None:
    scorer = RiskScorer(n_estimators=-1, combine="nonsense")
    assert scorer.get_params()["n_estimators"] == -1  # stored, checked only in fit
    assert not hasattr(scorer, "forest_")
    with pytest.raises(TypeError):
        RiskScorer(100)  # type: ignore[misc]  # keyword-only


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"n_estimators": 5}, "n_estimators must be an integer ≥ 10, got 5"),
        (
            {"max_samples": 1.5},
            r"max_samples must be an integer ≥ 2 or a share in \(0, 1\], got 1.5",
        ),
        ({"tiers": (0.3, 0.2)}, "tiers must be two cumulative shares"),
        ({"combine": "max"}, "combine must be 'lexicographic' or 'rank_average', got 'max'"),
        ({"features": ("age",)}, "features must be None or a non-empty subset"),
        ({"rule_weights": {"Z01": 1.0}}, "rule_weights must be None or a dict of rule codes"),
        ({"oversized_multiple": 0.5}, "oversized_multiple must be a number > 1"),
    ],
)
def test_fit_validates_parameters(county, parameters, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParamsError, match=message):
        RiskScorer(**parameters).fit(county)


def test_score_before_fit_is_a_clear_error(county) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParamsError, match="not fitted"):
        RiskScorer().score(county)


def test_output_contract(county, assessment) -> None:  # type: ignore[no-untyped-def]
    scores = assessment.scores
    assert tuple(scores.columns) == SCORE_COLUMNS
    recipients = set(
        county.households.loc[county.households["programme"] == "dibao", "household_id"]
    )
    assert set(scores["household_id"]) == recipients and scores["household_id"].is_unique
    assert scores["risk_percentile"].between(0, 100, inclusive="right").all()
    assert scores["forest_percentile"].between(0, 100, inclusive="right").all()
    assert (scores["forest_score"] > 0).all() and (scores["forest_score"] <= 1).all()
    assert scores["risk_percentile"].is_monotonic_decreasing
    # 120 recipients: high = ceil(5% x 120) = 6, medium up to ceil(20% x 120) = 24.
    assert scores["tier"].value_counts().to_dict() == {"low": 96, "medium": 18, "high": 6}
    scorer_attributes = ("forest_", "feature_names_", "n_features_in_", "n_households_")
    fitted = RiskScorer(n_estimators=50, min_peers=20).fit(county)
    assert all(hasattr(fitted, name) for name in scorer_attributes)
    assert fitted.n_households_ == 120


def test_every_definitive_rule_hit_outranks_every_household_without_one(assessment) -> None:  # type: ignore[no-untyped-def]
    scores = assessment.scores
    planted = scores["household_id"].isin(PLANTED_DEFINITIVE)
    assert planted.sum() == len(PLANTED_DEFINITIVE)
    worst_planted = scores.loc[planted, "risk_percentile"].min()
    assert worst_planted > scores.loc[~planted, "risk_percentile"].max()


def test_same_seed_same_scores_whatever_the_row_order(county, assessment) -> None:  # type: ignore[no-untyped-def]
    shuffled = dataclasses.replace(
        county,
        households=county.households.sample(frac=1.0, random_state=1),
        payments=county.payments.sample(frac=1.0, random_state=2),
    )
    again = RiskScorer(n_estimators=100, min_peers=20, random_state=3).fit_assess(shuffled)
    pd.testing.assert_frame_equal(again.scores, assessment.scores)


def test_protected_attributes_never_change_a_score(county, assessment) -> None:  # type: ignore[no-untyped-def]
    members = county.members.copy()
    rng = np.random.default_rng(0)
    members["sex"] = np.where(members["sex"] == "M", "F", "M")
    members["ethnicity"] = rng.choice(["彝族", "回族", "苗族"], len(members))
    members["disability_grade"] = rng.integers(0, 5, len(members))
    # Age group: move every member to another age in the same legal bracket (under 18 / 18+);
    # the age-18 threshold is the adult-student rule's own policy definition.
    adult = members["age"] >= 18
    members["age"] = np.where(
        adult, rng.integers(18, 100, len(members)), rng.integers(0, 18, len(members))
    )
    changed = dataclasses.replace(county, members=members)
    again = RiskScorer(n_estimators=100, min_peers=20, random_state=3).fit_assess(changed)
    pd.testing.assert_frame_equal(again.scores, assessment.scores)


def test_seeds_agree_on_the_high_tier(county) -> None:  # type: ignore[no-untyped-def]
    runs = RiskScorer(n_estimators=200, min_peers=20).fit_assess_seeds(county, [0, 1, 2])
    highs = [set(run.scores.loc[run.scores["tier"] == "high", "household_id"]) for run in runs]
    assert highs[0] == highs[1] == highs[2]


def test_forest_sees_only_values_above_the_peer_median(assessment) -> None:  # type: ignore[no-untyped-def]
    assert (assessment.normalised.to_numpy() >= 0).all()
    assert "age" not in assessment.feature_names and "sex" not in assessment.feature_names


def test_rank_average_combination(county) -> None:  # type: ignore[no-untyped-def]
    scores = (
        RiskScorer(n_estimators=50, min_peers=20, combine="rank_average").fit(county).score(county)
    )
    # rank average = mean of the rule-weight percentile and the forest percentile
    assert scores["risk_percentile"].between(0, 100, inclusive="right").all()
    assert scores.iloc[0]["rule_count"] >= 1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50))
def test_within_percentile_properties(values: list[float]) -> None:
    array = np.array(values)
    percentile = within_percentile(array)
    assert ((percentile > 0) & (percentile <= 100)).all()
    assert percentile[np.argmax(array)] == 100.0
    order = np.argsort(array, kind="stable")
    assert (np.diff(percentile[order]) >= 0).all()


def test_feature_reason_text_matches_the_issue_example() -> None:
    text = feature_reason_text("households_per_account", 11, 1, 99.96, "county", "en")
    assert text == "account shared by 11 recipient households; county median 1; above 99.9%"
    zh = feature_reason_text("households_per_account", 11, 1, 99.96, "township", "zh")
    assert zh == "收款账户由11户保障对象共用；本乡镇中位数1；高于99.9%的保障户"


def test_reasons_of_the_high_tier(assessment) -> None:  # type: ignore[no-untyped-def]
    reasons = explain(assessment)
    assert tuple(reasons.columns) == REASON_COLUMNS
    high = set(assessment.scores.loc[assessment.scores["tier"] == "high", "household_id"])
    assert set(reasons["household_id"]) == high
    hits = assessment.rule_hits.hits
    for household, group in reasons.groupby("household_id"):
        assert len(group) <= 3
        expected_rules = hits.loc[hits["household_id"] == household, "rule_code"].nunique()
        assert (group["kind"] == "rule").sum() == min(expected_rules, 3)
        assert list(group["order"]) == list(range(1, len(group) + 1))
    # Chinese by default.
    assert reasons["text"].str.contains(r"[\u4e00-\u9fff]").all()


def test_top_reason_prefers_definitive_rules(assessment) -> None:  # type: ignore[no-untyped-def]
    reasons = explain(assessment, language="en", tiers=("high", "medium"))
    top = top_reasons(reasons)
    # HH0017: single-person household whose head died; H08 and P05 both hit, H08 listed first.
    assert top.loc["HH0017", "code"] == "H08"
    assert "deceased" in top.loc["HH0017", "text"]
    # HH0016: P04 (definitive) before P06 (prompt).
    assert top.loc["HH0016", "code"] == "P04"


def test_feature_reasons_quote_value_median_and_percentile(assessment) -> None:  # type: ignore[no-untyped-def]
    reasons = explain(assessment, language="en", tiers=("high", "medium", "low"))
    features = reasons[reasons["kind"] == "feature"]
    assert len(features) > 0
    assert features["text"].str.contains(r"; (?:township|county) median .+; above \d+\.\d%$").all()
    percentiles = features["text"].str.extract(r"above (\d+\.\d)%")[0].astype(float)
    # Below the 90% threshold only as the single fallback reason of a household without a
    # rule hit and without any feature beyond the threshold.
    below = features[(percentiles < 90.0).to_numpy()]
    counts = reasons.groupby("household_id").size()
    for household in below["household_id"]:
        assert counts[household] == 1


def test_explain_validates_its_options(assessment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParamsError, match="language must be 'zh' or 'en', got 'fr'"):
        explain(assessment, language="fr")
    with pytest.raises(ParamsError, match="max_reasons"):
        explain(assessment, max_reasons=4)
