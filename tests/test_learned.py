"""The learned risk score (issue 15): labels, model, exploration, params, no protected inputs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from auditlib.data.bundle import CountyData
from auditlib.errors import ParamsError
from auditlib.estimation.findings import verified_findings
from auditlib.pipeline.params import params_from_mapping
from auditlib.pipeline.risk_ranking import assess_county
from auditlib.report.sections_risk import ranking_note
from auditlib.risk.learned import LearnedRanker, interleave, learning_matrix
from auditlib.risk.scorer import RiskScorer
from auditlib.sampling.frame import build_frame
from auditlib.sampling.plan import resolve_plan
from auditlib.sampling.sample import sample_from_frame
from auditlib.synth.config import SynthConfig
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import generate_county
from auditlib.synth.output import write_county
from tests.risk_fixtures import INFO

SCORER = {"n_estimators": 30, "max_samples": 128}
#: A small county with many findings, so that one round has enough labels (seeds used only here).
CONFIG = SynthConfig(households=4000, township_count=4, inclusion_error_rate=0.25, seed=4411)


@given(
    size=st.integers(min_value=1, max_value=60),
    share=st.floats(min_value=0.0, max_value=0.9),
    seed=st.integers(min_value=0, max_value=1000),
)
@settings(max_examples=60, deadline=None)
def test_interleave_keeps_the_forest_share_in_every_prefix(
    size: int, share: float, seed: int
) -> None:
    ids = [f"h{i}" for i in range(size)]
    rng = np.random.default_rng(seed)
    learned = list(rng.permutation(ids))
    forest = list(rng.permutation(ids))
    order, explored = interleave(learned, forest, share)
    assert sorted(order) == sorted(ids)
    for k in range(1, size + 1):
        assert sum(explored[:k]) == int(np.floor(k * share + 1e-9))
    # the learned picks keep the learned order, the forest picks the forest order
    picked = [household for household, by in zip(order, explored, strict=True) if not by]
    assert picked == [household for household in learned if household in set(picked)]


def _round(config: SynthConfig, seed: int):  # type: ignore[no-untyped-def]
    county = generate_county(config)
    assessment = RiskScorer(**SCORER).fit_assess(county.data)
    plan = resolve_plan("notice-2019", {"households_per_village": 20})
    frame = build_frame(county.data, plan, assessment.scores)
    sample = sample_from_frame(frame, plan, seed, county.data.info.county_code)
    ids = sample.table["household_id"].astype(str).tolist()
    answers = simulate_verification(county.data, county.truth, ids, seed=seed)
    return county, assessment, sample, answers


def _labels(previous) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    county, _, sample, answers = previous
    return verified_findings(sample.table, answers, county.data)


@pytest.fixture(scope="module")
def previous():  # type: ignore[no-untyped-def]
    return _round(dataclasses.replace(CONFIG, seed=4412), seed=44_120)


def test_findings_agree_with_the_truth(previous) -> None:  # type: ignore[no-untyped-def]
    county, _, sample, answers = previous
    findings = verified_findings(sample.table, answers, county.data)
    truth = county.truth.households.assign(
        household_id=county.truth.households["household_id"].astype(str)
    ).set_index("household_id")
    dibao = county.data.households.set_index(county.data.households["household_id"].astype(str))
    sampled = sample.table.set_index(sample.table["household_id"].astype(str))
    expected = [
        household for household in sampled.index if dibao.at[household, "programme"] == "dibao"
    ]
    assert sorted(findings["household_id"]) == sorted(expected)  # no non-response simulated
    ineligible = ~truth.loc[findings["household_id"], "eligible"].to_numpy(bool)
    assert (findings["ineligible"].to_numpy() == ineligible).all()
    # duplicate payments of eligible households are overpayments
    duplicates = truth["payment_anomaly_types"].astype(str).str.contains("duplicate_payment")
    eligible_duplicates = set(truth.index[duplicates & truth["eligible"].astype(bool)])
    labelled = findings.set_index("household_id")
    for household in eligible_duplicates & set(labelled.index):
        assert labelled.at[household, "overpaid"]
    assert (findings["weight"].to_numpy() == sampled.loc[findings["household_id"], "weight"]).all()
    assert findings["finding"].sum() >= 15


def test_findings_tolerance_on_a_hand_made_round() -> None:
    sample = pd.DataFrame(
        {
            "household_id": ["A", "B", "C"],
            "recipient": [True, True, True],
            "stratum": ["T:1", "T:1", "T:1"],
            "weight": [10.0, 10.0, 10.0],
        }
    )
    households = pd.DataFrame(
        {
            "household_id": ["A", "B", "C"],
            "programme": ["dibao"] * 3,
            "enrolment_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2025-03-01"]),
            "exit_date": pd.NaT,
        }
    )
    # six months of 100 yuan; A paid one extra month, B 5 % more, C (new in March) one
    # month of arrears on top of its four months
    payments = pd.DataFrame(
        {
            "household_id": ["A"] * 7 + ["B"] * 6 + ["C"] * 5,
            "payment_date": pd.to_datetime(
                [f"2025-0{m}-15" for m in range(1, 7)] + ["2025-06-20"]
                + [f"2025-0{m}-15" for m in range(1, 7)]
                + [f"2025-0{m}-15" for m in range(3, 7)] + ["2025-03-16"]
            ),
            "amount": [100.0] * 7 + [105.0] * 6 + [100.0] * 5,
        }
    )  # fmt: skip
    verification = pd.DataFrame(
        {
            "household_id": ["A", "B", "C"],
            "eligible": ["yes", "yes", "yes"],
            "error_type": [pd.NA] * 3,
            "correct_benefit": [100.0, 100.0, 100.0],
            "payment_anomaly": ["no", pd.NA, "yes"],
        }
    )
    data = CountyData(
        info=INFO, households=households, members=pd.DataFrame(), payments=payments, registries={}
    )
    findings = verified_findings(sample, verification, data).set_index("household_id")
    assert findings["overpaid"].to_dict() == {"A": True, "B": False, "C": False}
    assert findings["payment_anomaly"].to_dict() == {"A": False, "B": False, "C": True}
    assert findings["finding"].to_dict() == {"A": True, "B": False, "C": True}


def test_too_few_labels_refuse_to_learn() -> None:
    inputs = pd.DataFrame({"x": np.arange(200.0)})
    with pytest.raises(ParamsError, match="at least 100 and 10"):
        LearnedRanker().fit(inputs, np.arange(200) < 5, np.ones(200))
    with pytest.raises(ParamsError, match="positive and finite"):
        LearnedRanker().fit(inputs, np.arange(200) < 50, np.zeros(200))
    with pytest.raises(ParamsError, match="exploration_share"):
        LearnedRanker(exploration_share=1.0)


def test_the_model_learns_a_planted_signal() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(600, 3))
    y = rng.random(600) < 1 / (1 + np.exp(-(3 * x[:, 0] - 2)))
    inputs = pd.DataFrame(x, columns=["signal", "noise1", "noise2"])
    ranker = LearnedRanker(random_state=1).fit(inputs, y, rng.uniform(1, 20, 600))
    fresh = pd.DataFrame(rng.normal(size=(400, 3)), columns=["signal", "noise1", "noise2"])
    probability = ranker.probability(fresh)
    assert np.corrcoef(probability, fresh["signal"])[0, 1] > 0.8
    assert probability.min() > 0 and probability.max() < 1


def _rule_training() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """200 verified households: 30 findings (rows 0-29); H04 hit rows 25-34 (5 findings of
    weight 1, 5 non-findings of weight 3); H02 (a prompt) hit rows 0-9; P05 hit nowhere."""
    rng = np.random.default_rng(7)
    finding = np.arange(200) < 30
    inputs = pd.DataFrame({"signal": finding + rng.normal(scale=0.5, size=200)})
    for code, rows in {"H04": range(25, 35), "H02": range(10), "P05": range(0)}.items():
        inputs[f"rule:{code}"] = np.isin(np.arange(200), list(rows)).astype(float)
    weight = np.where(np.arange(200) >= 30, 3.0, 1.0)
    return inputs, finding, weight


def test_rule_estimates_shrink_each_definitive_rule_toward_the_prior() -> None:
    inputs, finding, weight = _rule_training()
    ranker = LearnedRanker(random_state=2).fit(inputs, finding, weight)
    # hand calculation: H04's weighted rate 5·1 / (5·1 + 5·3) = 0.25 over n = 10 hits,
    # shrunk toward m = 0.9 with k = 5: (5·0.9 + 10·0.25) / 15 = 7/15; P05 (no hit) keeps 0.9
    assert ranker.rule_precision_["H04"] == pytest.approx(7 / 15)
    assert ranker.rule_precision_["P05"] == pytest.approx(0.9)
    assert "H02" not in ranker.rule_precision_  # a prompt (weight 0.25) gets no estimate
    weighted = LearnedRanker(rule_weights={"H02": 1.0, "H04": 0.5}).fit(inputs, finding, weight)
    assert "H02" in weighted.rule_precision_ and "H04" not in weighted.rule_precision_
    # weight 1 to the data only: the plain rate; weight to the prior only: the prior
    assert LearnedRanker(rule_prior_strength=0.0).fit(inputs, finding, weight).rule_precision_[
        "H04"
    ] == pytest.approx(0.25)
    assert LearnedRanker(rule_prior_precision=0.6, rule_prior_strength=1e9).fit(
        inputs, finding, weight
    ).rule_precision_["H04"] == pytest.approx(0.6)


def test_definitive_rule_households_rank_at_least_at_their_rule_estimate() -> None:
    inputs, finding, weight = _rule_training()
    ranker = LearnedRanker(random_state=2).fit(inputs, finding, weight)
    # fresh households with no signal: the model gives them little; a P05 hit (no evidence
    # in the previous round) keeps the prior 0.9, an H04 hit its shrunk 7/15
    fresh = pd.DataFrame(
        {
            "signal": [-1.0] * 4,
            "rule:H04": [0, 1, 0, 1.0],
            "rule:H02": 0.0,
            "rule:P05": [0, 0, 1, 1.0],
        }
    )
    model = ranker.model_probability(fresh)
    assert (model < 7 / 15).all()
    np.testing.assert_allclose(ranker.rule_probability(fresh), [0.0, 7 / 15, 0.9, 0.9])
    np.testing.assert_allclose(ranker.probability(fresh), [model[0], 7 / 15, 0.9, 0.9])
    # a household the model is sure of still outranks a weak rule's hit
    sure = pd.DataFrame({"signal": [30.0], "rule:H04": 0.0, "rule:H02": 0.0, "rule:P05": 0.0})
    assert ranker.probability(sure)[0] > 7 / 15
    # without rule estimates: the model alone
    alone = LearnedRanker(random_state=2, rule_estimates=False).fit(inputs, finding, weight)
    assert alone.rule_precision_ == {}
    np.testing.assert_array_equal(alone.probability(fresh), alone.model_probability(fresh))


def test_rule_estimate_parameters_are_checked() -> None:
    with pytest.raises(ParamsError, match=r"rule_prior_precision must be in \[0, 1\], got 1.5"):
        LearnedRanker(rule_prior_precision=1.5)
    with pytest.raises(ParamsError, match="rule_prior_strength must be finite and ≥ 0, got -1"):
        LearnedRanker(rule_prior_strength=-1.0)


def _protected_changed(data: CountyData) -> CountyData:
    members = data.members.copy()
    members["sex"] = np.where(members["sex"].astype(str) == "M", "F", "M")
    members["ethnicity"] = "回族"
    members["disability_grade"] = 1
    return dataclasses.replace(data, members=members)


def test_no_protected_attribute_changes_the_learned_probability(previous) -> None:  # type: ignore[no-untyped-def]
    county, assessment, sample, answers = previous
    findings = verified_findings(sample.table, answers, county.data)
    inputs = learning_matrix(assessment).reindex(findings["household_id"])
    ranker = LearnedRanker(random_state=3).fit(inputs, findings["finding"], findings["weight"])
    changed = RiskScorer(**SCORER).fit_assess(_protected_changed(county.data))
    before = learning_matrix(assessment)
    after = learning_matrix(changed)
    pd.testing.assert_frame_equal(before, after)
    assert (ranker.probability(before) == ranker.probability(after)).all()


def test_assess_county_learns_from_a_recorded_round(previous, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    county, _, sample, answers = previous
    write_county(county, tmp_path / "2025")
    sample.write(tmp_path / "audit-2025")
    answers.to_csv(tmp_path / "verification-2025.csv", index=False)
    current = generate_county(dataclasses.replace(CONFIG, seed=4413))
    write_county(current, tmp_path / "2026")
    mapping = {
        "county_code": CONFIG.county_code,
        "data": "2026",
        "seed": 1,
        "risk": {
            **SCORER,
            "previous_rounds": [
                {"data": "2025", "sample": "audit-2025", "verification": "verification-2025.csv"}
            ],
            "exploration_share": 0.2,
        },
    }
    params = params_from_mapping(mapping, base=tmp_path)
    ranked = assess_county(params, current.data)
    assert ranked.learned and ranked.training["rounds"] == 1.0
    # the report's risk section says how the ranking was made, with the training counts
    training = ranked.training
    verified, found = int(training["verified"]), int(training["findings"])
    assert (verified, found) == (len(_labels(previous)), int(_labels(previous)["finding"].sum()))
    note = ranking_note(training, "en")
    assert f"{verified:,} verified households, {found:,} with a finding" in note
    assert "20% of every verification budget" in note
    assert "前 1 轮核查结果" in ranking_note(training, "zh")
    scores = ranked.assessment.scores
    first = scores.head(50)
    assert (first["chosen_by"] == "forest").sum() == 10
    assert (np.diff(scores.loc[scores["chosen_by"] == "learned", "learned_probability"]) <= 0).all()
    assert list(scores["tier"].head(3)) == ["high"] * 3
    again = assess_county(params, current.data).assessment.scores
    assert again["household_id"].tolist() == scores["household_id"].tolist()
    # without rounds: the unsupervised ranking, no note
    plain = assess_county(
        params_from_mapping({**mapping, "risk": SCORER}, base=tmp_path), current.data
    )
    assert not plain.learned and plain.training == {}
    assert ranking_note(plain.training, "zh") == ""
    # most of the previous round not reached: too few labels, ranked without them, and the
    # report says why
    ids = sample.table["household_id"].astype(str).tolist()
    unreached = simulate_verification(county.data, county.truth, ids, seed=7, nonresponse_rate=0.9)
    unreached.to_csv(tmp_path / "few-2025.csv", index=False)
    few_round = {"data": "2025", "sample": "audit-2025", "verification": "few-2025.csv"}
    few = {**mapping, "risk": {**mapping["risk"], "previous_rounds": [few_round]}}
    unlearned = assess_county(params_from_mapping(few, base=tmp_path), current.data)
    assert not unlearned.learned and unlearned.training["learned"] == 0.0
    assert unlearned.training["verified"] < 100
    why = ranking_note(unlearned.training, "en")
    assert "too few to train a model (at least 100 and 10 are needed)" in why
    # nothing of the previous round was written
    assert sorted(p.name for p in (tmp_path / "audit-2025").iterdir()) == [
        "sample.csv",
        "sample.json",
    ]


def test_the_calibrated_model_uses_the_design_weights_in_every_fold() -> None:
    """Out-of-fold calibration (``learned_models``) must not drop the design weights: the fold
    models fitted with weights differ from those fitted without, and no warning says a weight
    was ignored."""
    import warnings

    from auditlib.risk.learned_models import calibrated_model

    rng = np.random.default_rng(4412)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + rng.normal(size=400)) > 1.0
    # Heavy weights on the households where the second column predicts the finding.
    weight = np.where(x[:, 1] > 0, 1.0, 10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        weighted = calibrated_model("logistic", 0).fit(x, y, sample_weight=weight)
    plain = calibrated_model("logistic", 0).fit(x, y)

    def coefficients(model: object) -> np.ndarray:
        folds = model.calibrated_classifiers_  # type: ignore[attr-defined]
        return np.array([fold.estimator[-1].coef_[0] for fold in folds])

    assert len(weighted.calibrated_classifiers_) == 5
    assert not np.allclose(coefficients(weighted), coefficients(plain), atol=1e-3)


def test_out_of_fold_calibration_tempers_an_overfitted_model() -> None:
    """A feature that separates the training labels only by chance gets an in-sample logistic
    probability near 1 far outside its training range; the out-of-fold calibrated probability of
    the same row stays well below it (why the ranker's probability can be compared with the
    rules' estimates, ``learned_models`` docstring)."""
    from auditlib.risk.learned_models import _logistic, calibrated_model

    rng = np.random.default_rng(4414)
    x = rng.normal(size=(150, 30))
    y = rng.random(150) < 0.15
    far = np.full((1, 30), 0.0)
    far[0, :] = np.sign(_logistic(0).fit(x, y)[-1].coef_[0]) * 4.0
    in_sample = _logistic(0).fit(x, y).predict_proba(far)[0, 1]
    calibrated = calibrated_model("logistic", 0).fit(x, y).predict_proba(far)[0, 1]
    # 15 % of the rows have a finding; in-sample 0.84, out of fold 0.20 (seed 4414).
    assert in_sample > 0.7
    assert calibrated < 0.35
