"""Benchmark: coverage of every county estimand through the real pipeline, on a held-out grid.

Eight synthetic counties whose generator settings no test or example uses (size, townships,
error and omission rates, intra-village correlation 0.02–0.30, payment-anomaly mix), each × the
three sampling presets (``notice-2019``, ``notice-2021``, ``risk-targeted``). Two grids:
``--grid A`` (county seeds 7301–7308) on which issue 13's choices were developed, and
``--grid B`` (other settings, county seeds 7411–7418, sample seeds from 62,370,000), held out
for the county intervals, and ``--grid C`` (the default; county seeds 7521–7528, sample seeds
from 63,370,000), held out for the township model after its last change was made on A and B.
Every cell draws ``--replicates`` samples (seeds ``base + 1000·cell + replicate``),
verifies them from the ground truth and estimates them with
:func:`auditlib.pipeline.estimates.audit_estimates` (what ``auditlib report`` runs), through
:mod:`auditlib.pipeline.simulation`. Printed and written (``--output``): per cell × level ×
estimand × model the coverage of the default 95 % interval with its Monte Carlo SE, the worst
township, the mean width, the width of the interval that uses the true sampling variance and
their ratio, bias and RMSE. ``--options r`` runs the R-compatible methods instead
(NCHS-capped Korn–Graubard, #PSU − #strata, symmetric t for yuan), for comparison.

Usage::

    python benchmarks/bench_pipeline_grid.py --replicates 500 --workers 2 \\
        --output /tmp/pipeline_grid.csv   # refuses an existing file
    python benchmarks/bench_pipeline_grid.py --replicates 40 --cells 0,5   # a quick look
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data.atomic import atomic_write_text
from auditlib.pipeline.audit import risk_scorer
from auditlib.pipeline.params import params_from_mapping
from auditlib.pipeline.simulation import coverage_summary, prepare_simulation, run_replicates
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county

PRESETS = ("notice-2019", "notice-2021", "risk-targeted")


@dataclass(frozen=True)
class Setting:
    """One synthetic county of the grid."""

    name: str
    seed: int
    households: int
    townships: int
    error: float
    omission: float
    icc: float
    anomaly: float
    anomaly_mix: str = "default"


#: The first held-out grid (county seeds 7301–7308; issue 13's development measurements).
GRID_A: tuple[Setting, ...] = (
    Setting("small-low", 7301, 6_000, 4, 0.03, 0.05, 0.02, 0.01),
    Setting("small-high-icc", 7302, 8_000, 5, 0.12, 0.15, 0.30, 0.03),
    Setting("mid-typical", 7303, 15_000, 7, 0.08, 0.10, 0.10, 0.02, "duplicates"),
    Setting("mid-high-error", 7304, 18_000, 8, 0.20, 0.08, 0.15, 0.04),
    Setting("large-low-icc", 7305, 30_000, 12, 0.05, 0.20, 0.05, 0.02, "after-death"),
    Setting("large-clustered", 7306, 26_000, 10, 0.10, 0.25, 0.25, 0.06, "oversized"),
    Setting("mid-rare", 7307, 12_000, 6, 0.02, 0.12, 0.08, 0.00),
    Setting("few-townships", 7308, 10_000, 3, 0.15, 0.06, 0.20, 0.03),
)
#: The second held-out grid: other sizes, rates and correlations and county seeds 7411–7418,
#: used by no test, example or tuning run (the Jeffreys default was chosen on grid A).
GRID_B: tuple[Setting, ...] = (
    Setting("small-rare", 7411, 7_000, 4, 0.04, 0.06, 0.03, 0.01),
    Setting("small-clustered", 7412, 9_000, 6, 0.10, 0.12, 0.28, 0.03, "oversized"),
    Setting("mid-moderate", 7413, 14_000, 7, 0.07, 0.10, 0.12, 0.02),
    Setting("mid-high-error", 7414, 20_000, 9, 0.18, 0.09, 0.18, 0.05, "duplicates"),
    Setting("large-low-icc", 7415, 28_000, 11, 0.06, 0.18, 0.04, 0.02),
    Setting("large-clustered", 7416, 24_000, 10, 0.12, 0.22, 0.22, 0.05, "after-death"),
    Setting("mid-very-rare", 7417, 11_000, 5, 0.025, 0.10, 0.06, 0.00),
    Setting("three-townships", 7418, 9_000, 3, 0.14, 0.07, 0.25, 0.03),
)
#: The third held-out grid (county seeds 7521–7528): measured once, after the township model's
#: GVF floor and t quantile were chosen on grid A and on grid B's small-clustered cells.
GRID_C: tuple[Setting, ...] = (
    Setting("small-very-clustered", 7521, 8_500, 5, 0.09, 0.10, 0.30, 0.02),
    Setting("small-moderate", 7522, 7_500, 6, 0.06, 0.14, 0.12, 0.03, "duplicates"),
    Setting("mid-clustered", 7523, 16_000, 8, 0.11, 0.09, 0.24, 0.04, "oversized"),
    Setting("mid-low-icc", 7524, 13_000, 7, 0.05, 0.16, 0.02, 0.01),
    Setting("large-high-error", 7525, 27_000, 12, 0.16, 0.07, 0.14, 0.05, "after-death"),
    Setting("large-rare", 7526, 25_000, 9, 0.03, 0.20, 0.07, 0.02),
    Setting("mid-two-villages", 7527, 12_000, 6, 0.13, 0.11, 0.20, 0.03),
    Setting("four-townships", 7528, 10_000, 4, 0.08, 0.08, 0.16, 0.02, "duplicates"),
)
GRIDS = {"A": GRID_A, "B": GRID_B, "C": GRID_C}
#: Sample seeds of cell k of each grid: base + 1000 k + replicate (used nowhere else).
SAMPLE_SEEDS = {"A": 61_370_000, "B": 62_370_000, "C": 63_370_000}
_MIXES = {
    "default": None,
    "duplicates": {"duplicate_payment": 0.7, "oversized_payment": 0.3},
    "after-death": {"payment_after_death": 0.6, "holder_name_differs": 0.4},
    "oversized": {"oversized_payment": 0.6, "shared_account": 0.4},
}
_R_OPTIONS = {
    "ci_method": "korn-graubard-nchs",
    "degrees_of_freedom": "design",
    "payment_interval": "t",
}


def _config(setting: Setting) -> SynthConfig:
    extra: dict[str, Any] = {}
    mix = _MIXES[setting.anomaly_mix]
    if mix is not None:
        extra["payment_anomaly_weights"] = mix
    return SynthConfig(
        county_code="610429",
        county="网格县",
        province="陕西省",
        seed=setting.seed,
        households=setting.households,
        township_count=setting.townships,
        inclusion_error_rate=setting.error,
        omission_rate=setting.omission,
        intra_village_correlation=setting.icc,
        payment_anomaly_rate=setting.anomaly,
        **extra,
    )


def run_cell(cell: int, replicates: int, options: str, grid: str = "A") -> pd.DataFrame:
    """Coverage summary of one cell (setting × preset) of ``grid``."""
    setting = GRIDS[grid][cell // len(PRESETS)]
    seed_base = SAMPLE_SEEDS[grid]
    preset = PRESETS[cell % len(PRESETS)]
    county = generate_county(_config(setting))
    estimation: dict[str, Any] = {"lonely_psu": "adjust"}
    if options == "r":
        estimation |= _R_OPTIONS
    elif options != "default":
        estimation["ci_method"] = options
    params = params_from_mapping(
        {
            "county_code": "610429",
            "data": ".",
            "seed": seed_base + 1000 * cell,
            "sampling": {"plan": preset},
            "risk": {"n_estimators": 100, "max_samples": 256},
            "estimation": estimation,
        }
    )
    simulation = prepare_simulation(
        params, county.data, county.truth, risk_scorer(params.risk), plan=preset
    )
    started = time.perf_counter()
    results = run_replicates(simulation, replicates, seed_base + 1000 * cell)
    summary = coverage_summary(results, simulation.true_values)
    summary.insert(0, "preset", preset)
    summary.insert(0, "setting", setting.name)
    summary.insert(0, "cell", cell)
    summary.insert(0, "grid", grid)
    summary["seconds"] = time.perf_counter() - started
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cells", default="", help="comma-separated cell numbers (default all)")
    parser.add_argument(
        "--options",
        default="default",
        help="default, r (the R-compatible methods) or an interval method of proportions",
    )
    parser.add_argument(
        "--grid",
        choices=sorted(GRIDS),
        default="C",
        help="A: development grid, B: held out for county intervals, C: held out for both",
    )
    parser.add_argument("--output", type=Path, default=None)
    arguments = parser.parse_args()
    if arguments.output is not None and arguments.output.exists():
        parser.error(
            f"{arguments.output} already exists; the benchmark never overwrites a file it did "
            "not write in this run: choose another --output or move that file away"
        )
    cells = (
        [int(part) for part in arguments.cells.split(",")]
        if arguments.cells
        else list(range(len(GRIDS[arguments.grid]) * len(PRESETS)))
    )
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=arguments.workers) as pool:
        futures = [
            pool.submit(run_cell, cell, arguments.replicates, arguments.options, arguments.grid)
            for cell in cells
        ]
        parts = []
        for future in futures:
            part = future.result()
            parts.append(part)
            county = part[(part["level"] == "county") & (part["model"] == "direct")]
            print(
                f"cell {int(part['cell'].iloc[0])} {part['setting'].iloc[0]} "
                f"{part['preset'].iloc[0]}: "
                + ", ".join(
                    f"{row.estimand} {100 * row.coverage:.1f}%/{row.width_ratio:.2f}x"
                    for row in county.itertuples()
                ),
                flush=True,
            )
            if arguments.output is not None:  # created by this run; rewritten as cells finish
                atomic_write_text(arguments.output, pd.concat(parts).to_csv(index=False))
    table = pd.concat(parts, ignore_index=True)
    county = table[(table["level"] == "county") & (table["model"] == "direct")]
    worst = county.loc[county.groupby("estimand")["coverage"].idxmin()]
    print("\nworst cell per county estimand (coverage, Monte Carlo SE, width ratio):")
    for row in worst.itertuples():
        print(
            f"  {row.estimand:17s} {100 * row.coverage:5.1f}% (±{100 * row.monte_carlo_se:.1f}) "
            f"cell {row.cell} {row.setting}/{row.preset}; width {row.width_ratio:.2f}x oracle"
        )
    print(
        f"  width ratio over all cells: max "
        f"{county['width_ratio'].replace(float('inf'), float('nan')).max():.2f}"
    )
    towns = table[(table["level"] == "township") & (table["estimand"] == "error_rate")]
    for model, part in towns.groupby("model"):
        print(
            f"township error_rate {model}: average coverage {100 * part['coverage'].min():.1f}–"
            f"{100 * part['coverage'].max():.1f}% per cell, worst township "
            f"{100 * part['worst_coverage'].min():.1f}%, RMSE {part['rmse'].mean():.4f}"
        )
    print(f"total {time.perf_counter() - started:.0f} s, {len(cells)} cells")


if __name__ == "__main__":
    main()
