"""Benchmark: all county and township estimates of a 200-household sample, Python vs R survey.

Builds a synthetic county (auditlib.synth.generator), draws a 200-household sample (notice-2021 plan
without the temporary-assistance census: 5 recipients + 5 at-risk non-recipients per sampled
village, certainty relatives, 30% of new approvals), derives verification results from the
ground truth (as ``simulate_verification`` with no verifier error), and times
:func:`auditlib.estimation.areas.estimates_table` (county + every township: inclusion-error
rate and by type, improper-payment total and rate, omission rate with E, R and their covariance):

* once for the sample (median of repeated runs; target ≤ 50 ms),
* for ``--replicates`` replicate samples (default 1,000),

and the same estimands in R ``survey`` (svydesign / svyciprop(method="beta") / svytotal /
svyratio / svyby-free loops over townships) on ``--r-replicates`` of those samples in the same
run, reporting the per-sample ratio (target ≥ 10× faster). The R estimates of the first
sample are compared with auditlib's (estimates and standard errors).

Usage: ``python benchmarks/bench_estimation.py [--replicates 1000] [--r-replicates 20]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from auditlib.estimation.analysis_table import build_analysis_table
from auditlib.estimation.areas import estimates_table
from auditlib.sampling.frame import build_frame
from auditlib.sampling.plan import PRESETS, resolve_plan
from auditlib.sampling.sample import sample_from_frame
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
options(survey.lonely.psu = args[3])
all <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = "",
                colClasses = c(township_code = "character"))
area <- function(d, level, code) {
  rec <- subset(d, recipient == 1)
  rows <- list()
  put <- function(name, type, est, se) rows[[length(rows) + 1]] <<-
    data.frame(area_level = level, area_code = code, estimand = name, error_type = type,
               estimate = as.numeric(est), standard_error = as.numeric(se))
  p <- svyciprop(~ineligible, rec, method = "beta")
  put("inclusion_error_rate", NA, coef(p), sqrt(attr(p, "var")))
  types <- sort(unique(rec$variables$error_type[rec$variables$ineligible == 1]))
  for (type in types) {
    v <- rec$variables
    rec$variables$flag <- as.numeric(v$ineligible == 1 & v$error_type %in% type)
    p <- svyciprop(~flag, rec, method = "beta")
    put("inclusion_error_rate_by_type", type, coef(p), sqrt(attr(p, "var")))
  }
  t <- svytotal(~improper_amount, rec)
  put("improper_payment_total", NA, coef(t), SE(t))
  r <- svyratio(~improper_amount, ~amount_paid, rec)
  put("improper_payment_rate", NA, coef(r), SE(r))
  p <- svyciprop(~eligible_non_recipient, subset(d, eligible_flag == 1), method = "beta")
  put("omission_rate", NA, coef(p), sqrt(attr(p, "var")))
  t <- svytotal(~eligible_non_recipient + eligible_recipient, d)
  vcov(t)
  put("eligible_non_recipients", NA, coef(t)[1], SE(t)[1])
  put("eligible_recipients", NA, coef(t)[2], SE(t)[2])
  do.call(rbind, rows)
}
design <- function(frame) svydesign(ids = ~psu + household_id, strata = ~stratum + ssu_stratum,
                                    fpc = ~psu_population + ssu_population, weights = ~weight,
                                    data = frame)
one_sample <- function(frame) {
  out <- list(area(design(frame), "county", "county"))
  single <- grepl("^(C|N):", frame$stratum)
  for (code in sort(unique(frame$township_code))) {
    part <- frame[frame$stratum == paste0("T:", code) | single, ]
    d <- subset(design(part), township_code == code)
    out[[length(out) + 1]] <- area(d, "township", code)
  }
  do.call(rbind, out)
}
replicates <- sort(unique(all$replicate))
first <- NULL
start <- proc.time()[["elapsed"]]
for (r in replicates) {
  result <- one_sample(all[all$replicate == r, ])
  if (is.null(first)) first <- result
}
elapsed <- proc.time()[["elapsed"]] - start
write.csv(first, args[2], row.names = FALSE)
cat(sprintf("%.6f\n", elapsed))
"""


