"""What the batch summary shows: the estimand families (one sheet each), their columns, number
formats and status labels (shared by :mod:`auditlib.batch.summary` and
:mod:`auditlib.batch.summary_workbook`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COUNT_FORMAT",
    "FAMILIES",
    "IDENTITY",
    "PARTS",
    "RATE_FORMAT",
    "SEED_FORMAT",
    "YUAN_FORMAT",
    "Estimand",
    "Family",
    "status_label",
]

RATE_FORMAT = "0.00%"
YUAN_FORMAT = '#,##0" 元"'
COUNT_FORMAT = "#,##0"
SEED_FORMAT = "0"


@dataclass(frozen=True)
class Estimand:
    """One estimate of the summary: ``name`` as in ``estimates.json``, its labels and unit.

    ``unit`` is ``"rate"`` (shown as %) or ``"yuan"`` (元); ``interval`` False for a value
    shown alone (the response rate, the non-response bounds).
    """

    name: str
    chinese: str
    english: str
    unit: str
    interval: bool = True


@dataclass(frozen=True)
class Family:
    """One sheet: a sheet name and the estimands it shows."""

    sheet: str
    chinese: str
    english: str
    estimands: tuple[Estimand, ...]


FAMILIES: tuple[Family, ...] = (
    Family(
        "错保率",
        "错保率",
        "Inclusion error rates",
        (
            Estimand("error_rate", "低保错保率", "Dibao inclusion error rate", "rate"),
            Estimand("tekun_error_rate", "特困人员错保率", "特困 inclusion error rate", "rate"),
            Estimand("response_rate", "核查完成率", "Response rate", "rate", False),
            Estimand(
                "error_rate_lower_bound",
                "错保率下界（未核查户均合格）",
                "Lower bound (non-respondents eligible)",
                "rate",
                False,
            ),
            Estimand(
                "error_rate_upper_bound",
                "错保率上界（未核查户均不合格）",
                "Upper bound (non-respondents ineligible)",
                "rate",
                False,
            ),
        ),
    ),
    Family(
        "不当支付金额",
        "不当支付金额（元）",
        "Improper payments (yuan)",
        (
            Estimand("improper_amount", "不当支付金额", "Improper payments", "yuan"),
            Estimand("overpayment", "多付金额", "Overpayments", "yuan"),
            Estimand("underpayment", "少付金额", "Underpayments", "yuan"),
        ),
    ),
    Family(
        "不当支付比率",
        "不当支付比率",
        "Improper payment rates",
        (
            Estimand("improper_rate", "不当支付率", "Improper payment rate", "rate"),
            Estimand("overpayment_rate", "多付率", "Overpayment rate", "rate"),
            Estimand("underpayment_rate", "少付率", "Underpayment rate", "rate"),
        ),
    ),
    Family(
        "漏保率",
        "漏保率",
        "Omission rate",
        (Estimand("omission_rate", "漏保率", "Omission rate", "rate"),),
    ),
)
#: Interval parts of an estimand and their headers.
PARTS = (
    ("estimate", "估计值", "estimate"),
    ("lower", "下限", "lower"),
    ("upper", "上限", "upper"),
    ("reliable", "可靠性", "reliability"),
)
#: Columns of every family sheet before the estimates: (table column, Chinese, English, format).
IDENTITY = (
    ("county_code", "县代码", "county code", None),
    ("county", "县名", "county", None),
    ("status", "本次状态", "status in this run", None),
    ("sampled", "抽样户数", "households sampled", COUNT_FORMAT),
    ("verified", "已核查户数", "households verified", COUNT_FORMAT),
    ("plan", "抽样方案", "sampling plan", None),
    ("seed", "随机种子", "seed", SEED_FORMAT),
)
_STATUS = {
    ("done", False): ("本次完成", "done in this run"),
    ("skipped", False): ("已是最新，未重算", "current, not rerun"),
    ("failed", True): ("本次失败，保留上次结果", "failed this run, last good result kept"),
    ("timeout", True): ("本次超时，保留上次结果", "timed out this run, last good result kept"),
    ("not_run", True): ("本次未运行，保留上次结果", "not in this run, last result kept"),
    ("failed", False): ("失败，无结果", "failed, no result"),
    ("timeout", False): ("超时，无结果", "timed out, no result"),
    ("not_run", False): ("本次未运行，无结果", "not in this run, no result"),
}


def status_label(status: str, kept: bool) -> str:
    """The status cell: Chinese above English (e.g. ``"本次失败，保留上次结果\\nfailed ..."``)."""
    chinese, english = _STATUS.get((status, bool(kept)), (status, status))
    return f"{chinese}\n{english}"
