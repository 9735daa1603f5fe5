"""Benchmark: coverage and mean width of every CI method over the issue's grid.

True rates 1, 2, 5, 10, 20%; 30, 75 and 150 sampled households (5 per village); intra-village
correlation 0.05 and 0.15; ``--replicates`` samples per cell (default 2,000; the table in
docs/estimation.md used 10,000). Prints the coverage table, the widths relative to logit
and Clopper–Pearson, where the default is conservative and by how much, and the run time.

With ``--pipeline`` it instead checks the county estimate end to end: a synthetic county
(auditlib.synth.generator, planted rate and intra-village correlation), repeated samples drawn by
auditlib.sampling.sample (villages, certainty relatives, new approvals, at-risk non-recipients),
verification from the ground truth, and the county inclusion-error interval of
auditlib.estimation.estimands, against the county's true rate among recipient households.

Usage: ``python benchmarks/bench_coverage.py [--replicates 2000] [--output table.csv]``
       ``python benchmarks/bench_coverage.py --pipeline --seed 7 --rate 0.08 --icc 0.15
       --replicates 1000``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from auditlib.estimation.intervals import DEFAULT_CI_METHOD
from auditlib.evaluation.coverage import simulate_coverage


def pipeline(seed: int, rate: float, icc: float, replicates: int) -> None:
    """County inclusion-error coverage through synth → sampling → estimands."""
    import numpy as np

    from auditlib.estimation.analysis_table import prepare
    from auditlib.estimation.estimands import audit_design, inclusion_error_rate
    from auditlib.sampling.frame import build_frame
    from auditlib.sampling.plan import PRESETS, resolve_plan
    from auditlib.synth.config import SynthConfig
    from auditlib.synth.generator import generate_county

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_estimation import _analysis

    county = generate_county(
        SynthConfig(
            households=12000,
            township_count=6,
            seed=seed,
            inclusion_error_rate=rate,
            intra_village_correlation=icc,
        )
    )
    plan = resolve_plan(
        {**PRESETS["notice-2021"], "name": "benchmark", "temporary_assistance": False}
    )
    frame = build_frame(county.data, plan, None)
    recipients = (county.data.households["programme"].astype(str) != "none").to_numpy()
    truth = float(county.truth.households["inclusion_error"].to_numpy()[recipients].mean())
    rows = []
    for replicate in range(replicates):
        table = prepare(_analysis(county, frame, plan, replicate))
        estimate = inclusion_error_rate(audit_design(table, lonely_psu="adjust"))
        rows.append((estimate.lower, estimate.upper, estimate.degrees_of_freedom, estimate.n))
    values = np.array(rows, dtype=float)
    covered = (values[:, 0] <= truth) & (truth <= values[:, 1])
    print(
        f"pipeline seed {seed}, planted rate {rate}, ICC {icc}: true rate {truth:.4f}; "
        f"{replicates} samples of about {values[:, 3].mean():.0f} recipient households, "
        f"df {values[:, 2].mean():.0f}; Korn-Graubard coverage {100 * covered.mean():.1f}% "
        f"(Monte Carlo SE {100 * np.sqrt(covered.mean() * (1 - covered.mean()) / replicates):.1f}),"
        f" mean width {100 * (values[:, 1] - values[:, 0]).mean():.1f} points"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=2000)
    parser.add_argument("--output", default=None)
    parser.add_argument("--pipeline", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=0.08)
    parser.add_argument("--icc", type=float, default=0.15)
    arguments = parser.parse_args()
    if arguments.pipeline:
        pipeline(arguments.seed, arguments.rate, arguments.icc, arguments.replicates)
        return
    started = time.perf_counter()
    table = simulate_coverage(replicates=arguments.replicates)
    elapsed = time.perf_counter() - started
    index = ["rate", "icc", "sample_size"]
    coverage = table.pivot_table(index=index, columns="method", values="coverage", sort=False)
    width = table.pivot_table(index=index, columns="method", values="mean_width", sort=False)
    zero = table.groupby(index, sort=False)["zero_error_share"].first()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 200)
    print(f"coverage (%) of 95% intervals, {arguments.replicates} replicates per cell")
    print((100 * coverage).round(1).assign(zero_errors=(100 * zero).round(1)).to_string())
    print("\nmean width (percentage points)")
    print((100 * width).round(2).to_string())
    default = DEFAULT_CI_METHOD
    relative = pd.DataFrame(
        {
            "vs_logit": width[default] / width["logit"],
            "vs_clopper_pearson": width[default] / width["clopper-pearson"],
        }
    )
    print(f"\nwidth of {default} relative to logit and Clopper-Pearson")
    print(relative.round(2).to_string())
    excess = 100 * (coverage[default] - 0.95)
    print(
        f"\n{default}: coverage min {100 * coverage[default].min():.1f}%, "
        f"max {100 * coverage[default].max():.1f}%; cells >= 94%: "
        f"{int((coverage[default] >= 0.94).sum())}/{len(coverage)}; conservative by "
        f"{excess.min():+.1f} to {excess.max():+.1f} points against the nominal 95%"
    )
    print(
        f"run time: {elapsed:.1f} s for {len(coverage)} cells x {arguments.replicates} replicates"
    )
    if arguments.output:
        table.to_csv(arguments.output, index=False)


if __name__ == "__main__":
    main()
