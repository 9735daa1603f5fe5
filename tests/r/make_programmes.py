"""Generate ``programmes_data.csv``: a small audit-like sample with Dibao and 特困 recipients.

Run once (``.venv/bin/python tests/r/make_programmes.py``); the CSV is committed and read both
by ``tests/r/programmes.R`` (which writes ``programmes_reference.csv``) and by
``tests/test_programmes.py``. The seed is fixed (:data:`SEED`): re-running rewrites an
identical file.

Design (as the sample table of ``auditlib sample``):

* 4 township strata ``T:<township>`` with 8, 10, 12 and 9 villages; 3 villages sampled in each
  (SRS); in each sampled village 4 of its recipient households (second-stage stratum
  ``random``) and 2 of its at-risk non-recipient households (``non_recipient``);
* a certainty stratum ``C:relative`` of 8 registered relatives (π = 1, weight 1);
* a new-approval stratum ``N:new_approval``: 8 of 40 newly approved recipient households.

Recipients are Dibao (``programme = dibao``) or 特困 (``tekun``); a verified recipient is
``eligible`` yes/no; an eligible recipient has a ``correct_benefit`` (yuan/month, sometimes
missing: entitlement unknown) and ``entitled_months``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
SEED = 20261202
COUNTY = "430599"
VILLAGES = {"tw1": 8, "tw2": 10, "tw3": 12, "tw4": 9}
ERROR_CODES = ("car_owner", "village_cadre", "salary_or_pension")


def _recipient(rng: np.random.Generator, *, tekun_share: float, bad_rate: float) -> dict:
    programme = "tekun" if rng.random() < tekun_share else "dibao"
    monthly = float(
        rng.integers(70, 120) * 10 if programme == "tekun" else rng.integers(25, 60) * 10
    )
    months = int(rng.choice([12, 12, 12, 9, 6]))
    paid = monthly * months
    bad = bool(rng.random() < bad_rate)
    row: dict[str, object] = {
        "programme": programme,
        "recipient": 1,
        "eligible": "no" if bad else "yes",
        "error_type": ERROR_CODES[int(rng.integers(3))] if bad else "",
        "amount_paid": paid,
        "correct_benefit": np.nan,
        "entitled_months": np.nan if bad else float(months),
    }
    if not bad:
        draw = rng.random()
        if draw < 0.6:
            row["correct_benefit"] = monthly
        elif draw < 0.75:
            row["correct_benefit"] = monthly + 10 * int(rng.integers(3, 15))  # underpaid
        elif draw < 0.85:
            row["correct_benefit"] = monthly - 10 * int(rng.integers(3, 15))  # overpaid
        elif draw < 0.93:
            row["correct_benefit"] = monthly
            row["entitled_months"] = float(months - int(rng.integers(1, 4)))  # paid too long
        # else: correct benefit not established (entitlement unknown)
    return row


def _non_recipient(rng: np.random.Generator) -> dict:
    return {
        "programme": "none",
        "recipient": 0,
        "eligible": "yes" if rng.random() < 0.3 else "no",
        "error_type": "",
        "amount_paid": 0.0,
        "correct_benefit": np.nan,
        "entitled_months": np.nan,
    }


def make() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    rows: list[dict[str, object]] = []
    for township, count in VILLAGES.items():
        chosen = sorted(rng.choice(count, size=3, replace=False).tolist())
        for index in chosen:
            village = f"{township}-v{index + 1:02d}"
            in_stratum = {"random": int(rng.integers(20, 41)), "non_recipient": 0}
            in_stratum["non_recipient"] = int(rng.integers(40, 81))
            for ssu_stratum, sampled in (("random", 4), ("non_recipient", 2)):
                population = in_stratum[ssu_stratum]
                for k in range(sampled):
                    row = (
                        _recipient(rng, tekun_share=0.25, bad_rate=0.15)
                        if ssu_stratum == "random"
                        else _non_recipient(rng)
                    )
                    tag = "r" if ssu_stratum == "random" else "n"
                    rows.append(
                        {
                            "household_id": f"{village}-{tag}{k + 1}",
                            "county_code": COUNTY,
                            "township_code": township,
                            "village_code": village,
                            **row,
                            "stratum": f"T:{township}",
                            "psu": village,
                            "ssu_stratum": ssu_stratum,
                            "psu_population": count,
                            "ssu_population": population,
                            "weight": count / 3 * population / sampled,
                        }
                    )
    townships = list(VILLAGES)
    for k in range(8):
        township = townships[k % 4]
        row = _recipient(rng, tekun_share=0.15, bad_rate=0.5)
        household = f"rel{k + 1:02d}"
        rows.append(
            {
                "household_id": household,
                "county_code": COUNTY,
                "township_code": township,
                "village_code": f"{township}-v{int(rng.integers(1, VILLAGES[township] + 1)):02d}",
                **row,
                "stratum": "C:relative",
                "psu": household,
                "ssu_stratum": "all",
                "psu_population": 8,
                "ssu_population": 1,
                "weight": 1.0,
            }
        )
    for k in range(8):
        township = townships[int(rng.integers(4))]
        row = _recipient(rng, tekun_share=0.3, bad_rate=0.1)
        household = f"new{k + 1:02d}"
        rows.append(
            {
                "household_id": household,
                "county_code": COUNTY,
                "township_code": township,
                "village_code": f"{township}-v{int(rng.integers(1, VILLAGES[township] + 1)):02d}",
                **row,
                "stratum": "N:new_approval",
                "psu": household,
                "ssu_stratum": "all",
                "psu_population": 40,
                "ssu_population": 1,
                "weight": 40 / 8,
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    make().to_csv(HERE / "programmes_data.csv", index=False)
