"""The cross-county part of a county report's risk section (跨县比对发现).

When the parameter file names the findings of ``auditlib crosscheck`` (``risk.cross_county``),
the report lists every finding that involves the county, in both directions:

* **about this county's households** — a member also enrolled in another county, a death or
  another record in another county's register, an account shared with another county's
  household (these are the hits of rules X01–X04 and count in the risk score);
* **about other counties' households** — this county's registers hold a record (a death, a
  car…) of another county's member: the other county acts on it, this county helps. (A person
  or account shared by two counties is a finding of each, listed once in each report as its
  own.)

ID and account numbers are masked. Without ``risk.cross_county`` the section says the check
was not run.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from auditlib.report.html import Column, escape, table_html
from auditlib.report.text import text
from auditlib.risk.crosscounty import mask_findings
from auditlib.risk.rules.cross_county import CHECK_RULES

__all__ = ["CROSS_COUNTY_TEXT", "cross_county_rows", "cross_county_section"]

#: Most rows listed per direction (the rest are counted).
MAX_ROWS = 40

CROSS_COUNTY_TEXT: dict[str, tuple[str, str]] = {
    "cross_county": ("跨县比对发现", "Cross-county findings"),
    "cross_county_none": (
        "未进行跨县比对（参数文件未指定 risk.cross_county；见 docs/crosscheck.md）。",
        "Cross-county checks were not run (the parameter file names no risk.cross_county; "
        "see docs/crosscheck.md).",
    ),
    "cross_county_intro": (
        "全省跨县比对结果（{file}）中涉及本县的 {total} 条：本县家庭 {own} 条（规则 X01–X04，"
        "计入风险排序），他县家庭 {other} 条（由他县核查，本县协查）。",
        "{total} findings of the province's cross-county checks ({file}) involve this county: "
        "{own} about its households (rules X01–X04, counted in the risk ranking) and {other} "
        "about other counties' households (checked by the other county, with this county's "
        "help).",
    ),
    "cross_county_own": ("本县家庭", "This county's households"),
    "cross_county_other": ("他县家庭", "Other counties' households"),
    "cross_county_more": ("另有 {count} 条未列出。", "{count} more not listed."),
    "cross_check": ("比对", "Check"),
    "cross_rule": ("规则", "Rule"),
    "cross_other_county": ("相关县", "Other county"),
    "cross_other_household": ("相关户", "Other household"),
    "cross_identity": ("身份证号或账号", "ID or account number"),
    "cross_county_code": ("所在县", "County"),
}

_CHECK_WORDS: dict[str, tuple[str, str]] = {
    "cross_county_member": ("跨县重复纳入", "enrolled in two counties"),
    "cross_county_death": ("他县死亡登记", "death recorded elsewhere"),
    "cross_county_vehicle": ("他县车辆登记", "vehicle registered elsewhere"),
    "cross_county_property": ("他县房产登记", "property registered elsewhere"),
    "cross_county_payroll": ("他县财政供养", "public payroll elsewhere"),
    "cross_county_business": ("他县工商登记", "business registered elsewhere"),
    "cross_county_cadre": ("他县村干部", "village cadre elsewhere"),
    "cross_county_account": ("跨县共用账户", "account shared across counties"),
}


def _t(language: str, key: str, **values: object) -> str:
    """The words of ``key`` with ``values`` escaped (as the other sections: a table header is
    escaped by :func:`~auditlib.report.html.table_html`, a paragraph holds no markup)."""
    escaped = {name: escape(value) for name, value in values.items()}
    if key in CROSS_COUNTY_TEXT:
        return CROSS_COUNTY_TEXT[key][0 if language == "zh" else 1].format(**escaped)
    return text(key, language, **escaped)


def cross_county_rows(findings: pd.DataFrame, county_code: str, language: str) -> pd.DataFrame:
    """The findings involving ``county_code`` as report rows, identities masked.

    Returns
    -------
    pandas.DataFrame
        ``direction`` (``"own"``: about the county's households; ``"other"``), ``check`` (words),
        ``rule`` (X01–X04 for own rows, else empty), ``county``, ``household``, ``identity``
        (the masked ID number, or account number for a shared account), ``other_county``,
        ``other_household``, ``registry``; own rows first, each part in the file's order.
    """
    masked = mask_findings(findings)
    word = 0 if language == "zh" else 1
    own = masked["county_code"] == county_code
    frame = pd.DataFrame(
        {
            "direction": own.map({True: "own", False: "other"}),
            "check": masked["check"].map(lambda check: _CHECK_WORDS[check][word]),
            "rule": masked["check"].map(CHECK_RULES).where(own, ""),
            "county": masked["county_code"],
            "household": masked["household_id"],
            "identity": masked["id_number"].fillna(masked["account_number"]).fillna(""),
            "other_county": masked["other_county_code"],
            "other_household": masked["other_household_id"].fillna(""),
            "registry": masked["registry"].fillna(""),
        }
    )
    order = frame["direction"].map({"own": 0, "other": 1})
    return frame.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")


def cross_county_section(run: Any) -> str:
    """HTML of the cross-county findings involving the run's county (see module docstring)."""
    language = run.language
    heading = f"<h3>{_t(language, 'cross_county')}</h3>"
    path = run.params.risk.cross_county
    findings = run.assessment.cross_county  # the rows the scorer read (rules X01–X04)
    if path is None or findings is None:
        return heading + f"<p>{_t(language, 'cross_county_none')}</p>"
    code = run.params.county_code
    rows = cross_county_rows(findings, code, language)
    own = rows[rows["direction"] == "own"]
    # a shared person or account is a row in each county (its own part there): listed once
    other = rows[(rows["direction"] == "other") & (rows["registry"] != "")]
    parts = [
        heading,
        "<p>"
        + _t(
            language,
            "cross_county_intro",
            file=path.name,
            total=len(own) + len(other),
            own=len(own),
            other=len(other),
        )
        + "</p>",
    ]
    columns = [
        Column("check", _t(language, "cross_check")),
        Column("household", _t(language, "household"), nowrap=True),
        Column("identity", _t(language, "cross_identity"), nowrap=True),
        Column("other_county", _t(language, "cross_other_county"), nowrap=True),
        Column("other_household", _t(language, "cross_other_household"), nowrap=True),
    ]
    for key, part, first in (
        ("cross_county_own", own, [Column("rule", _t(language, "cross_rule"))]),
        ("cross_county_other", other, [Column("county", _t(language, "cross_county_code"))]),
    ):
        if part.empty:
            continue
        parts.append(f"<h4>{_t(language, key)}</h4>")
        parts.append(table_html(part.head(MAX_ROWS), [*first, *columns]))
        if len(part) > MAX_ROWS:
            parts.append(f"<p>{_t(language, 'cross_county_more', count=len(part) - MAX_ROWS)}</p>")
    return "\n".join(parts)
