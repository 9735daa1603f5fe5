"""Benchmark: the 错保率 interval and bounds under field non-response, through the real pipeline.

A synthetic county (auditlib.synth.generator; seed, size and planted rates below, none of them
those of data/example/counties.yaml or of the tests) is sampled ``--replicates`` times with the
notice-2021 plan (auditlib.sampling: frame once, then a sample per seed); verification is
simulated from the ground truth with ``simulate_verification(..., nonresponse_rate=q)``
(households missing completely at random, hence at random within every weighting class), the
analysis table is built (``build_analysis_table``) and ``compute_estimates`` gives the
non-response-adjusted 错保率 with its Korn–Graubard 95% interval and the two bounds (every
non-respondent recipient eligible / ineligible). The truth is the county's share of ineligible
households among its recipient households (the plan's recipient programmes, Dibao and 特困,
特困 counted eligible as the simulated verification does).

For each rate q (``--rates``, default 0 0.05 0.15) it prints: the mean response rate, the bias
and coverage of the adjusted interval (with its Monte Carlo standard error) and its mean width,
how often the two point bounds contain the truth, how often the wider interval from the lower
limit of the lower bound to the upper limit of the upper bound does, the mean distance between
the bounds, and how often the bounds contain the estimate the same sample gives with every
household answered (they must, always: the bounds bracket the non-response, not the sampling
error). With ``--spread s`` the rate differs by township (q·(1 − s) in the first to
q·(1 + s) in the last, still at random within each township) to show what the weighting classes
correct. It asserts nothing.

Usage: ``python benchmarks/bench_nonresponse.py [--replicates 1000] [--rates 0.05 0.15]
[--spread 0.8] [--seed 20260417]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from auditlib.estimation.analysis_table import build_analysis_table
from auditlib.estimation.summary import compute_estimates
from auditlib.sampling.frame import build_frame
from auditlib.sampling.plan import resolve_plan
from auditlib.sampling.sample import sample_from_frame
from auditlib.synth.config import SynthConfig
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import generate_county
from auditlib.synth.output import SyntheticCounty


def _verification(
    county: SyntheticCounty, sample: pd.DataFrame, rate: float, spread: float, seed: int
) -> pd.DataFrame:
    """Simulated results; with a spread, each township gets its own non-response rate."""
    if spread == 0:
        return simulate_verification(
            county.data, county.truth, sample["household_id"], nonresponse_rate=rate, seed=seed
        )
    townships = sorted(sample["township_code"].astype(str).unique())
    parts = []
    for index, code in enumerate(townships):
        position = index / max(len(townships) - 1, 1)
        township_rate = rate * (1 - spread + 2 * spread * position)
        ids = sample.loc[sample["township_code"].astype(str) == code, "household_id"]
        parts.append(
            simulate_verification(
                county.data, county.truth, ids, nonresponse_rate=township_rate, seed=seed
            )
        )
    return pd.concat(parts, ignore_index=True)


def run(arguments: argparse.Namespace) -> None:
    config = SynthConfig(
        households=arguments.households,
        township_count=arguments.townships,
        village_households=220,
        seed=arguments.seed,
        inclusion_error_rate=arguments.error_rate,
        intra_village_correlation=arguments.icc,
    )
    started = time.perf_counter()
    county = generate_county(config)
    plan = resolve_plan("notice-2021")
    frame = build_frame(county.data, plan, None)
    programme = county.data.households["programme"].astype(str).to_numpy()
    recipients = np.isin(programme, list(plan.recipient_programmes))
    ineligible = county.truth.households["inclusion_error"].to_numpy(bool) & (programme != "tekun")
    truth = float(ineligible[recipients].mean())
    info = county.data.info
    print(
        f"county: seed {config.seed}, {config.households} households, {config.township_count} "
        f"townships, planted 错保率 {config.inclusion_error_rate}, intra-village correlation "
        f"{config.intra_village_correlation}; {int(recipients.sum())} recipient households, "
        f"true 错保率 {truth:.4f}; plan notice-2021; {arguments.replicates} replicates per rate "
        f"(sample seeds {arguments.seed + 1}..{arguments.seed + arguments.replicates}), "
        f"non-response spread across townships {arguments.spread}"
    )
    rows = []
    for rate in arguments.rates:
        values = []
        failures = 0
        for replicate in range(1, arguments.replicates + 1):
            seed = arguments.seed + replicate
            sample = sample_from_frame(frame, plan, seed, info.county_code).table
            verification = _verification(county, sample, rate, arguments.spread, seed)
            analysis = build_analysis_table(
                sample,
                verification,
                county.data.payments,
                period_start=info.audit_period_start,
                period_end=info.audit_period_end,
            )
            try:
                result = compute_estimates(analysis, lonely_psu=arguments.lonely_psu)
            except Exception as error:  # counted and shown; the run goes on
                failures += 1
                print(f"  rate {rate}, sample seed {seed}: {type(error).__name__}: {error}")
                continue
            error_rate = result.error_rate
            lower, upper = result.error_rate_lower_bound, result.error_rate_upper_bound
            assert lower is not None and upper is not None
            # The same sample had every household answered (the simulated verdicts do not
            # depend on the non-response draw): the bounds must contain that estimate always.
            full = compute_estimates(
                build_analysis_table(
                    sample,
                    _verification(county, sample, 0.0, 0.0, seed),
                    county.data.payments,
                    period_start=info.audit_period_start,
                    period_end=info.audit_period_end,
                ),
                lonely_psu=arguments.lonely_psu,
            ).error_rate.estimate
            values.append(
                (
                    result.response_rate,
                    error_rate.estimate,
                    error_rate.lower,
                    error_rate.upper,
                    lower.estimate,
                    upper.estimate,
                    lower.lower,
                    upper.upper,
                    full,
                )
            )
        table = np.array(values, dtype=float)
        covered = (table[:, 2] <= truth) & (truth <= table[:, 3])
        count = len(table)
        rows.append(
            {
                "nonresponse": rate,
                "replicates": count,
                "failures": failures,
                "response_rate": table[:, 0].mean(),
                "bias": table[:, 1].mean() - truth,
                "coverage": covered.mean(),
                "monte_carlo_se": np.sqrt(covered.mean() * (1 - covered.mean()) / count),
                "mean_width": (table[:, 3] - table[:, 2]).mean(),
                "bounds_contain_truth": ((table[:, 4] <= truth) & (truth <= table[:, 5])).mean(),
                "bound_intervals_contain_truth": (
                    (table[:, 6] <= truth) & (truth <= table[:, 7])
                ).mean(),
                "mean_bound_gap": (table[:, 5] - table[:, 4]).mean(),
                "bounds_contain_full_response": (
                    (table[:, 4] <= table[:, 8] + 1e-12) & (table[:, 8] <= table[:, 5] + 1e-12)
                ).mean(),
            }
        )
    result_table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    shown = result_table.copy()
    for column in (
        "response_rate",
        "coverage",
        "monte_carlo_se",
        "bounds_contain_truth",
        "bounds_contain_full_response",
    ):
        shown[column] = (100 * shown[column]).round(1)
    shown["bound_intervals_contain_truth"] = (100 * shown["bound_intervals_contain_truth"]).round(1)
    for column in ("bias", "mean_width", "mean_bound_gap"):
        shown[column] = (100 * shown[column]).round(2)
    print(
        "percent (rates, coverage) and percentage points (bias, widths); Korn-Graubard 95% "
        "interval of the non-response-adjusted 错保率"
    )
    print(shown.to_string(index=False))
    print(f"run time: {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--rates", type=float, nargs="+", default=[0.0, 0.05, 0.15])
    parser.add_argument("--spread", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=20260417)
    parser.add_argument("--households", type=int, default=15000)
    parser.add_argument("--townships", type=int, default=6)
    parser.add_argument("--error-rate", type=float, default=0.10)
    parser.add_argument("--icc", type=float, default=0.10)
    parser.add_argument("--lonely-psu", default="adjust")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
