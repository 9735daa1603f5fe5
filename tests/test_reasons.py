"""Reasons: at most three, one per rule, none the benefit formula explains (issue 15)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from auditlib.risk.features import build_features, formula_benefit
from auditlib.risk.reasons import explain
from auditlib.risk.scorer import RiskScorer
from tests.risk_fixtures import make_county


def _many_hits():  # type: ignore[no-untyped-def]
    """HH0003 (payroll) also owns a car, commercial housing and a business, and holds two
    payroll records: five rules' worth of hits on one household."""
    data = make_county()
    head = data.members[data.members["household_id"] == "HH0003"].iloc[0]
    who = {"id_number": head["id_number"], "name": head["name"]}
    registries = dict(data.registries)

    def add(name: str, row: dict[str, object]) -> None:
        registries[name] = pd.concat([registries[name], pd.DataFrame([row])], ignore_index=True)

    add("registry_payroll", {**who, "employer": "县医院", "monthly_salary": 3900.0})
    add(
        "registry_vehicles",
        {**who, "vehicle_type": "car", "registration_date": "2024-02-01", "vehicle_value": 90000.0},
    )
    add(
        "registry_property",
        {**who, "property_type": "commercial_housing", "registration_date": "2023-01-01",
         "area": 120.0},
    )  # fmt: skip
    add(
        "registry_business",
        {**who, "business_name": "某某商店", "registration_date": "2022-01-01",
         "registered_capital": 300000.0},
    )  # fmt: skip
    return dataclasses.replace(data, registries=registries)


@pytest.fixture(scope="module")
def assessment():  # type: ignore[no-untyped-def]
    return RiskScorer(n_estimators=50, min_peers=20, random_state=1).fit_assess(_many_hits())


@pytest.mark.parametrize("language", ["zh", "en"])
def test_at_most_three_reasons_and_the_rest_named(assessment, language: str) -> None:  # type: ignore[no-untyped-def]
    reasons = explain(assessment, language=language, tiers=("high", "medium", "low"))
    assert reasons.groupby("household_id").size().max() <= 3
    mine = reasons[reasons["household_id"] == "HH0003"]
    assert list(mine["kind"]) == ["rule"] * 3
    # definitive rules in catalogue order: H03, H04, H05 shown; H09 named in the last one
    assert list(mine["code"]) == ["H03", "H04", "H05"]
    hit_codes = set(
        assessment.scores.set_index("household_id").at["HH0003", "rule_codes"].split(";")
    )
    assert {"H03", "H04", "H05", "H09"} <= hit_codes
    last = mine["evidence"].iloc[-1]
    assert ("另命中规则：H09" in last) if language == "zh" else ("also hit: H09" in last)
    # two payroll records make one reason that says so
    first = mine["evidence"].iloc[0]
    assert ("另有1条记录" in first) if language == "zh" else ("(1 more records)" in first)


def test_formula_benefit_matches_the_category_rules() -> None:
    standard = 500.0
    income = np.array([0.0, 99.0, 100.0, 250.0, 299.0, 300.0, 450.0, 600.0])
    # A below 20 % of the standard: full standard; B 20–60 %: the gap; C: at least 20 %
    expected = [500.0, 500.0, 400.0, 250.0, 210.0, 200.0, 100.0, 100.0]
    assert formula_benefit(income, standard).tolist() == expected
    assert formula_benefit(income, standard, floors=()).tolist() == [
        500.0, 410.0, 400.0, 250.0, 210.0, 200.0, 50.0, 0.0,
    ]  # fmt: skip


def test_category_floors_are_not_reasons() -> None:
    data = make_county()
    households = data.households.copy()
    recipients = households["programme"] == "dibao"
    size = households["members"].astype(float)
    # Everyone is paid by the formula; three households are category A (tiny income, full
    # standard) and one (HH0030) is paid the full standard on an income of 50 % of it.
    households.loc[recipients, "declared_income"] = 0.5 * 500.0 * size[recipients]
    households.loc[recipients, "monthly_benefit"] = 0.5 * 500.0 * size[recipients]
    floor = households["household_id"].isin(["HH0020", "HH0022", "HH0024"])
    households.loc[floor, "declared_income"] = 0.1 * 500.0 * size[floor]
    households.loc[floor, "monthly_benefit"] = 500.0 * size[floor]
    paid_too_much = households["household_id"] == "HH0030"
    households.loc[paid_too_much, "monthly_benefit"] = 500.0 * size[paid_too_much]
    county = dataclasses.replace(data, households=households)
    ids = households.loc[recipients, "household_id"].astype("string")
    features = build_features(county, ids)["benefit_above_gap"]
    assert (features[["HH0020", "HH0022", "HH0024"]] <= 0).all()
    assert features["HH0030"] == pytest.approx(50.0)
    plain = build_features(county, ids, benefit_floors=())["benefit_above_gap"]
    assert (plain[["HH0020", "HH0022", "HH0024"]] > 0).all()  # what the old feature read
    assessment = RiskScorer(n_estimators=50, min_peers=20, random_state=2).fit_assess(county)
    reasons = explain(assessment, language="en", tiers=("high", "medium", "low"))
    quoted = reasons[reasons["code"] == "benefit_above_gap"]
    assert not quoted["household_id"].isin(["HH0020", "HH0022", "HH0024"]).any()
    assert "HH0030" in set(quoted["household_id"])
