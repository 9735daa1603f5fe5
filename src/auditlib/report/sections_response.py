"""The report's account of field non-response: response by township and by selection reason.

Shown in the design section only when some sampled households were not verified (not found,
moved, refused, or still pending in an interim report): the counts behind the response rates
of :attr:`auditlib.estimation.summary.ReportEstimates.response_rates` and a sentence on the
weighting-class adjustment (:mod:`auditlib.estimation.nonresponse`).
"""

from __future__ import annotations

from auditlib.pipeline.audit import AuditRun
from auditlib.report.html import Column, table_html
from auditlib.report.text import selection_reason_label, text

__all__ = ["response_tables"]

#: Counts shown for each township and selection reason.
RESPONSE_COUNTS = ("sampled", "respondents", "not_found", "moved", "refused", "pending")


def response_tables(run: AuditRun) -> str:
    """HTML of the non-response paragraph and tables (empty when everyone responded)."""
    figures = run.estimates.nonresponse_figures
    if figures is None:
        return ""
    rates = run.estimates.response_rates
    counts = [
        Column(key, text(key, run.language), "percent" if key.endswith("rate") else "count")
        for key in (*RESPONSE_COUNTS, "response_rate", "weighted_response_rate")
    ]
    by_township = rates[rates["level"] == "township"]
    by_reason = rates[rates["level"] == "selection_reason"].assign(
        name=lambda table: [selection_reason_label(code, run.language) for code in table["code"]]
    )
    minimum = figures["minimum_respondents"]
    return (
        f"<p>{text('design_nonresponse', run.language, minimum=minimum)}</p>"
        + table_html(by_township, [Column("name", text("township", run.language)), *counts])
        + table_html(by_reason, [Column("name", text("selection_reason", run.language)), *counts])
    )
