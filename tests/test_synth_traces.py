"""Every planted cause leaves the trace an auditor could find; registries hold benign records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditlib.data.codes import PAYMENT_ANOMALY_TYPES
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.output import SyntheticCounty

CONFIG = SynthConfig(
    households=12_000,
    township_count=4,
    village_households=200,
    inclusion_error_rate=0.15,
    payment_anomaly_rate=0.08,
    seed=99,
)


@pytest.fixture(scope="module")
def county() -> SyntheticCounty:
    return generate_county(CONFIG)


def _planted(county: SyntheticCounty, error_type: str) -> pd.Index:
    truth = county.truth.households
    chosen = truth.loc[truth["error_type"] == error_type, "household_id"]
    assert len(chosen) > 0, error_type
    return pd.Index(chosen)


def _members_in(county: SyntheticCounty, registry: str, **where: str) -> pd.DataFrame:
    table = county.data.registries[registry]
    for column, value in where.items():
        table = table[table[column] == value]
    return county.data.members.merge(table[["id_number"]].drop_duplicates(), on="id_number")


def _has_trace(households: pd.Index, members: pd.DataFrame) -> bool:
    return set(households) <= set(members["household_id"])


@pytest.mark.parametrize(
    ("error_type", "registry", "where"),
    [
        ("car_owner", "registry_vehicles", {"vehicle_type": "car"}),
        ("official_relative", "registry_relatives", {}),
        ("commercial_housing", "registry_property", {"property_type": "commercial_housing"}),
        ("business_owner", "registry_business", {}),
    ],
)
def test_registry_traces(
    county: SyntheticCounty, error_type: str, registry: str, where: dict[str, str]
) -> None:
    assert _has_trace(_planted(county, error_type), _members_in(county, registry, **where))


def test_village_cadre_serves_in_own_village(county: SyntheticCounty) -> None:
    planted = _planted(county, "village_cadre")
    cadres = county.data.registries["registry_cadres"]
    members = county.data.members.merge(cadres[["id_number", "village_code"]], on="id_number")
    households = county.data.households.set_index("household_id")["village_code"]
    same = members[
        members["village_code"] == households.reindex(members["household_id"]).to_numpy()
    ]
    assert set(planted) <= set(same["household_id"])


def test_salary_or_pension_in_payroll_or_employment(county: SyntheticCounty) -> None:
    planted = _planted(county, "salary_or_pension")
    payroll = _members_in(county, "registry_payroll")
    members = county.data.members
    earning = members[
        members["employment"].isin(["wage", "pension"]) & (members["monthly_earnings"] > 0)
    ]
    found = set(payroll["household_id"]) | set(earning["household_id"])
    assert set(planted) <= found
    # Both routes occur.
    assert planted.isin(payroll["household_id"]).any()
    assert (~planted.isin(payroll["household_id"])).any()


def test_luxury_house(county: SyntheticCounty) -> None:
    households = county.data.households.set_index("household_id")
    rows = households.loc[_planted(county, "luxury_house")]
    assert (rows["housing_storeys"] >= 3).all() and rows["housing_decorated"].all()
    # Benign: some eligible recipients live in 3-storey houses that are not decorated.
    truth = county.truth.households.set_index("household_id")
    eligible = households[truth["recipient"] & truth["eligible"]]
    assert not (eligible["housing_decorated"] & (eligible["housing_storeys"] >= 3)).any()


def test_adult_student_without_proof(county: SyntheticCounty) -> None:
    members = county.data.members
    found = members[(members["age"] >= 18) & members["student"] & ~members["student_proof"]]
    assert set(_planted(county, "adult_student_no_proof")) <= set(found["household_id"])
    # Benign: adult students with a proof exist.
    assert ((members["age"] >= 18) & members["student"] & members["student_proof"]).any()


def test_deceased_member_still_counted(county: SyntheticCounty) -> None:
    planted = _planted(county, "deceased_member")
    dead = _members_in(county, "registry_deaths")
    unrecorded = dead[dead["death_date"].isna() & dead["household_id"].isin(planted)]
    assert set(planted) <= set(unrecorded["household_id"])
    households = county.data.households.set_index("household_id")
    counts = county.data.members.groupby("household_id").size()
    assert (households.loc[planted, "members"] == counts.loc[planted]).all()


def test_hidden_errors_leave_only_weak_traces(county: SyntheticCounty) -> None:
    households = county.data.households.set_index("household_id")
    standard = county.data.info.rural_standard
    per_capita = households["declared_income"] / households["members"]
    above = _planted(county, "income_above_standard")
    assert (per_capita.loc[above] < standard).all()  # declared income understated
    gap = (standard - per_capita) * households["members"]
    for error_type in ("wealthy_children", "connections"):
        planted = _planted(county, error_type)
        excess = households.loc[planted, "monthly_benefit"] > gap.loc[planted] + 1
        assert excess.mean() > 0.5, error_type
    truth = county.truth.households.set_index("household_id")
    assert (truth.loc[truth["inclusion_error"], "correct_benefit"] == 0).all()


def test_registries_hold_benign_records(county: SyntheticCounty) -> None:
    truth = county.truth.households.set_index("household_id")
    members = county.data.members
    member_ids = set(members["id_number"])
    inclusion = set(truth.index[truth["inclusion_error"]])
    for name, table in county.data.registries.items():
        outside = ~table["id_number"].isin(member_ids)
        matched = members.merge(table[["id_number"]], on="id_number")
        benign = ~matched["household_id"].isin(inclusion)
        assert benign.any(), name
        if name != "registry_cadres":
            assert outside.any(), name  # people in no household
    vehicles = _members_in(county, "registry_vehicles")
    recipient_ids = set(truth.index[truth["recipient"] & truth["eligible"]])
    assert vehicles["household_id"].isin(recipient_ids).any()  # motorcycles, old cars
    relatives = _members_in(county, "registry_relatives")
    assert relatives["household_id"].isin(recipient_ids).any()  # registered but eligible


def _payments(county: SyntheticCounty) -> pd.DataFrame:
    return county.data.payments.merge(county.truth.payments, on="payment_id")


def _anomalous(county: SyntheticCounty, code: str) -> pd.Index:
    truth = county.truth.households
    chosen = truth.loc[truth["payment_anomaly_types"] == code, "household_id"]
    assert len(chosen) > 0, code
    return pd.Index(chosen)


def test_payment_anomaly_traces(county: SyntheticCounty) -> None:
    payments = _payments(county)
    members = county.data.members
    households = county.data.households.set_index("household_id")
    names = members.groupby("household_id")["name"].agg(set)

    differs = payments[payments["household_id"].isin(_anomalous(county, "holder_name_differs"))]
    assert all(
        holder not in names[household]
        for household, holder in zip(
            differs["household_id"], differs["account_holder_name"], strict=True
        )
    )

    shared = _anomalous(county, "shared_account")
    per_account = payments.groupby("account_number")["household_id"].nunique()
    accounts = households.loc[shared, "account_number"]
    assert (per_account.reindex(accounts).to_numpy() >= 2).all()

    duplicated = _anomalous(county, "duplicate_payment")
    months = payments.assign(month=payments["payment_date"].dt.to_period("M"))
    per_month = months.groupby(["household_id", "month"]).size()
    doubled = per_month[per_month >= 2].reset_index()["household_id"]
    assert set(duplicated) <= set(doubled)

    oversized = _anomalous(county, "oversized_payment")
    largest = payments.groupby("household_id")["amount"].max()
    assert (largest.loc[oversized] >= 3 * households.loc[oversized, "monthly_benefit"] - 1e-9).all()

    after_death = _anomalous(county, "payment_after_death")
    heads = members[members["relation"] == "head"].set_index("household_id")["death_date"]
    rows = payments[payments["household_id"].isin(after_death)]
    late = rows["payment_date"] > heads.reindex(rows["household_id"]).to_numpy()
    assert set(after_death) <= set(rows.loc[late.to_numpy(), "household_id"])


def test_payment_labels_match_households(county: SyntheticCounty) -> None:
    payments = _payments(county)
    labelled = payments[payments["anomaly_type"].notna()]
    truth = county.truth.households.set_index("household_id")
    assert set(labelled["anomaly_type"]) == set(PAYMENT_ANOMALY_TYPES)
    assert truth.loc[labelled["household_id"], "payment_anomaly"].all()
    planted = truth.index[truth["payment_anomaly"]]
    assert set(planted) <= set(labelled["household_id"])
    # Benign large transfers (back-pay on enrolment) exist besides the oversized ones.
    amounts = payments.merge(
        county.data.households[["household_id", "monthly_benefit"]], on="household_id"
    )
    benign_double = amounts["anomaly_type"].isna() & np.isclose(
        amounts["amount"], 2 * amounts["monthly_benefit"]
    )
    assert benign_double.any()


def test_omitted_households_are_visible_in_their_priority_group(county: SyntheticCounty) -> None:
    truth = county.truth.households.set_index("household_id")
    households = county.data.households.set_index("household_id")
    members = county.data.members
    reference = pd.Timestamp(county.data.info.reference_date)
    window = reference - pd.Timedelta(days=730)
    severe = set(members.loc[members["disability_grade"].between(1, 2), "household_id"])
    ill = set(members.loc[members["serious_illness"], "household_id"])
    omitted = truth[truth["omitted"]]
    assert len(omitted) > 0 and (households.loc[omitted.index, "programme"] == "none").all()
    for household_id, group in omitted["priority_group"].items():
        row = households.loc[household_id]
        visible = {
            "severe_disability": household_id in severe,
            "serious_illness": household_id in ill,
            "registered_poor": bool(row["registered_poor"]),
            "recently_exited": pd.notna(row["exit_date"]) and row["exit_date"] >= window,
            "refused": pd.notna(row["refusal_date"]) and row["refusal_date"] >= window,
        }[group]
        assert visible, (household_id, group)
    # Their true income is below the standard although the declared one may be above.
    assert (truth.loc[omitted.index, "correct_benefit"] > 0).all()
