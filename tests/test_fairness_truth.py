"""The fairness table's numbers against a direct computation from ground truth.

A synthetic county (``auditlib.synth``) is scored, a ``risk-targeted`` sample is drawn (certainty
top-risk stratum, risk oversample, random households: very unequal weights) and its verification
simulated from the ground truth, with the payment anomaly a field team would confirm added from
the ground truth (the verification contract has no such column yet). Every weighted precision,
recall and false-positive rate of :func:`auditlib.evaluation.fairness.fairness_table` is then
recomputed here with plain pandas — the same design weights, the head's attributes read from the
members table, findings from the verification answers — and must agree to 1e-12; the census
counts must equal the counts of flagged scored households exactly. The weighted and unweighted
shares differ in this sample (checked), so a table that dropped the weights would fail.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from auditlib.evaluation import proxy
from auditlib.evaluation.fairness import FAIRNESS_COLUMNS, fairness_table
from auditlib.evaluation.proxy import PROXY_ATTRIBUTES, PROXY_COLUMNS, forest_inputs, proxy_check
from auditlib.pipeline.estimates import analysis_table
from auditlib.risk.scorer import RiskScorer
from auditlib.sampling.sample import draw_sample
from auditlib.synth import fieldwork
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county

SEP = " × "


@pytest.fixture(scope="module")
def audit():  # type: ignore[no-untyped-def]
    config = SynthConfig(
        households=30_000,
        township_count=4,
        seed=3,
        dibao_share=0.08,
        payment_anomaly_rate=0.05,
        ethnicity_shares={"汉族": 0.8, "回族": 0.2},
    )
    county = generate_county(config)
    scores = RiskScorer(n_estimators=100, random_state=0).fit_assess(county.data).scores
    sample = draw_sample(county.data, "risk-targeted", 11, risk=scores)
    verification = fieldwork.simulate_verification(
        county.data, county.truth, sample.table["household_id"], seed=2
    )
    truth = county.truth.households.set_index("household_id")
    anomaly = verification["household_id"].astype(str).map(truth["payment_anomaly"])
    verification["payment_anomaly"] = np.where(anomaly.to_numpy(dtype=bool), "yes", "no")
    analysis = analysis_table(sample.table, verification, county.data)
    return county, scores, verification, analysis


def _heads(county) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Head attributes per household, straight from the members table."""
    members = county.data.members.assign(household_id=county.data.members["household_id"])
    heads = members[members["relation"] == "head"].set_index("household_id")
    ages = heads["age"].astype(float)
    age_group = np.select(
        [ages < 40, ages < 60, ages < 70], ["under 40", "40-59", "60-69"], "70 and over"
    )
    disabled = (
        (members["disability_grade"].fillna(0).astype(float) > 0)
        .groupby(members["household_id"])
        .any()
    )
    frame = pd.DataFrame(
        {
            "head_sex": heads["sex"].astype(str),
            "head_ethnicity": heads["ethnicity"].astype(str),
            "head_age_group": age_group,
            "disability": np.where(disabled.reindex(heads.index).fillna(False), "yes", "no"),
        },
        index=heads.index.astype(str),
    )
    towns = county.data.households.set_index(county.data.households["household_id"].astype(str))
    frame["township"] = towns["township"].astype(str).reindex(frame.index)
    return frame


def _member(heads: pd.DataFrame, ids: pd.Series, attribute: str, group: str) -> np.ndarray:
    if attribute == "overall":
        return np.ones(len(ids), dtype=bool)
    parts = attribute.split(SEP)
    labels = group.split(SEP)
    member = np.ones(len(ids), dtype=bool)
    for part, label in zip(parts, labels, strict=True):
        member &= ids.map(heads[part]).to_numpy(dtype=object) == label
    return member


