"""Benchmark: coverage of the provincial estimates over a synthetic province (issue 16).

A province of ``--counties`` synthetic counties (county seeds 9101–9120, settings no test or
other benchmark uses: sizes, error and omission rates, intra-village correlation 0.03–0.28).
Every replicate draws each county's sample independently (sample seeds
``71_000_000 + 10_000·county + replicate``) with the county's plan (``notice-2021``: it samples
non-recipients, so 漏保率 is estimated), verifies it from the ground truth and estimates it with
:func:`auditlib.pipeline.estimates.audit_estimates` (what ``auditlib report`` runs); the
county results, in the form ``estimates.json`` records them (details and
:func:`auditlib.pipeline.populations.county_populations`), are combined by
:func:`auditlib.estimation.province.province_estimates` and the provincial intervals compared
with the provincial population values (sums over the counties' ground truth). Printed and
written (``--output``, never overwritten): per estimand the coverage of the 95 % interval, its
Monte Carlo SE, mean width, the spread of the estimates, bias, and beside them the coverage of the
counties' own intervals of their own population values (mean and worst county).

Usage::

    python benchmarks/bench_province_coverage.py --replicates 300 --workers 2 \\
        --counties 6 --cache /tmp/province-cache --output /tmp/province_coverage.csv
    python benchmarks/bench_province_coverage.py --replicates 20 --counties 4   # a quick look
"""

from __future__ import annotations

import argparse
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data.atomic import atomic_write_bytes, atomic_write_text
from auditlib.estimation.province import ESTIMANDS, CountyResult, province_estimates
from auditlib.estimation.results import Estimate
from auditlib.estimation.summary import ReportEstimates, figure_estimates
from auditlib.pipeline.audit import risk_scorer
from auditlib.pipeline.estimates import audit_estimates
from auditlib.pipeline.params import params_from_mapping
from auditlib.pipeline.populations import county_populations
from auditlib.pipeline.simulation import _population, prepare_simulation
from auditlib.sampling.sample import sample_from_frame
from auditlib.synth.config import SynthConfig
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.generator import generate_county

PRESET = "notice-2021"
SAMPLE_SEED = 71_000_000
#: (county seed, households, townships, 错保率, 漏保率, intra-village correlation).
COUNTIES: tuple[tuple[int, int, int, float, float, float], ...] = (
    (9101, 6_000, 4, 0.06, 0.10, 0.05),
    (9102, 9_000, 5, 0.12, 0.15, 0.20),
    (9103, 7_500, 4, 0.03, 0.08, 0.10),
    (9104, 11_000, 6, 0.09, 0.18, 0.28),
    (9105, 5_500, 3, 0.15, 0.06, 0.12),
    (9106, 8_000, 5, 0.05, 0.12, 0.03),
    (9107, 10_000, 6, 0.08, 0.09, 0.18),
    (9108, 6_500, 4, 0.11, 0.20, 0.08),
    (9109, 7_000, 4, 0.04, 0.14, 0.22),
    (9110, 9_500, 5, 0.10, 0.11, 0.15),
    (9111, 6_000, 4, 0.07, 0.16, 0.25),
    (9112, 8_500, 5, 0.13, 0.07, 0.06),
    (9113, 7_000, 4, 0.05, 0.10, 0.14),
    (9114, 12_000, 7, 0.09, 0.13, 0.10),
    (9115, 5_000, 3, 0.06, 0.09, 0.20),
    (9116, 9_000, 5, 0.14, 0.17, 0.04),
    (9117, 6_500, 4, 0.02, 0.12, 0.16),
    (9118, 8_000, 5, 0.10, 0.08, 0.26),
    (9119, 7_500, 4, 0.08, 0.15, 0.09),
    (9120, 10_500, 6, 0.12, 0.10, 0.12),
)


