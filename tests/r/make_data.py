"""Generate the fixed small datasets used to compare auditlib with R ``survey``.

Run once (``python tests/r/make_data.py``); the CSV files it writes are committed and
read both by ``tests/r/reference.R`` and by ``tests/test_design_r.py``. Re-running with the
same seed rewrites identical files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
ERROR_CODES = ("car_owner", "village_cadre", "salary_or_pension")


def _household(rng: np.random.Generator, village_rate: float, recipient: bool) -> dict[str, object]:
    bad = int(rng.random() < village_rate)
    amount = float(np.round(rng.gamma(4.0, 900.0), 2))
    return {
        "recipient": int(recipient),
        "y": bad,
        "error_type": ERROR_CODES[int(rng.integers(3))] if bad else "",
        "amount_paid": amount,
        "improper_amount": amount * bad,
        "eligible_yes": 1 - bad,
        "female": int(rng.random() < 0.5),
        "group": "ABC"[int(rng.integers(3))],
    }


def two_stage(rng: np.random.Generator) -> pd.DataFrame:
    """Township strata (villages × households, three second-stage strata), plus certainty
    and new-approval single-stage strata, plus a township whose villages are all sampled."""
    rows: list[dict[str, object]] = []
    townships = {"T:1": (12, 3), "T:2": (8, 2), "T:3": (15, 3), "T:4": (2, 2)}
    for stratum, (villages, sampled) in townships.items():
        for v in range(sampled):
            psu = f"{stratum[2:]}-{v + 1:02d}"
            rate = float(rng.beta(1.0, 6.0))
            size = int(rng.integers(25, 70))
            parts = [("random", size, 5, True)]
            if v % 2 == 0:
                parts.append(("temporary_assistance", 2, 2, True))
            if v != 1:
                parts.append(("non_recipient", 9, 3, False))
            for ssu_stratum, population, count, recipient in parts:
                for j in range(count):
                    row = _household(rng, rate, recipient)
                    row.update(
                        household_id=f"{psu}-{ssu_stratum[:2]}{j + 1}",
                        stratum=stratum,
                        psu=psu,
                        ssu_stratum=ssu_stratum,
                        psu_population=villages,
                        ssu_population=population,
                    )
                    rows.append(row)
    for stratum, population, count, rate in (
        ("C:relative", 6, 6, 0.4),
        ("N:new_approval", 40, 8, 0.15),
    ):
        for j in range(count):
            row = _household(rng, rate, True)
            household = f"{stratum[2:5]}{j + 1:02d}"
            row.update(
                household_id=household,
                stratum=stratum,
                psu=household,
                ssu_stratum="all",
                psu_population=population,
                ssu_population=1,
            )
            rows.append(row)
    frame = pd.DataFrame(rows)
    first = frame.groupby("stratum")["psu"].transform("nunique") / frame["psu_population"]
    second = (
        frame.groupby(["psu", "ssu_stratum"])["household_id"].transform("count")
        / frame["ssu_population"]
    )
    frame["weight"] = 1.0 / (first * second)
    return frame


def pps(rng: np.random.Generator) -> pd.DataFrame:
    """Villages drawn with probability proportional to size: weights vary between PSUs."""
    rows: list[dict[str, object]] = []
    for s in range(3):
        for v in range(int(rng.integers(3, 6))):
            psu = f"P{s}{v}"
            village_probability = float(rng.uniform(0.05, 0.6))
            size = int(rng.integers(20, 90))
            count = int(rng.integers(3, 7))
            rate = float(rng.beta(1.0, 5.0))
            for j in range(count):
                row = _household(rng, rate, True)
                row.update(
                    household_id=f"{psu}-{j}",
                    stratum=f"S{s}",
                    psu=psu,
                    weight=size / count / village_probability,
                )
                rows.append(row)
    return pd.DataFrame(rows)


def lonely(rng: np.random.Generator) -> pd.DataFrame:
    """Stratum L2 has a single sampled village (of 5); village L3-1 has a second-stage
    stratum with a single sampled household (of 4)."""
    rows: list[dict[str, object]] = []
    layout = {"L1": (9, 3), "L2": (5, 1), "L3": (6, 2)}
    for stratum, (villages, sampled) in layout.items():
        for v in range(sampled):
            psu = f"{stratum}-{v + 1}"
            rate = float(rng.beta(1.0, 4.0))
            parts = [("random", int(rng.integers(20, 50)), 4)]
            if psu == "L3-1":
                parts.append(("temporary_assistance", 4, 1))
            for ssu_stratum, population, count in parts:
                for j in range(count):
                    row = _household(rng, rate, True)
                    row.update(
                        household_id=f"{psu}-{ssu_stratum[:2]}{j}",
                        stratum=stratum,
                        psu=psu,
                        ssu_stratum=ssu_stratum,
                        psu_population=villages,
                        ssu_population=population,
                        weight=villages / sampled * population / count,
                    )
                    rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    rng = np.random.default_rng(20261122)
    for name, build in (("two_stage", two_stage), ("pps", pps), ("lonely", lonely)):
        build(rng).to_csv(HERE / f"{name}.csv", index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