def _direct(audit, part: str) -> tuple[pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    county, scores, verification, analysis = audit
    heads = _heads(county)
    flagged = scores.set_index(scores["household_id"].astype(str))["tier"] == "high"
    answers = verification.set_index(verification["household_id"].astype(str))
    ids = analysis["household_id"].astype(str)
    keep = ids.isin(flagged.index).to_numpy(bool).copy()  # scored (Dibao recipients)
    if part == "random":
        keep &= (analysis["selection_reason"] == "random").to_numpy(bool)
    rows = pd.DataFrame(
        {
            "household_id": ids[keep].to_numpy(),
            "weight": analysis["weight"].to_numpy(float)[keep],
            "flagged": ids[keep].map(flagged).to_numpy(bool),
            "finding": (
                (ids[keep].map(answers["eligible"]) == "no")
                | (ids[keep].map(answers["payment_anomaly"]) == "yes")
            ).to_numpy(bool),
        }
    )
    return rows, heads


def _share(frame: pd.DataFrame, within: np.ndarray, variable: str) -> float:
    part = frame[within]
    return float((part["weight"] * part[variable]).sum() / part["weight"].sum())


@pytest.mark.parametrize("part", ["all", "random"])
def test_weighted_rates_agree_with_a_direct_computation(audit, part) -> None:  # type: ignore[no-untyped-def]
    county, scores, verification, analysis = audit
    table = fairness_table(
        county.data,
        scores,
        analysis,
        verification=verification,
        part=part,
        minimum_verified=1,
        lonely_psu="adjust",
    )
    assert tuple(table.columns) == FAIRNESS_COLUMNS
    rows, heads = _direct(audit, part)
    ids = rows["household_id"]
    compared = differing = 0
    for _, line in table.iterrows():
        member = _member(heads, ids, line["attribute"], line["group"])
        flagged, finding = rows["flagged"].to_numpy(), rows["finding"].to_numpy()
        assert line["verified"] == member.sum()
        for measure, within, variable in (
            ("precision", member & flagged, "finding"),
            ("recall", member & finding, "flagged"),
            ("false_positive_rate", member & ~finding, "flagged"),
        ):
            assert line[f"{measure}_denominator"] == within.sum(), (measure, line["group"])
            assert line[f"{measure}_numerator"] == (within & rows[variable]).sum()
            if not within.any():
                assert np.isnan(line[measure])
                continue
            expected = _share(rows, within, variable)
            assert line[measure] == pytest.approx(expected, abs=1e-12), (measure, line["group"])
            low, high = line[f"{measure}_lower"], line[f"{measure}_upper"]
            assert low - 1e-12 <= line[measure] <= high + 1e-12  # a share of 1 may be 1 + 2e-16
            compared += 1
            unweighted = float(rows.loc[within, variable].mean())
            differing += abs(unweighted - expected) > 1e-6
        assert line["miss_rate"] == pytest.approx(1 - line["recall"], abs=1e-12, nan_ok=True)
        assert line["miss_rate_upper"] == pytest.approx(
            1 - line["recall_lower"], abs=1e-12, nan_ok=True
        )
    assert compared > 30
    if part == "all":
        assert differing > 0  # the weights matter here: an unweighted table would fail
        assert table["precision_denominator"].iloc[0] > 30


def test_census_counts_are_exact(audit) -> None:  # type: ignore[no-untyped-def]
    county, scores, _, analysis = audit
    table = fairness_table(county.data, scores, analysis, lonely_psu="adjust")
    heads = _heads(county)
    ids = scores["household_id"].astype(str)
    flagged = (scores["tier"] == "high").to_numpy()
    overall_rate = flagged.mean()
    for _, line in table.iterrows():
        member = _member(heads, ids, line["attribute"], line["group"])
        assert line["households"] == member.sum()
        assert line["flagged"] == (member & flagged).sum()
        assert line["flag_rate"] == (member & flagged).sum() / member.sum()
        assert line["ratio_to_overall"] == pytest.approx(line["flag_rate"] / overall_rate, 1e-12)
    crossed = table[table["attribute"].str.contains(SEP, regex=False)]
    assert len(crossed) and (crossed["households"] >= 30).all()
    assert set(table["attribute"]) >= {"head_sex", "head_ethnicity", "township"}


def test_too_few_verified_gives_no_number(audit) -> None:  # type: ignore[no-untyped-def]
    county, scores, verification, analysis = audit
    table = fairness_table(
        county.data, scores, analysis, verification=verification, lonely_psu="adjust"
    )
    few = table["precision_denominator"] < 10
    assert few.any() and table.loc[few, "precision"].isna().all()
    assert table.loc[~few, "precision"].notna().all()


def test_no_protected_attribute_changes_any_score(audit) -> None:  # type: ignore[no-untyped-def]
    county = audit[0]
    scorer = RiskScorer(n_estimators=50, random_state=0)
    before = scorer.fit_assess(county.data).scores
    members = county.data.members.copy()
    members["sex"] = np.where(members["sex"] == "M", "F", "M")
    members["ethnicity"] = np.where(members["ethnicity"] == "汉族", "回族", "汉族")
    grade = members["disability_grade"]
    members["disability_grade"] = grade.where(grade.notna() & (grade > 0), 2).where(
        grade.isna() | (grade == 0), np.nan
    )
    changed = dataclasses.replace(county.data, members=members)
    after = RiskScorer(n_estimators=50, random_state=0).fit_assess(changed).scores
    pd.testing.assert_frame_equal(before, after)
    assert (members["sex"] != county.data.members["sex"]).all()


def test_proxy_check_rebuilds_the_forest_inputs(audit) -> None:  # type: ignore[no-untyped-def]
    county = audit[0]
    assessment = RiskScorer(n_estimators=20, random_state=0).fit_assess(county.data)
    # the rebuilt township-normalised matrix is exactly what the scorer fed its forest
    pd.testing.assert_frame_equal(
        forest_inputs(assessment, within="township"), assessment.normalised
    )
    county_inputs = forest_inputs(assessment, within="county")
    assert not county_inputs.equals(assessment.normalised)
    table = proxy_check(county.data, assessment, model="logistic")
    assert tuple(table.columns) == PROXY_COLUMNS
    assert list(table["attribute"]) == list(PROXY_ATTRIBUTES)
    heads = _heads(county).reindex(assessment.features.index.astype(str))
    hui = _row(table, "hui_head")
    assert hui["positives"] == (heads["head_ethnicity"] == "回族").sum() > 0
    assert _row(table, "female_head")["positives"] == (heads["head_sex"] == "F").sum()
    for column in ("auc_township", "auc_county"):
        assert table[column].between(0, 1).all()
    assert set(table["lowest"]) <= {"township", "county"}


def _row(table: pd.DataFrame, attribute: str) -> pd.Series:
    return table[table["attribute"] == attribute].iloc[0]


def test_proxy_check_of_a_large_county_runs_on_a_seeded_subset(audit, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    county = audit[0]
    assessment = RiskScorer(n_estimators=20, random_state=0).fit_assess(county.data)
    size = len(assessment.features) // 2
    monkeypatch.setattr(proxy, "MAX_HOUSEHOLDS", size)
    first = proxy_check(county.data, assessment, model="logistic", random_state=3)
    again = proxy_check(county.data, assessment, model="logistic", random_state=3)
    pd.testing.assert_frame_equal(first, again)  # the same households every time
    assert (first["households"] == size).all()
    heads = _heads(county).reindex(assessment.features.index.astype(str))
    female = int((heads["head_sex"] == "F").sum())
    assert 0 < _row(first, "female_head")["positives"] < female  # counted on the subset