def county_details(estimates: ReportEstimates) -> dict[str, Estimate | None]:
    """The ``details`` of a county's ``estimates.json`` (as :mod:`auditlib.report.outputs`)."""
    return {
        **figure_estimates(estimates),
        "ineligible_households": estimates.ineligible_households,
        "total_paid": estimates.total_paid,
        "overpayment_rate": getattr(estimates.overpayment, "rate", None),
        "underpayment_rate": getattr(estimates.underpayment, "rate", None),
        "error_rate_lower_bound": estimates.error_rate_lower_bound,
        "error_rate_upper_bound": estimates.error_rate_upper_bound,
    }


def _truth_parts(data: Any, truth: Any) -> dict[str, tuple[float, float]]:
    """(numerator, denominator) of every estimand's population value (totals: (value, 1))."""
    population = _population(data, truth)
    dibao, tekun = population["dibao"] > 0, population["tekun"] > 0
    paid = float(population["paid"][dibao].sum())
    eligible = float((population["eligible_non_recipient"] + population["eligible_dibao"]).sum())
    ineligible = float(population["ineligible"][dibao].sum())
    return {
        "error_rate": (ineligible, float(dibao.sum())),
        "tekun_error_rate": (float(population["ineligible"][tekun].sum()), float(tekun.sum())),
        "omission_rate": (float(population["eligible_non_recipient"].sum()), eligible),
        "improper_rate": (float(population["improper_amount"][dibao].sum()), paid),
        "overpayment_rate": (float(population["overpayment"][dibao].sum()), paid),
        "underpayment_rate": (float(population["underpayment"][dibao].sum()), paid),
        "improper_amount": (float(population["improper_amount"][dibao].sum()), 1.0),
        "overpayment": (float(population["overpayment"][dibao].sum()), 1.0),
        "underpayment": (float(population["underpayment"][dibao].sum()), 1.0),
        "ineligible_households": (ineligible, 1.0),
        "total_paid": (paid, 1.0),
    }


def _load(path: Path | None) -> list[Any]:
    if path is None or not path.is_file():
        return []
    with open(path, "rb") as stream:
        return list(pickle.load(stream))


def _save(path: Path | None, results: list[Any]) -> None:
    if path is not None:
        atomic_write_bytes(path, pickle.dumps(results))


