"""Risk tables of the report: households hit per rule, and the fairness table in words.

The fairness numbers come from :func:`auditlib.risk.fairness.fairness_audit` (flag rate by group
and its ratio to the county's rate; precision and false-positive rate on the verified random
part of the sample); this module only labels them in the report's language.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.risk.fairness import fairness_audit
from auditlib.risk.rules.catalogue import rule_catalogue

__all__ = ["fairness_table", "rule_hit_counts"]

_ATTRIBUTES = {
    "overall": ("全县", "County"),
    "head_sex": ("户主性别", "Sex of head"),
    "head_ethnicity": ("户主民族", "Ethnicity of head"),
    "head_age_group": ("户主年龄", "Age of head"),
    "disability": ("残疾成员", "Disabled member"),
    "township": ("乡镇", "Township"),
}
_GROUPS_ZH = {
    "all": "全部",
    "M": "男",
    "F": "女",
    "male": "男",
    "female": "女",
    "under 40": "40岁以下",
    "40-59": "40-59岁",
    "60-69": "60-69岁",
    "70 and over": "70岁及以上",
    "True": "有",
    "False": "无",
    "yes": "有",
    "no": "无",
}
_GROUPS_EN = {"all": "all", "M": "male", "F": "female", "True": "yes", "False": "no"}


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


def fairness_table(
    assessment: Any,
    data: CountyData,
    language: str,
    *,
    verification: pd.DataFrame | None = None,
    sample: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The fairness audit with attribute and group names in ``language``.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`auditlib.risk.fairness.FAIRNESS_COLUMNS`, labels translated.
    """
    table = fairness_audit(data, assessment.scores, verification=verification, sample=sample).copy()
    index = 0 if language == "zh" else 1
    table["attribute"] = [
        _ATTRIBUTES.get(str(code), (str(code), str(code)))[index] for code in table["attribute"]
    ]
    groups = _GROUPS_ZH if language == "zh" else _GROUPS_EN
    table["group"] = [groups.get(str(value), str(value)) for value in table["group"]]
    return table
