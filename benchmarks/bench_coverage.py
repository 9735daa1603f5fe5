"""Benchmark: coverage and mean width of every CI method over the issue's grid.

True rates 1, 2, 5, 10, 20%; 30, 75 and 150 sampled households (5 per village); intra-village
correlation 0.05 and 0.15; ``--replicates`` samples per cell (default 2,000; the table in
docs/estimation.md used 10,000). Prints the coverage table, the widths relative to logit
and Clopper–Pearson, where the default is conservative and by how much, and the run time.

Usage: ``python benchmarks/bench_coverage.py [--replicates 2000] [--output table.csv]``
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from auditlib.intervals import DEFAULT_CI_METHOD
from auditlib.simulation import simulate_coverage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=2000)
    parser.add_argument("--output", default=None)
    arguments = parser.parse_args()
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