def run_county(
    index: int, replicates: int, cache: Path | None = None
) -> tuple[dict[str, tuple[float, float]], list[Any]]:
    """Truth parts and ``replicates`` county results of county ``index``.

    With ``cache`` (a folder this benchmark writes) the results are saved every 25 replicates
    and a later run continues from them (the seeds depend on the replicate number only).
    """
    path = None if cache is None else cache / f"county-{index}.pickle"
    seed, households, townships, error, omission, icc = COUNTIES[index]
    code = f"61{index + 1:04d}"
    county = generate_county(
        SynthConfig(
            county_code=code,
            county=f"模拟县{index + 1}",
            province="模拟省",
            seed=seed,
            households=households,
            township_count=townships,
            inclusion_error_rate=error,
            omission_rate=omission,
            intra_village_correlation=icc,
        )
    )
    params = params_from_mapping(
        {
            "county_code": code,
            "data": ".",
            "seed": SAMPLE_SEED + 10_000 * index,
            "sampling": {"plan": PRESET},
            "risk": {"n_estimators": 100, "max_samples": 256},
            "estimation": {"lonely_psu": "adjust"},
        }
    )
    simulation = prepare_simulation(
        params, county.data, county.truth, risk_scorer(params.risk), plan=PRESET
    )
    results = _load(path)[:replicates]
    for replicate in range(len(results), replicates):
        sample_seed = SAMPLE_SEED + 10_000 * index + replicate
        sample = sample_from_frame(simulation.frame, simulation.plan, sample_seed, code)
        ids = sample.table["household_id"].astype(str).tolist()
        answers = simulate_verification(county.data, county.truth, ids, seed=sample_seed)
        _, estimates = audit_estimates(params, county.data, sample, answers, facts=simulation.facts)
        results.append(
            CountyResult(
                code,
                code,
                county_details(estimates),
                county_populations(county.data, estimates),
            )
        )
        if (replicate + 1) % 25 == 0:
            _save(path, results)
    _save(path, results)
    return _truth_parts(county.data, county.truth), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=300)
    parser.add_argument("--counties", type=int, default=12)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--cache", type=Path, default=None, help="folder for the county results (resumable)"
    )
    parser.add_argument(
        "--first-county", type=int, default=0, help="province of counties first … first+n−1"
    )
    parser.add_argument(
        "--indices", default="", help="comma-separated county numbers (instead of the two above)"
    )
    arguments = parser.parse_args()
    if arguments.output is not None and arguments.output.exists():
        parser.error(f"{arguments.output} already exists; choose another --output")
    indices = (
        [int(part) for part in arguments.indices.split(",")]
        if arguments.indices
        else list(range(arguments.first_county, arguments.first_county + arguments.counties))
    )
    started = time.perf_counter()
    if arguments.cache is not None:
        arguments.cache.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=arguments.workers) as pool:
        futures = [
            pool.submit(run_county, index, arguments.replicates, arguments.cache)
            for index in indices
        ]
        done = [future.result() for future in futures]
    truth: dict[str, float] = {}
    for name in ESTIMANDS:
        if name.startswith("error_rate_"):
            continue
        parts = [county_truth[name] for county_truth, _ in done]
        top, bottom = sum(p[0] for p in parts), sum(p[1] for p in parts)
        truth[name] = top / bottom if ESTIMANDS[name].kind == "rate" else top
    rows = []
    for replicate in range(arguments.replicates):
        combined = province_estimates([results[replicate] for _, results in done])
        for name, value in truth.items():
            item = combined.get(name)
            if item is None:
                continue
            e = item.estimate
            rows.append(
                {
                    "replicate": replicate,
                    "estimand": name,
                    "truth": value,
                    "estimate": e.estimate,
                    "lower": e.lower,
                    "upper": e.upper,
                    "degrees_of_freedom": e.degrees_of_freedom,
                    # a register total (method "register") is exact: equal up to rounding
                    "covered": e.lower - 1e-9 * abs(value) <= value <= e.upper + 1e-9 * abs(value),
                }
            )
    table = pd.DataFrame(rows)
    county_rows = []
    for county_truth, results in done:
        for name in truth:
            top, bottom = county_truth[name]
            value = top / bottom if ESTIMANDS[name].kind == "rate" and bottom > 0 else top
            hits = [
                e.lower <= value <= e.upper
                for e in (r.estimates.get(name) for r in results[: arguments.replicates])
                if e is not None
            ]
            if hits:
                county_rows.append({"estimand": name, "county_coverage": float(np.mean(hits))})
    counties = pd.DataFrame(county_rows).groupby("estimand")["county_coverage"]
    summary = table.groupby("estimand").agg(
        coverage=("covered", "mean"),
        replicates=("covered", "size"),
        truth=("truth", "first"),
        mean=("estimate", "mean"),
        spread=("estimate", "std"),
        lower=("lower", "mean"),
        upper=("upper", "mean"),
        df=("degrees_of_freedom", "median"),
    )
    summary["monte_carlo_se"] = np.sqrt(
        summary["coverage"] * (1 - summary["coverage"]) / summary["replicates"]
    )
    summary["relative_bias"] = summary["mean"] / summary["truth"] - 1
    summary["width_ratio"] = (summary["upper"] - summary["lower"]) / (
        2 * 1.959963984540054 * summary["spread"]
    )
    summary["county_mean"] = counties.mean()
    summary["county_worst"] = counties.min()
    pd.set_option("display.width", 160)
    print(
        f"{len(indices)} counties (seeds {', '.join(str(COUNTIES[k][0]) for k in indices)}), "
        f"{arguments.replicates} replicates, "
        f"sample seeds from {SAMPLE_SEED}"
    )
    print(
        summary[
            [
                *("coverage", "monte_carlo_se", "relative_bias", "width_ratio", "df"),
                *("replicates", "county_mean", "county_worst"),
            ]
        ].to_string(float_format=lambda x: f"{x:.4f}")
    )
    if arguments.output is not None:
        atomic_write_text(arguments.output, summary.reset_index().to_csv(index=False))
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
