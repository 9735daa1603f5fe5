"""Public names of the report part of auditlib (re-exported by :mod:`auditlib`)."""

from __future__ import annotations

from auditlib.batch import BatchOptions, CountyOutcome, run_batch, summary_table, write_summary
from auditlib.forms import FormCounts, form_counts, write_statistics_form
from auditlib.notebook_runner import execute_notebook, notebook_parameters
from auditlib.render import html_to_pdf, notebook_to_html
from auditlib.report import ReportResult, produce_report
from auditlib.report_context import AuditRun, run_audit, save_outputs
from auditlib.reproduce import VerifyResult, report_is_current, verify_report

__all__ = [
    "AuditRun",
    "BatchOptions",
    "CountyOutcome",
    "FormCounts",
    "ReportResult",
    "VerifyResult",
    "execute_notebook",
    "form_counts",
    "html_to_pdf",
    "notebook_parameters",
    "notebook_to_html",
    "produce_report",
    "report_is_current",
    "run_audit",
    "run_batch",
    "save_outputs",
    "summary_table",
    "verify_report",
    "write_statistics_form",
    "write_summary",
]
