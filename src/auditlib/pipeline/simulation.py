"""``auditlib simulate pipeline``: a county's own plan, checked by simulation before fieldwork.

Repeated draws of the county's sampling plan (the parameter file's, or another preset), each
verified from the county's ground truth (:func:`auditlib.synth.fieldwork.simulate_verification`,
no verifier error, full response) and estimated by
:func:`auditlib.pipeline.estimates.audit_estimates` — the code ``auditlib report`` runs. One row
per replicate × estimand × domain × model (:data:`RESULT_COLUMNS`); :func:`coverage_summary`
compares the intervals with the population values (:func:`true_values`) the same definitions
give on the whole county.

The ground truth exists for synthetic counties (the example data, ``auditlib synth``); for a real
county, generate a look-alike with its size and the error rates you expect and check the plan
on that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.estimation.entitlement import entitled_months, payment_columns
from auditlib.estimation.summary import figure_estimates
from auditlib.pipeline.estimates import (
    RegisterFacts,
    audit_estimates,
    period_payments,
    register_facts,
)
from auditlib.pipeline.params import AuditParams
from auditlib.risk.scorer import RiskScorer
from auditlib.sampling.frame import SamplingFrame, build_frame
from auditlib.sampling.plan import SamplingPlan, resolve_plan
from auditlib.sampling.sample import sample_from_frame
from auditlib.synth.fieldwork import simulate_verification
from auditlib.synth.output import GroundTruth

__all__ = [
    "ESTIMANDS",
    "RESULT_COLUMNS",
    "PipelineSimulation",
    "coverage_summary",
    "prepare_simulation",
    "run_replicates",
    "true_values",
]

#: Estimands of the simulation (``estimand`` column).
ESTIMANDS: tuple[str, ...] = (
    *("error_rate", "improper_amount", "improper_rate", "omission_rate"),
    *("tekun_error_rate", "overpayment", "underpayment"),
)
Z95 = 1.959963984540054
#: Columns of the replicate table.
RESULT_COLUMNS: tuple[str, ...] = (
    *("replicate", "seed", "domain", "estimand", "model"),
    *("estimate", "lower", "upper", "reliable"),
)
_TOWNSHIP_COLUMNS = {
    "error_rate": ("inclusion_error", None),
    "improper_amount": ("improper_payment_total", None),
    "improper_rate": ("improper_payment_rate", None),
    "tekun_error_rate": ("tekun_error", None),
    "overpayment": ("overpayment", "total"),
    "underpayment": ("underpayment", "total"),
}


@dataclass(frozen=True)
class PipelineSimulation:
    """A county prepared for repeated draws (the frame and the risk scores are built once)."""

    params: AuditParams
    data: CountyData
    truth: GroundTruth
    plan: SamplingPlan
    frame: SamplingFrame
    facts: RegisterFacts
    scores: pd.DataFrame
    true_values: pd.DataFrame


def prepare_simulation(
    params: AuditParams,
    data: CountyData,
    truth: GroundTruth,
    scorer: RiskScorer,
    *,
    plan: str | None = None,
) -> PipelineSimulation:
    """Score risk, resolve the plan (``plan`` overrides the parameter file's preset) and build
    the frame once."""
    file = str(params.source) if params.source else "<params>"
    resolved = params.sampling_plan() if plan is None else resolve_plan(plan, {}, file=file)
    scores = scorer.fit_assess(data).scores
    return PipelineSimulation(
        params=params,
        data=data,
        truth=truth,
        plan=resolved,
        frame=build_frame(data, resolved, scores),
        facts=register_facts(data, scores, resolved.priority_window_months),
        scores=scores,
        true_values=true_values(data, truth),
    )


def _population(data: CountyData, truth: GroundTruth) -> pd.DataFrame:
    households = data.households
    ids = households["household_id"].astype(str).to_numpy()
    known = truth.households.assign(household_id=truth.households["household_id"].astype(str))
    known = known.set_index("household_id").reindex(ids)
    programme = households["programme"].astype(str).to_numpy()
    info = data.info
    paid = period_payments(data).reindex(ids).fillna(0.0)
    # As simulate_verification: 特困 households are eligible; ineligible = not eligible.
    eligible = known["eligible"].to_numpy(bool) | (programme == "tekun")
    recipient = programme != "none"
    months = entitled_months(households, info.audit_period_start, info.audit_period_end)
    ineligible = (recipient & ~eligible).astype(float)
    frame = pd.DataFrame(
        {
            "township": households["township_code"].astype(str).to_numpy(),
            "dibao": (programme == "dibao").astype(float),
            "tekun": (programme == "tekun").astype(float),
            "ineligible": ineligible,
            "paid": paid.to_numpy(float),
            "improper_amount": paid.to_numpy(float) * ineligible,
            "eligible_non_recipient": (~recipient & eligible).astype(float),
            "eligible_dibao": ((programme == "dibao") & eligible).astype(float),
        }
    )
    parts = payment_columns(
        recipient,
        np.ones(len(ids), dtype=bool),
        ineligible,
        frame["paid"].to_numpy(),
        known["correct_benefit"].to_numpy(float),
        months.reindex(ids).to_numpy(float),
    )
    for name in ("overpayment", "underpayment"):
        frame[name] = parts[name]
    return frame


def _ratio(top: pd.Series, bottom: pd.Series) -> float:
    total = float(bottom.sum())
    return float(top.sum()) / total if total > 0 else float("nan")


def true_values(data: CountyData, truth: GroundTruth) -> pd.DataFrame:
    """Population value of every estimand, for the county and each township.

    Columns ``domain`` (``county`` or a township code), ``estimand``, ``truth``.
    """
    population = _population(data, truth)
    rows: list[dict[str, Any]] = []
    domains = [("county", population)] + [
        (str(code), part) for code, part in population.groupby("township", sort=True)
    ]
    for domain, part in domains:
        dibao, tekun = part["dibao"] > 0, part["tekun"] > 0
        values = {
            "error_rate": _ratio(part["ineligible"][dibao], part["dibao"][dibao]),
            "improper_amount": float(part["improper_amount"][dibao].sum()),
            "improper_rate": _ratio(part["improper_amount"][dibao], part["paid"][dibao]),
            "omission_rate": _ratio(
                part["eligible_non_recipient"],
                part["eligible_non_recipient"] + part["eligible_dibao"],
            ),
            "tekun_error_rate": _ratio(part["ineligible"][tekun], part["tekun"][tekun]),
            "overpayment": float(part["overpayment"][dibao].sum()),
            "underpayment": float(part["underpayment"][dibao].sum()),
        }
        rows += [{"domain": domain, "estimand": k, "truth": v} for k, v in values.items()]
    return pd.DataFrame(rows)


def _row(replicate: int, seed: int, domain: str, estimand: str, model: str, estimate: Any) -> dict:
    return {
        "replicate": replicate,
        "seed": seed,
        "domain": domain,
        "estimand": estimand,
        "model": model,
        "estimate": float(estimate.estimate),
        "lower": float(estimate.lower),
        "upper": float(estimate.upper),
        "reliable": bool(estimate.reliable),
    }


def replicate_rows(simulation: PipelineSimulation, replicate: int, seed: int) -> list[dict]:
    """Draw, verify and estimate one sample (seed ``seed``); its rows of the result table."""
    data = simulation.data
    sample = sample_from_frame(simulation.frame, simulation.plan, seed, data.info.county_code)
    ids = sample.table["household_id"].astype(str).tolist()
    answers = simulate_verification(data, simulation.truth, ids, seed=seed)
    _, estimates = audit_estimates(
        simulation.params,
        data,
        sample,
        answers,
        facts=simulation.facts,
    )
    rows = [
        _row(replicate, seed, "county", name, "direct", estimate)
        for name, estimate in figure_estimates(estimates).items()
        if estimate is not None
    ]
    for code, area in estimates.township_results.items():
        for name, (field, part) in _TOWNSHIP_COLUMNS.items():
            value = getattr(area, field)
            value = getattr(value, part) if part is not None and value is not None else value
            if value is not None:
                rows.append(_row(replicate, seed, code, name, "direct", value))
        if area.omission is not None:
            rows.append(_row(replicate, seed, code, "omission_rate", "direct", area.omission.rate))
    # A model row has the fields _row reads (estimate, lower, upper, reliable).
    for record in estimates.township_model.itertuples(index=False):
        rows.append(
            _row(replicate, seed, str(record.township_code), "error_rate", "small_area", record)
        )
    return rows


def run_replicates(
    simulation: PipelineSimulation,
    replicates: int,
    first_seed: int,
    *,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Replicates ``0 … replicates−1`` with seeds ``first_seed + replicate``."""
    rows: list[dict] = []
    for replicate in range(replicates):
        rows += replicate_rows(simulation, replicate, first_seed + replicate)
        if progress is not None:
            progress(1)
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def coverage_summary(
    results: pd.DataFrame, truth: pd.DataFrame, *, levels: Sequence[str] = ("county", "township")
) -> pd.DataFrame:
    """Coverage, its Monte Carlo SE, mean width, bias and RMSE per level × estimand × model.

    Township rows average over townships (``worst_coverage``: the lowest township's).
    ``oracle_width`` is the width of the 95 % interval that uses the true sampling variance
    (estimated by the spread of the replicates' estimates), ``oracle_coverage`` how often that
    interval covers (below 95 % where the estimate is skewed: no symmetric interval covers
    there) and ``width_ratio`` the mean width over it.
    """
    merged = results.merge(truth, on=["domain", "estimand"], how="left")
    merged["level"] = np.where(merged["domain"] == "county", "county", "township")
    merged = merged[merged["level"].isin(levels) & merged["truth"].notna()]
    merged["covered"] = (merged["lower"] <= merged["truth"]) & (merged["truth"] <= merged["upper"])
    merged["width"] = merged["upper"] - merged["lower"]
    merged["error"] = merged["estimate"] - merged["truth"]
    keys = ["level", "estimand", "model", "domain"]
    # The interval that simply uses the true sampling variance (its Monte Carlo estimate):
    # estimate ± 1.96 · the spread of the replicates' estimates.
    spread = merged.groupby(keys)["estimate"].transform("std")
    merged["oracle_covered"] = (merged["error"].abs() <= Z95 * spread).fillna(False)
    by_domain = merged.groupby(keys, sort=True).agg(
        coverage=("covered", "mean"),
        width=("width", "mean"),
        bias=("error", "mean"),
        mse=("error", lambda e: float(np.mean(np.square(e)))),
        replicates=("covered", "size"),
        truth=("truth", "first"),
        reliable=("reliable", "mean"),
        spread=("estimate", "std"),
        oracle_coverage=("oracle_covered", "mean"),
    )
    by_domain["oracle_width"] = 2 * Z95 * by_domain["spread"]
    summary = by_domain.groupby(["level", "estimand", "model"], sort=True).agg(
        coverage=("coverage", "mean"),
        worst_coverage=("coverage", "min"),
        mean_width=("width", "mean"),
        bias=("bias", "mean"),
        rmse=("mse", lambda m: float(np.sqrt(np.mean(m)))),
        truth=("truth", "mean"),
        reliable_share=("reliable", "mean"),
        oracle_width=("oracle_width", "mean"),
        oracle_coverage=("oracle_coverage", "mean"),
        replicates=("replicates", "min"),
        domains=("replicates", "size"),
    )
    summary["width_ratio"] = summary["mean_width"] / summary["oracle_width"]
    cover = summary["coverage"]
    summary["monte_carlo_se"] = np.sqrt(cover * (1 - cover) / summary["replicates"])
    return summary.reset_index()
