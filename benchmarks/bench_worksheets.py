"""Benchmark: time to write the fieldwork worksheets of one county (target ≤ 1.0 s for 430522).

Loads ``params/<code>.yaml`` (default 430522, 新邵县; data in ``data/example/<code>``, created by
``auditlib synth examples`` when missing), draws the report's sample (risk-scored as in
``auditlib.pipeline.audit``, or without risk scores with ``--no-risk``) and times
``auditlib.fieldwork.writing.write_worksheets`` into a temporary restricted folder. Prints the
median of ``--repeat`` runs; asserts nothing.

    .venv/bin/python benchmarks/bench_worksheets.py [--params params/430522.yaml] [--repeat 5]

Baseline: the former implementation (openpyxl, a fresh Font/Border/Protection object per cell)
took 5.6 s for 430522 inside the report (cProfile: 2.65 s hashing 33,170 style assignments,
0.78 s saving) and a median of 2.0-2.1 s in this script (load ≈ 1.5); the XlsxWriter writer takes
0.29-0.31 s on the same sample. See docs/sampling.md, section 7.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from auditlib.data.loading import load_county
from auditlib.fieldwork.layout import WORKSHEET_COLUMNS
from auditlib.fieldwork.writing import write_worksheets
from auditlib.pipeline.audit import risk_scorer
from auditlib.pipeline.params import load_params
from auditlib.sampling.sample import draw_sample

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time ``write_worksheets`` on one example county and print the median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default=str(ROOT / "params" / "430522.yaml"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-risk", action="store_true", help="draw without risk scores")
    arguments = parser.parse_args()
    params = load_params(arguments.params)
    data = load_county(params.data)
    scores = None
    if not arguments.no_risk:
        scores = risk_scorer(params.risk).fit_assess(data).scores
    sample = draw_sample(data, params.sampling_plan(), params.seed, risk=scores)
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(max(arguments.repeat, 1)):
            started = time.perf_counter()
            written = write_worksheets(
                sample, data, Path(folder) / f"run{run}", teams=params.sampling.teams
            )
            times.append(time.perf_counter() - started)
    print(
        f"{params.county_code}: {written.households} households in {len(written.files)} "
        f"workbooks ({len(WORKSHEET_COLUMNS)} columns each)"
    )
    print(f"write_worksheets: median {statistics.median(times):.3f} s over {len(times)} runs")
    print("  runs: " + ", ".join(f"{value:.3f}" for value in times))


if __name__ == "__main__":
    main()
