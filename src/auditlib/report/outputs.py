"""The machine-readable outputs of a report: ``estimates.json`` and the statistics form.

``estimates.json`` holds the key figures (:func:`auditlib.estimation.summary.key_figures`, with
the response rate and the bounds of the 错保率 under non-response), the details of each headline
estimate and the response rates by township and selection reason; the statistics form counts
the verified households only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.estimation.analysis_table import respondents
from auditlib.estimation.summary import estimate_record, figure_estimates, key_figures
from auditlib.pipeline.audit import AuditRun
from auditlib.pipeline.populations import county_populations
from auditlib.report.forms import form_counts, write_statistics_form
from auditlib.report.text import text

__all__ = ["save_outputs"]


def save_outputs(run: AuditRun, output_dir: str | Path) -> list[Path]:
    """Write ``estimates.json`` and the statistics form into ``output_dir``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    info = run.data.info
    estimates = run.estimates
    content = {
        "county_code": info.county_code,
        "county": info.county,
        "province": info.province,
        "title": text("title", run.language, county=info.county),
        "seed": run.params.seed,
        "verification": run.verification_source,
        "estimates": dict(key_figures(estimates)),
        "details": {
            name: estimate_record(estimate)
            for name, estimate in {
                **figure_estimates(estimates),
                "ineligible_households": estimates.ineligible_households,
                "total_paid": estimates.total_paid,
                "overpayment_rate": getattr(estimates.overpayment, "rate", None),
                "underpayment_rate": getattr(estimates.underpayment, "rate", None),
                "error_rate_lower_bound": estimates.error_rate_lower_bound,
                "error_rate_upper_bound": estimates.error_rate_upper_bound,
            }.items()
        },
        "paid_to_dibao_households": estimates.paid,
        "populations": county_populations(run.data, estimates),
        "township_model": _records(estimates.township_model),
        "townships": _records(estimates.townships),
        "error_types": _records(estimates.by_type),
        "omission_groups": _records(estimates.omission_by_group),
        "response_rates": _records(estimates.response_rates),
        "sample": {"households": len(run.sample.table), "frame_hash": run.sample.frame_hash},
    }
    estimates_path = folder / "estimates.json"
    estimates_path.write_text(
        json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    form_path = folder / "statistics_form.xlsx"
    write_statistics_form(
        form_counts(run.analysis[respondents(run.analysis)], info.county),
        form_path,
        county=info.county,
        province=info.province,
        period=f"{info.audit_period_start} 至 {info.audit_period_end}",
        seed=run.params.seed,
    )
    return [estimates_path, form_path]


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a table as JSON-ready dictionaries (numpy scalars as Python numbers, NaN as
    ``None``)."""

    def plain(value: Any) -> Any:
        value = value.item() if hasattr(value, "item") else value
        return None if isinstance(value, float) and value != value else value

    return [{key: plain(value) for key, value in row.items()} for row in table.to_dict("records")]
