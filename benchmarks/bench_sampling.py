"""Benchmark: time to draw a sample from a 1,000,000-household county (target ≤ 2 s).

Builds a county of N households (default 1,000,000; 40 townships × ~60 villages) directly with
numpy (the columns the frame reads: households, members with one head each, a relatives
registry), then times ``draw_sample`` (frame + frame hash + draw) for the three presets, and the
draw alone from a prepared frame. Prints medians of ``--repeat`` runs.

    .venv/bin/python benchmarks/bench_sampling.py [--households 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData, CountyInfo
from auditlib.sampling.draw import draw_from_frame
from auditlib.sampling.frame import build_frame
from auditlib.sampling.plan import resolve_plan
from auditlib.sampling.sample import draw_sample


def build_county(households: int, seed: int = 1) -> CountyData:
    """A county of ``households`` households with the columns sampling reads."""
    rng = np.random.default_rng(seed)
    townships, villages_per_township = 40, 60
    village = rng.integers(0, townships * villages_per_township, households)
    township = village // villages_per_township
    township_code = np.char.add("999999", np.char.zfill((township + 101).astype(str), 3))
    village_code = np.char.add(township_code, np.char.zfill((village % 1000 + 201).astype(str), 3))
    ids = np.char.add("H", np.char.zfill(np.arange(households).astype(str), 8))
    draw = rng.random(households)
    programme = np.where(draw < 0.07, "dibao", np.where(draw < 0.08, "tekun", "none"))
    enrolment = pd.to_datetime("2015-01-01") + pd.to_timedelta(
        rng.integers(0, 4000, households), "D"
    )
    enrolment = enrolment.where(programme != "none")
    id_numbers = np.char.add("999999", np.char.zfill(np.arange(households).astype(str), 12))
    frame = pd.DataFrame(
        {
            "county_code": "999999",
            "township_code": township_code,
            "village_code": village_code,
            "household_id": ids,
            "head_id_number": id_numbers,
            "programme": programme,
            "enrolment_date": enrolment,
            "temporary_assistance": rng.random(households) < 0.02,
            "registered_poor": rng.random(households) < 0.05,
            "exit_date": pd.NaT,
            "refusal_date": pd.NaT,
            "risk_score": rng.random(households),
        }
    )
    for column in (
        "county_code",
        "township_code",
        "village_code",
        "household_id",
        "head_id_number",
        "programme",
    ):
        frame[column] = frame[column].astype("string")
    members = pd.DataFrame(
        {
            "household_id": frame["household_id"],
            "id_number": frame["head_id_number"],
            # about 2% severely disabled (grades 1-2), 6% grades 3-4
            "disability_grade": rng.choice(5, households, p=[0.92, 0.01, 0.01, 0.03, 0.03]),
            "serious_illness": rng.random(households) < 0.03,
        }
    )
    relatives = pd.DataFrame({"id_number": frame["head_id_number"].sample(300, random_state=1)})
    info = CountyInfo(
        "999999",
        "基准县",
        "基准省",
        500.0,
        date(2020, 12, 31),
        date(2020, 1, 1),
        date(2020, 12, 31),
    )
    return CountyData(
        info=info,
        households=frame,
        members=members,
        payments=pd.DataFrame(),
        registries={"registry_relatives": relatives},
    )


def median_time(function: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    start = time.perf_counter()
    data = build_county(arguments.households)
    print(
        f"built a county of {arguments.households:,} households in "
        f"{time.perf_counter() - start:.1f} s"
    )
    plans = {
        "notice-2019": "notice-2019",
        "notice-2021": "notice-2021",
        "risk-targeted": {"preset": "risk-targeted", "risk_column": "risk_score"},
    }
    for name, plan in plans.items():
        resolved = resolve_plan(plan)
        sample = draw_sample(data, resolved, seed=1)
        full = median_time(lambda r=resolved: draw_sample(data, r, seed=1), arguments.repeat)
        frame_time = median_time(lambda r=resolved: build_frame(data, r), arguments.repeat)
        frame = build_frame(data, resolved)
        start = time.perf_counter()
        draw_from_frame(frame, resolved, 1)  # first draw builds the frame's index
        first_draw = time.perf_counter() - start
        draw_only = median_time(
            lambda f=frame, r=resolved: draw_from_frame(f, r, 2), arguments.repeat
        )
        print(
            f"{name:14s} {len(sample.table):6d} households drawn: draw_sample median "
            f"{full:.2f} s (target ≤ 2 s) = frame {frame_time:.2f} s + first draw "
            f"{first_draw:.2f} s + overhead; a further draw from the prepared frame "
            f"{draw_only * 1000:.0f} ms"
        )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
