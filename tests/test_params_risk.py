"""The ``risk`` section reaches every RiskScorer parameter and rule weight (issue 15)."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any

import pytest

from auditlib.errors import ParamsError
from auditlib.pipeline.audit import risk_scorer
from auditlib.pipeline.params import RiskParams, load_params
from auditlib.pipeline.risk_params import FILE_FIELDS, LEARNING_FIELDS
from auditlib.risk.crosscounty import FINDING_COLUMNS
from auditlib.risk.features import FEATURES
from auditlib.risk.learned import LearnedRanker
from auditlib.risk.rules.catalogue import RULE_CODES, RULES
from auditlib.risk.scorer import RiskScorer
from auditlib.risk.vocabulary import FEATURE_NAMES

MINIMAL = "county_code: '430522'\ndata: ../data/example/430522\nseed: 7\n"


def _load(tmp_path: Path, risk: str) -> RiskParams:
    path = tmp_path / "430522.yaml"
    path.write_text(MINIMAL + "risk:\n" + risk, encoding="utf-8")
    return load_params(path).risk


def test_every_scorer_parameter_has_a_field_with_the_scorer_default() -> None:
    scorer = RiskScorer().get_params()
    fields = RiskParams.model_fields
    assert set(scorer) <= set(fields)
    assert set(fields) - set(scorer) == {"budget_share", *LEARNING_FIELDS}
    assert set(FILE_FIELDS) <= set(scorer)  # a path in the file, its content in the scorer
    for name, default in scorer.items():
        assert fields[name].default == default, name
    assert inspect.signature(RiskScorer.__init__).parameters.keys() - {"self"} == set(scorer)


def test_vocabulary_is_the_scorer_vocabulary() -> None:
    assert tuple(spec.name for spec in FEATURES) == FEATURE_NAMES
    assert tuple(rule.code for rule in RULES) == RULE_CODES


def test_every_field_reaches_the_scorer(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        "  n_estimators: 40\n  max_samples: 0.5\n  features: [income_per_capita, housing_storeys]\n"
        "  normalise_within: county\n  min_peers: 12\n  combine: rank_average\n"
        "  one_sided: false\n  tiers: [0.1, 0.3]\n  programmes: [dibao, tekun]\n"
        "  shared_account_households: 3\n  oversized_multiple: 3.5\n"
        "  entitlement_tolerance: 0.2\n  luxury_storeys: 4\n  vehicle_value_minimum: 35000\n"
        "  business_capital_minimum: 5000\n  housing_share_minimum: 0.3\n"
        "  payroll_exempt_keywords: [公益性岗位, 护林员]\n"
        "  benefit_floors: [[0, 1], [0.3, 0]]\n  benefit_rounding: 1\n"
        "  rule_weights: {H02: 1.0, P06: 0.3}\n  empty_registry: warning\n"
        "  rejected_rows: error\n  random_state: 9\n  n_jobs: -1\n"
        "  cross_county: findings/crosscounty.csv\n",
    )
    assert settings.cross_county == tmp_path / "findings" / "crosscounty.csv"
    (tmp_path / "findings").mkdir()
    header = ",".join(FINDING_COLUMNS)
    settings.cross_county.write_text(
        f"{header}\n"
        "cross_county_death,430522,H1,dibao,430522199001011234,,530621,,,registry_deaths\n"
        "cross_county_death,500102,H9,dibao,500102199001011234,,530621,,,registry_deaths\n",
        encoding="utf-8",
    )
    scorer = risk_scorer(settings, "430522")
    findings = scorer.get_params()["cross_county"]
    assert list(findings["household_id"]) == ["H1"]  # the county's rows only
    assert list(findings["source_row"]) == [2]
    expected: dict[str, Any] = {
        "n_estimators": 40,
        "max_samples": 0.5,
        "features": ("income_per_capita", "housing_storeys"),
        "normalise_within": "county",
        "min_peers": 12,
        "combine": "rank_average",
        "one_sided": False,
        "tiers": (0.1, 0.3),
        "programmes": ("dibao", "tekun"),
        "shared_account_households": 3,
        "oversized_multiple": 3.5,
        "entitlement_tolerance": 0.2,
        "luxury_storeys": 4,
        "vehicle_value_minimum": 35000.0,
        "business_capital_minimum": 5000.0,
        "housing_share_minimum": 0.3,
        "payroll_exempt_keywords": ("公益性岗位", "护林员"),
        "benefit_floors": ((0.0, 1.0), (0.3, 0.0)),
        "benefit_rounding": 1.0,
        "rule_weights": {"H02": 1.0, "P06": 0.3},
        "empty_registry": "warning",
        "rejected_rows": "error",
        "random_state": 9,
        "n_jobs": -1,
    }
    assert {k: v for k, v in scorer.get_params().items() if k != "cross_county"} == expected
    scorer._check_parameters()  # the scorer accepts what the file accepted


@pytest.mark.parametrize(
    ("risk", "key"),
    [
        ("  rule_weights: {H99: 1.0}\n", "risk.rule_weights"),
        ("  rule_weights: {H02: -1}\n", "risk.rule_weights"),
        ("  features: [income_per_capita, shoe_size]\n", "risk.features"),
        ("  features: []\n", "risk.features"),
        ("  max_samples: 1.5\n", "risk.max_samples"),
        ("  max_samples: 1\n", "risk.max_samples"),
        ("  min_peers: 1\n", "risk.min_peers"),
        ("  combine: average\n", "risk.combine"),
        ("  programmes: []\n", "risk.programmes"),
        ("  programmes: [wubao]\n", "risk.programmes.0"),
        ("  oversized_multiple: 1.0\n", "risk.oversized_multiple"),
        ("  shared_account_households: 1\n", "risk.shared_account_households"),
        ("  payroll_exempt_keywords: ['']\n", "risk.payroll_exempt_keywords"),
        ("  n_jobs: 0\n", "risk.n_jobs"),
        ("  housing_share_minimum: 1.5\n", "risk.housing_share_minimum"),
        ("  benefit_floors: [[0.2, -1]]\n", "risk.benefit_floors.0.1"),
        ("  benefit_floors: [[0.2]]\n", "risk.benefit_floors.0.1"),
        ("  forest_size: 10\n", "risk.forest_size"),
    ],
)
def test_bad_risk_values_name_the_key(tmp_path: Path, risk: str, key: str) -> None:
    with pytest.raises(ParamsError) as caught:
        _load(tmp_path, risk)
    assert key in {problem.column for problem in caught.value.problems}
    assert "430522.yaml" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_samples", 1.5),
        ("min_peers", 1),
        ("oversized_multiple", 1.0),
        ("shared_account_households", 1),
        ("rule_weights", {"H99": 1.0}),
        ("features", ("shoe_size",)),
        ("n_jobs", 0),
        ("benefit_floors", ((0.2, -1.0),)),
        ("benefit_rounding", -1.0),
    ],
)
def test_what_the_file_refuses_the_scorer_refuses_too(name: str, value: Any) -> None:
    with pytest.raises(ParamsError):
        RiskScorer(**{name: value})._check_parameters()


def test_every_learned_ranker_parameter_has_a_field_with_its_default() -> None:
    # the learned score's settings (risk.previous_rounds ...) reach LearnedRanker whole
    renamed = {"model": "learned_model"}  # a ranker field → its params key
    fields = RiskParams.model_fields
    for field in dataclasses.fields(LearnedRanker):
        key = renamed.get(field.name, field.name)
        assert key in fields, field.name
        assert fields[key].default == field.default, field.name
