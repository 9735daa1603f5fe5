"""Small hand-made counties for the risk tests (independent of the generator).

``make_county()`` builds a county of recipient and non-recipient households in two townships
with valid ID numbers, ordinary payments (one per month of the audit period) and one planted
case per red flag, on known households, so that each rule's expected hits are known by
construction:

===========  =============================================================
household    planted
===========  =============================================================
HH0001       head is a serving village cadre (registry_cadres row 2)
HH0002       spouse is a registered relative of a caseworker
HH0003       head on the public payroll
HH0004       head owns a car (and a motorcycle: exempt)
HH0005       child owns commercial housing (and a self-built house: not flagged)
HH0006       3-storey decorated house
HH0007       member aged 19 counted as student without proof
HH0008       member dead in registry_deaths, still listed
HH0009       head runs a business
HH0010       declared income above the standard
HH0011       payments into an account held by a non-member
HH0012-14    paid into one shared account (3 households)
HH0015       two payments in 2025-03
HH0016       one payment of 5 × the usual amount
HH0017       single-person household, head died 2025-02-10, paid until June
===========  =============================================================
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData, CountyInfo
from auditlib.data.idcard import check_character

REFERENCE = date(2025, 6, 30)
INFO = CountyInfo(
    county_code="430522",
    county="新邵县",
    province="湖南省",
    rural_standard=500.0,
    reference_date=REFERENCE,
    audit_period_start=date(2025, 1, 1),
    audit_period_end=date(2025, 6, 30),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def id_number(age: int, sequence: int, male: bool) -> str:
    """A valid ID number of someone ``age`` on the reference date (born 1 January)."""
    year = REFERENCE.year - age - 1 if age > 0 else REFERENCE.year - 1
    seq = sequence % 500 * 2 + (1 if male else 0)
    first17 = f"430522{year:04d}0101{seq:03d}"
    return first17 + check_character(first17)


def _name(number: int) -> str:
    return SURNAMES[number % 20] + GIVEN[(number // 20) % 20] + GIVEN[(number // 7) % 20]


def make_county(n_households: int = 80, seed: int = 0) -> CountyData:
    """A county of ``n_households`` (the last quarter non-recipients) with the planted cases."""
    rng = np.random.default_rng(seed)
    household_rows = []
    member_rows = []
    person = 0
    for number in range(1, n_households + 1):
        household_id = f"HH{number:04d}"
        township = "T1" if number % 2 else "T2"
        size = int(rng.integers(1, 5)) if number != 17 else 1
        if number in (2, 5, 8):
            size = max(size, 2)
        recipient = number <= n_households * 3 // 4
        names = []
        for position in range(size):
            person += 1
            age = int(rng.integers(30, 70)) if position == 0 else int(rng.integers(3, 16))
            male = position % 2 == 0
            name = _name(person)
            names.append(name)
            member_rows.append(
                {
                    "household_id": household_id,
                    "id_number": id_number(age, person, male),
                    "name": name,
                    "relation": "head"
                    if position == 0
                    else ("spouse" if position == 1 else "child"),
                    "age": age,
                    "sex": "M" if male else "F",
                    "ethnicity": "汉族" if number % 5 else "苗族",
                    "disability_grade": 0 if number % 7 else 2,
                    "serious_illness": False,
                    "student": False,
                    "student_proof": False,
                    "employment": "farming",
                    "monthly_earnings": float(rng.uniform(50, 200)),
                    "death_date": pd.NaT,
                }
            )
        income = float(rng.uniform(50, 300)) * size
        household_rows.append(
            {
                "county_code": "430522",
                "county": "新邵县",
                "township_code": township,
                "township": "一乡" if township == "T1" else "二镇",
                "village_code": f"{township}V{number % 3 + 1}",
                "village": f"村{number % 3 + 1}",
                "household_id": household_id,
                "head_name": names[0],
                "head_id_number": member_rows[-size]["id_number"],
                "members": size,
                "programme": "dibao" if recipient else "none",
                "dibao_category": "B" if recipient else pd.NA,
                "monthly_benefit": round(500.0 * size - income, 0) if recipient else 0.0,
                "enrolment_date": pd.Timestamp("2022-03-01") if recipient else pd.NaT,
                "declared_income": income,
                "financial_assets": float(rng.uniform(0, 5000)),
                "housing_area": float(rng.uniform(20, 40)) * size,
                "housing_storeys": 1,
                "housing_decorated": False,
                "registered_poor": False,
                "temporary_assistance": False,
                "exit_date": pd.NaT,
                "refusal_date": pd.NaT,
                "account_number": f"62170000{number:08d}" if recipient else pd.NA,
                "account_holder_name": names[0] if recipient else pd.NA,
            }
        )
    households = pd.DataFrame(household_rows)
    members = pd.DataFrame(member_rows)
    data = _finish(households, members)
    return plant(data)


def _payments(households: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for household in households.itertuples(index=False):
        if household.programme == "none":
            continue
        for month in range(1, 7):
            rows.append(
                {
                    "payment_id": f"PAY{household.household_id}{month:02d}",
                    "household_id": household.household_id,
                    "payment_date": pd.Timestamp(2025, month, 15),
                    "amount": float(household.monthly_benefit),
                    "account_number": household.account_number,
                    "account_holder_name": household.account_holder_name,
                    "payer": "新邵县民政局",
                    "programme": household.programme,
                }
            )
    return pd.DataFrame(rows)


def _finish(households: pd.DataFrame, members: pd.DataFrame) -> CountyData:
    return CountyData(
        info=INFO,
        households=households,
        members=members,
        payments=_payments(households),
        registries={},
    )


def _member(data: CountyData, household_id: str, position: int = 0) -> pd.Series:
    return data.members[data.members["household_id"] == household_id].iloc[position]


def _registry(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def plant(data: CountyData) -> CountyData:
    """Plant one case per rule on households HH0001-HH0017 (see the module docstring)."""
    households = data.households.copy()
    members = data.members.copy()
    outsider = id_number(45, 9999, True)

    def person(household_id: str, position: int = 0) -> dict[str, object]:
        row = _member(data, household_id, position)
        return {"id_number": row["id_number"], "name": row["name"]}

    registries = {
        "registry_cadres": _registry(
            [
                {**person("HH0001"), "village_code": "T1V2", "position": "村主任"},
                {
                    "id_number": outsider,
                    "name": "外人甲",
                    "village_code": "T1V1",
                    "position": "委员",
                },
            ]
        ),
        "registry_relatives": _registry(
            [
                {
                    **person("HH0002", 1),
                    "official_name": "赵大勇",
                    "official_position": "乡镇民政助理员",
                    "relationship": "姐妹",
                }
            ]
        ),
        "registry_payroll": _registry(
            [{**person("HH0003"), "employer": "县第一中学", "monthly_salary": 4800.0}]
        ),
        "registry_vehicles": _registry(
            [
                {
                    **person("HH0004"),
                    "vehicle_type": "car",
                    "registration_date": "2023-05-01",
                    "vehicle_value": 85000.0,
                },
                {
                    **person("HH0004"),
                    "vehicle_type": "motorcycle",
                    "registration_date": "2020-01-01",
                    "vehicle_value": 3000.0,
                },
            ]
        ),
        "registry_property": _registry(
            [
                {
                    **person("HH0005", 1),
                    "property_type": "commercial_housing",
                    "registration_date": "2024-01-10",
                    "area": 98.0,
                },
                {
                    **person("HH0006"),
                    "property_type": "self_built",
                    "registration_date": "2010-01-10",
                    "area": 120.0,
                },
            ]
        ),
        "registry_deaths": _registry([{**person("HH0008", 1), "death_date": "2024-11-02"}]),
        "registry_business": _registry(
            [
                {
                    **person("HH0009"),
                    "business_name": "新邵县某某建材店",
                    "registration_date": "2021-07-01",
                    "registered_capital": 200000.0,
                }
            ]
        ),
    }
    registries["registry_deaths"].loc[1] = {**person("HH0017"), "death_date": "2025-02-10"}
    index = households.set_index("household_id").index
    households.loc[index.get_loc("HH0006"), ["housing_storeys", "housing_decorated"]] = [3, True]
    households.loc[index.get_loc("HH0010"), "declared_income"] = 900.0 * float(
        households.loc[index.get_loc("HH0010"), "members"]
    )
    student = members.index[(members["household_id"] == "HH0007")][0]
    members.loc[student, ["age", "student", "student_proof"]] = [19, True, False]
    members.loc[student, "id_number"] = id_number(19, 7777, True)
    households.loc[index.get_loc("HH0007"), "head_id_number"] = members.loc[student, "id_number"]
    data = dataclasses.replace(data, households=households, members=members)
    payments = _payments(households)
    payments.loc[payments["household_id"] == "HH0011", "account_holder_name"] = "陌生人"
    for shared in ("HH0013", "HH0014"):
        payments.loc[payments["household_id"] == shared, "account_number"] = "6217000000000012"
    payments.loc[payments["household_id"] == "HH0012", "account_number"] = "6217000000000012"
    duplicate = payments[payments["household_id"] == "HH0015"].iloc[[2]].copy()
    duplicate["payment_id"] = "PAYDUP"
    duplicate["payment_date"] = pd.Timestamp(2025, 3, 20)
    payments = pd.concat([payments, duplicate], ignore_index=True)
    big = payments.index[payments["household_id"] == "HH0016"][3]
    payments.loc[big, "amount"] = payments.loc[big, "amount"] * 5
    return dataclasses.replace(data, payments=payments, registries=registries)