def _analysis(county, frame, plan, seed: int) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    sample = sample_from_frame(frame, plan, seed, county.config.county_code).table
    truth = county.truth.households.set_index("household_id")
    ids = sample["household_id"].astype(str)
    # As auditlib.synth.fieldwork.simulate_verification: 特困 (tekun) households count as eligible.
    programme = county.data.households.set_index("household_id").loc[ids, "programme"]
    eligible = truth.loc[ids, "eligible"].to_numpy(bool) | (programme.to_numpy(str) == "tekun")
    ineligible = ~eligible
    verification = pd.DataFrame(
        {
            "household_id": ids.to_numpy(),
            "eligible": np.where(ineligible, "no", "yes"),
            "error_type": truth.loc[ids, "error_type"].to_numpy(dtype=object, na_value=None),
        }
    )
    info = county.data.info
    return build_analysis_table(
        sample,
        verification,
        county.data.payments,
        period_start=info.audit_period_start,
        period_end=info.audit_period_end,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--r-replicates", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--lonely-psu", default="adjust")
    arguments = parser.parse_args()

    county = generate_county(SynthConfig(households=12000, township_count=6, seed=5))
    plan = resolve_plan(
        {**PRESETS["notice-2021"], "name": "benchmark", "temporary_assistance": False}
    )
    frame = build_frame(county.data, plan, None)
    started = time.perf_counter()
    tables = [_analysis(county, frame, plan, seed) for seed in range(arguments.replicates)]
    preparation = time.perf_counter() - started
    first = tables[0]
    print(
        f"sample: {len(first)} households, {first['township_code'].nunique()} townships, "
        f"{first['psu'].nunique()} PSUs; {arguments.replicates} replicate samples drawn in "
        f"{preparation:.1f} s (not timed below)"
    )
    options = {"lonely_psu": arguments.lonely_psu}
    estimates_table(first, **options)  # warm-up
    times, cpu_times = [], []
    for _ in range(arguments.repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        ours = estimates_table(first, **options)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    single = statistics.median(times)
    print(
        f"auditlib, all county + township estimates of one sample ({len(ours)} estimands): "
        f"median {1000 * single:.1f} ms wall, {1000 * statistics.median(cpu_times):.1f} ms CPU "
        f"over {arguments.repeats} runs (target <= 50 ms); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    for table in tables:
        estimates_table(table, **options)
    python_total = time.perf_counter() - started
    python_cpu = time.process_time() - cpu_started
    python_each = python_total / len(tables)
    print(
        f"auditlib, {len(tables)} replicate samples: {python_total:.2f} s wall, "
        f"{python_cpu:.2f} s CPU ({1000 * python_each:.1f} ms per sample)"
    )
    if shutil.which("Rscript") is None:
        print("Rscript not found: R comparison skipped")
        return
    count = min(arguments.r_replicates, len(tables))
    with tempfile.TemporaryDirectory() as folder:
        data_path = Path(folder) / "samples.csv"
        out_path = Path(folder) / "first.csv"
        script = Path(folder) / "bench.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        stacked = pd.concat(
            [t.assign(replicate=i) for i, t in enumerate(tables[:count])], ignore_index=True
        )
        stacked["recipient"] = stacked["recipient"].astype(int)
        stacked.to_csv(data_path, index=False)
        result = subprocess.run(
            ["Rscript", str(script), str(data_path), str(out_path), arguments.lonely_psu],
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"R failed:\n{result.stderr}")
        r_total = float(result.stdout.strip().splitlines()[-1])
        reference = pd.read_csv(out_path, dtype={"area_code": str})
    r_each = r_total / count
    print(
        f"R survey, same estimands on {count} of those samples: {r_total:.2f} s "
        f"({1000 * r_each:.0f} ms per sample; {r_each * len(tables):.0f} s projected for "
        f"{len(tables)})"
    )
    print(f"speed-up auditlib vs R survey: {r_each / python_each:.0f}x per sample (target >= 10x)")
    ours = estimates_table(first, **options)
    ours["area_code"] = np.where(ours["area_level"] == "county", "county", ours["area_code"])
    key = ["area_level", "area_code", "estimand", "error_type"]
    merged = reference.fillna({"error_type": "NA"}).merge(
        ours.fillna({"error_type": "NA"}), on=key, how="left", suffixes=("_r", "")
    )
    for column in ("estimate", "standard_error"):
        scale = np.maximum(np.abs(merged[f"{column}_r"]), 1e-300)
        difference = np.nanmax(np.abs(merged[column] - merged[f"{column}_r"]) / scale)
        print(f"first sample, max relative difference R vs auditlib ({column}): {difference:.1e}")
    print(
        f"estimands compared: {len(merged)}, missing on the auditlib side: "
        f"{int(merged['estimate'].isna().sum())}"
    )


if __name__ == "__main__":
    main()
