"""Small hand-made county frames for the sampling, planner and fieldwork tests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData, CountyInfo
from auditlib.data.idcard import check_character

INFO = CountyInfo(
    county_code="430522",
    county="新邵县",
    province="湖南省",
    rural_standard=450.0,
    reference_date=date(2020, 12, 31),
    audit_period_start=date(2020, 1, 1),
    audit_period_end=date(2020, 12, 31),
)


def id_number(serial: int) -> str:
    """A valid 18-character ID number (GB 11643) for person ``serial``."""
    first17 = f"430522{1950 + serial % 50:04d}0101{serial % 1000:03d}"
    first17 = f"43{serial:04d}"[:6] + first17[6:]
    return first17 + check_character(first17)


def make_county(
    villages_per_township: tuple[int, ...] = (4, 12, 6),
    households_per_village: int = 12,
    seed: int = 7,
    relatives: int = 3,
) -> CountyData:
    """A county with the given villages per township and households per village.

    About 70% of households are Dibao recipients, 5% tekun, the rest non-recipients; 10% of
    households had temporary assistance; enrolment dates spread over 2015-2020 (so about a
    sixth are new approvals of the 2020 audit period); ``relatives`` recipient heads are in
    ``registry_relatives``; ``risk_score`` is a uniform score column.
    """
    rng = np.random.default_rng(seed)
    rows = []
    serial = 0
    for t_index, villages in enumerate(villages_per_township):
        township_code = f"430522{101 + t_index:03d}"
        for v_index in range(villages):
            village_code = f"{township_code}{201 + v_index:03d}"
            for _household in range(households_per_village):
                serial += 1
                draw = rng.random()
                programme = "dibao" if draw < 0.70 else ("tekun" if draw < 0.75 else "none")
                recipient = programme != "none"
                enrolment = (
                    pd.Timestamp(2015, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 2190)))
                    if recipient
                    else pd.NaT
                )
                rows.append(
                    {
                        "county_code": "430522",
                        "county": "新邵县",
                        "township_code": township_code,
                        "township": f"乡镇{t_index + 1}",
                        "village_code": village_code,
                        "village": f"村{t_index + 1}-{v_index + 1}",
                        "household_id": f"H{serial:06d}",
                        "head_name": f"张{serial}明",
                        "head_id_number": id_number(serial),
                        "members": int(rng.integers(1, 6)),
                        "programme": programme,
                        "dibao_category": "A" if programme == "dibao" else None,
                        "monthly_benefit": 300.0 if recipient else 0.0,
                        "enrolment_date": enrolment,
                        "declared_income": float(rng.integers(0, 2000)),
                        "financial_assets": 0.0,
                        "housing_area": 80.0,
                        "housing_storeys": 1,
                        "housing_decorated": False,
                        "registered_poor": bool(rng.random() < 0.2),
                        "temporary_assistance": bool(rng.random() < 0.10),
                        "exit_date": pd.NaT,
                        "refusal_date": pd.NaT,
                        "account_number": f"62{serial:014d}" if recipient else None,
                        "account_holder_name": f"张{serial}明" if recipient else None,
                        "risk_score": float(rng.random()),
                    }
                )
    households = pd.DataFrame(rows)
    for column in households.columns:
        if households[column].dtype == object:
            households[column] = households[column].astype("string")
    members = pd.DataFrame(
        {
            "household_id": households["household_id"],
            "id_number": households["head_id_number"],
            "name": households["head_name"],
            "relation": "head",
            "age": 50,
            "sex": "M",
            "ethnicity": "汉族",
            "disability_grade": rng.integers(0, 5, len(households)),
            "serious_illness": rng.random(len(households)) < 0.1,
            "student": False,
            "student_proof": False,
            "employment": "farming",
            "monthly_earnings": 0.0,
            "death_date": pd.NaT,
        }
    )
    recipients = households[households["programme"] != "none"]
    registry = pd.DataFrame(
        {
            "id_number": recipients["head_id_number"]
            .iloc[:: max(1, len(recipients) // 4)][:relatives]
            .to_numpy(),
        }
    )
    registry["name"] = "某"
    registry["official_name"] = "李某"
    registry["official_position"] = "民政所长"
    registry["relationship"] = "兄弟"
    payments = pd.DataFrame(
        columns=[
            "payment_id",
            "household_id",
            "payment_date",
            "amount",
            "account_number",
            "account_holder_name",
            "payer",
            "programme",
        ]
    )
    return CountyData(
        info=INFO,
        households=households,
        members=members,
        payments=payments,
        registries={"registry_relatives": registry},
    )
