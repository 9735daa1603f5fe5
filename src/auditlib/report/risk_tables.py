"""Risk tables of the report: households hit per rule.

The fairness table has its own module, :mod:`auditlib.report.fairness_section`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from auditlib.risk.rules.catalogue import rule_catalogue

__all__ = ["rule_hit_counts"]


def rule_hit_counts(assessment: Any, language: str) -> pd.DataFrame:
    """Households hit by each rule (rules with no hit included), columns ``rule, households``."""
    summary = assessment.rule_hits.summary()
    catalogue = rule_catalogue().set_index("code")
    label_column = "text_zh" if language == "zh" else "text_en"
    labels = summary["code"].map(catalogue[label_column])
    return pd.DataFrame(
        {
            "rule": (summary["code"].astype(str) + " " + labels.astype(str)).to_numpy(),
            "households": summary["households"].astype(int).to_numpy(),
        }
    )
