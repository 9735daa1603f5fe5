"""Red-flag rules: each planted case of risk_fixtures is hit by its rule and nothing else is."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from auditlib.errors import ParamsError
from auditlib.risk.rules.catalogue import RULES, rule_catalogue, rule_spec
from auditlib.risk.rules.evaluate import RuleParameters, evaluate_rules
from tests.risk_fixtures import make_county


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    return make_county()


@pytest.fixture(scope="module")
def hits(county):  # type: ignore[no-untyped-def]
    return evaluate_rules(county, programmes=("dibao",)).hits


# Expected hits by construction (risk_fixtures module docstring). P06 (total paid above the
# entitlement plus one month) also fires for HH0015 (7 payments for 6 months plus 10% is
# below 7 ... see the comment in test_overpaid) and HH0016 (one payment of 5x: 10 months' pay
# in 6 months).
EXPECTED = {
    "H01": {"HH0001"},
    "H02": {"HH0002"},
    "H03": {"HH0003"},
    "H04": {"HH0004"},
    "H05": {"HH0005"},
    "H06": {"HH0006"},
    "H07": {"HH0007"},
    "H08": {"HH0008", "HH0017"},
    "H09": {"HH0009"},
    "H10": {"HH0010"},
    "P01": {"HH0012", "HH0013", "HH0014"},
    "P02": {"HH0011"},
    "P03": {"HH0015"},
    "P04": {"HH0016"},
    "P05": {"HH0017"},
    "P06": {"HH0016"},
}


def test_catalogue_codes_are_unique_stable_and_bilingual() -> None:
    codes = [rule.code for rule in RULES]
    assert codes == (
        [f"H{n:02d}" for n in range(1, 11)]
        + [f"P{n:02d}" for n in range(1, 7)]
        + [f"X{n:02d}" for n in range(1, 5)]
    )
    for rule in RULES:
        assert rule.text_zh and rule.text_en and rule.clause and rule.causes and rule.sources
    assert list(rule_catalogue()["code"]) == codes
    with pytest.raises(KeyError, match="known"):
        rule_spec("X99")


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_rule_hits_exactly_its_planted_households(hits, code) -> None:  # type: ignore[no-untyped-def]
    assert set(hits.loc[hits["rule_code"] == code, "household_id"]) == EXPECTED[code]


def test_overpaid_threshold_allows_one_month_of_arrears(county, hits) -> None:  # type: ignore[no-untyped-def]
    # HH0015 received 7 payments for 6 months: the excess is exactly one month's benefit,
    # which the allowance max(10% of 6 months, 1 month) = 1 month lets pass (not above it).
    assert "HH0015" not in set(hits.loc[hits["rule_code"] == "P06", "household_id"])
    strict = evaluate_rules(county, parameters=RuleParameters(entitlement_tolerance=0.0)).hits
    assert "HH0015" not in set(strict.loc[strict["rule_code"] == "P06", "household_id"])


def test_hits_name_the_triggering_record(hits) -> None:  # type: ignore[no-untyped-def]
    cadre = hits[hits["rule_code"] == "H01"].iloc[0]
    # registry_cadres row 2 = the first record (header = row 1).
    assert (cadre["source"], cadre["source_row"]) == ("registry_cadres", 2)
    assert "村主任" in cadre["evidence_zh"] and "registry_cadres row 2" in cadre["evidence_en"]
    car = hits[hits["rule_code"] == "H04"].iloc[0]
    assert car["source_row"] == 2  # the car, not the motorcycle in row 3
    assert "85,000" in car["evidence_en"]
    house = hits[hits["rule_code"] == "H06"].iloc[0]
    assert (house["source"], house["source_row"]) == ("households", 7)  # HH0006: row 7
    death = hits[(hits["rule_code"] == "P05")].iloc[0]
    assert "2025-02-10" in death["evidence_en"] and death["source"] == "payments"


def test_identities_in_evidence_are_masked(county, hits) -> None:  # type: ignore[no-untyped-def]
    names = set(county.members["name"])
    for text in pd.concat([hits["evidence_zh"], hits["evidence_en"]]):
        assert not any(name in text for name in names)


def test_exemptions(county) -> None:  # type: ignore[no-untyped-def]
    registries = dict(county.registries)
    vehicles = registries["registry_vehicles"].copy()
    vehicles.loc[0, "vehicle_value"] = 8_000.0  # an old car below the 20,000 yuan default
    payroll = registries["registry_payroll"].copy()
    payroll.loc[0, "employer"] = "某镇生态护林员(公益性岗位)"
    business = registries["registry_business"].copy()
    business.loc[0, "registered_capital"] = 3_000.0
    registries.update(
        registry_vehicles=vehicles, registry_payroll=payroll, registry_business=business
    )
    hits = evaluate_rules(dataclasses.replace(county, registries=registries)).hits
    assert not hits["rule_code"].isin(["H03", "H04", "H09"]).any()
    loose = RuleParameters(
        vehicle_value_minimum=0, business_capital_minimum=0, payroll_exempt_keywords=()
    )
    hits = evaluate_rules(dataclasses.replace(county, registries=registries), parameters=loose)
    assert set(hits.hits["rule_code"]) >= {"H03", "H04", "H09"}


def test_declared_wage_counts_as_salary(county) -> None:  # type: ignore[no-untyped-def]
    members = county.members.copy()
    row = members.index[members["household_id"] == "HH0030"][0]
    members.loc[row, ["employment", "monthly_earnings"]] = ["wage", 3200.0]
    hits = evaluate_rules(dataclasses.replace(county, members=members)).hits
    salary = hits[(hits["rule_code"] == "H03") & (hits["household_id"] == "HH0030")]
    assert list(salary["source"]) == ["members"]
    assert "3,200" in salary["evidence_en"].iloc[0]


def test_non_recipients_are_not_reported_unless_asked(county) -> None:  # type: ignore[no-untyped-def]
    households = county.households.copy()
    households.loc[households["household_id"] == "HH0006", "programme"] = "none"
    changed = dataclasses.replace(county, households=households)
    assert "HH0006" not in set(evaluate_rules(changed).hits["household_id"])
    everyone = evaluate_rules(changed, recipients_only=False).hits
    assert "HH0006" in set(everyone["household_id"])


def test_per_household_counts_and_weights(county) -> None:  # type: ignore[no-untyped-def]
    result = evaluate_rules(county)
    table = result.per_household(pd.Series(["HH0016", "HH0002", "HH0040"])).set_index(
        "household_id"
    )
    assert table.loc["HH0016", "rule_codes"] == "P04;P06"
    assert table.loc["HH0016", "rule_count"] == 2
    # P04 is definitive (weight 1), P06 a prompt (0.5); H02 a prompt (0.25).
    assert table.loc["HH0016", "definitive_weight"] == 1.0
    assert table.loc["HH0016", "prompt_weight"] == 0.5
    assert table.loc["HH0002", "prompt_weight"] == 0.25
    assert table.loc["HH0040", "rule_count"] == 0 and table.loc["HH0040", "rule_codes"] == ""
    summary = result.summary().set_index("code")
    assert summary.loc["P01", "households"] == 3 and summary.loc["H10", "households"] == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("shared_account_households", 1, "shared_account_households must be an integer ≥ 2"),
        ("oversized_multiple", 1.0, "oversized_multiple must be a number > 1, got 1.0"),
        ("entitlement_tolerance", -0.1, "entitlement_tolerance must be a number ≥ 0"),
    ],
)
def test_parameters_are_validated(county, name, value, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParamsError, match=message):
        evaluate_rules(county, parameters=RuleParameters(**{name: value}))
