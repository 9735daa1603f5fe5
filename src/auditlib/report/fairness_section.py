"""The fairness part of the risk section: table, chart, reading guide and proxy check.

Numbers come from :func:`auditlib.evaluation.fairness.fairness_table` (census flag rates;
design-weighted precision, recall and false-positive rate of the verified sample with their
intervals and counts) and :func:`auditlib.evaluation.proxy.proxy_check`; this module only words
and draws them, in the report's language. Rows whose ratio to the county lies outside 0.8–1.25
are highlighted (CSS class ``outside-band``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from auditlib.evaluation.fairness import MINIMUM_VERIFIED, fairness_table
from auditlib.evaluation.proxy import proxy_check
from auditlib.report.fairness_figure import RATIO_COLUMNS, WORD_KEYS, fairness_chart, rates_chart
from auditlib.report.html import Column, Html, escape, format_percent, table_html
from auditlib.risk.fairness import BAND, INTERSECTION_SEPARATOR, MINIMUM_INTERSECTION_HOUSEHOLDS

__all__ = [
    "fairness",
    "fairness_html",
    "fairness_rows",
    "group_label",
    "interval_cell",
    "outside_ratios",
]

_WORDS: dict[str, tuple[str, str]] = {
    "heading": (
        "公平性检查：各群体的标记率、核查命中率与漏标率",
        "Fairness: flag rates, precision and recall by group",
    ),
    "guide": (
        "阅读说明：标记率为该群体全部低保户中被标为高风险的比例（全体户数，无抽样误差）。"
        "标记率、核查命中率或识别率与全县之比偏离 0.8–1.25 的行以底色标出（后两者先看置信区间）。"
        "核查命中率 = 被标记户中核查发现问题"
        "（不符合条件或资金异常）的比例；识别率 = 发现问题户中被标记的比例（漏标率 = 1 − 识别率）；"
        "误标率 = 未发现问题户中被标记的比例。三者均由已核查的样本户按抽样设计权数估计，"
        "括号内为 {level}% 置信区间，n 为其所依据的已核查户数；不足 {minimum} 户时标为“样本过少”。"
        "交叉群体仅列出户数不少于 {households} 的组合。标记只是核查的提示，不是结论。",
        "How to read: the flag rate is the share of the group's recipient households flagged "
        "high-risk (all households, no sampling error). Rows whose flag rate, precision or "
        "recall differs from the county's by a ratio outside 0.8–1.25 are shaded (for the "
        "last two, look at the intervals first). Precision = share of flagged households in which "
        "verification found a problem (ineligible or a payment anomaly); recall = share of "
        "households with a finding that were flagged (miss rate = 1 − recall); false-positive "
        "rate = share of households without a finding that were flagged. All three are "
        "estimated from the verified sample with the design weights; brackets give the "
        "{level}% confidence interval, n the verified households behind it; under {minimum} "
        "they read 'too few'. Intersections are listed only where they hold at least "
        "{households} households. A flag is a prompt for a visit, never a finding.",
    ),
    "finding_without_anomaly": (
        "本次核查结果未记录资金异常，此处“发现问题”仅指核查认定不符合条件。",
        "The verification results record no payment anomaly: a finding here means found "
        "ineligible only.",
    ),
    "too_few": ("样本过少", "too few"),
    "intersections": (
        "交叉群体（仅列出不少于 {households} 户的组合）",
        "Intersections (cells of at least {households} households)",
    ),
    "attribute": ("属性", "Attribute"),
    "group": ("群体", "Group"),
    "households": ("户数", "Households"),
    "flagged": ("标记户数", "Flagged"),
    "flag_rate": ("标记率", "Flag rate"),
    "ratio": ("与全县之比", "Ratio to county"),
    "precision": ("核查命中率", "Precision"),
    "recall": ("识别率", "Recall"),
    "false_positive_rate": ("误标率", "False-positive rate"),
    "chart_ratio": ("各群体与全县之比", "Ratio of each group to the county"),
    "chart_rates": ("核查命中率与识别率（{level}%区间）", "Precision and recall ({level}% CI)"),
    "band": ("0.8–1.25 区间（五分之四规则）", "0.8–1.25 band (four-fifths rule)"),
    "outside": ("超出该区间（群体名前标 ◆）", "outside the band (group marked ◆)"),
    "ratio_to_overall": ("标记率 ÷ 全县", "flag rate ÷ county"),
    "precision_ratio": ("核查命中率 ÷ 全县", "precision ÷ county"),
    "recall_ratio": ("识别率 ÷ 全县", "recall ÷ county"),
    "with_count": ("{label}（{households} 户）", "{label} ({households} households)"),
    "outside_column": ("超出 0.8–1.25 的比值", "Ratios outside 0.8–1.25"),
    "chart_guide": (
        "图中每行一个群体（括号内为户数）：圆点为标记率之比，三角与方块为核查命中率与识别率之比"
        "（仅在已核查户足够时画出）；浅色带为 0.8–1.25，橙色为超出该区间的比值，"
        "◆ 标出有比值超出的群体。",
        "One row per group (households in brackets): circles are flag-rate ratios, triangles "
        "and squares precision and recall ratios (drawn only where enough households were "
        "verified); the pale band is 0.8–1.25, orange marks ratios outside it and ◆ the groups "
        "with such a ratio.",
    ),
    "proxy": (
        "代理变量检查：用孤立森林的输入特征预测受保护属性的交叉验证 AUC（0.5 = 无信息；"
        "乡镇内标准化 / 全县标准化）：{items}。{lowest}标准化下最高 AUC 较低；"
        "本报告的评分采用{used}标准化。",
        "Proxy check: cross-validated AUC of predicting each protected attribute from the "
        "forest's input features (0.5 = no information; normalised within township / county): "
        "{items}. The highest AUC is lower under {lowest} normalisation; this report's scores "
        "normalise within the {used}.",
    ),
    "township": ("乡镇内", "township"),
    "county": ("全县", "county"),
}
_PROXY_NAMES = {
    "female_head": ("女性户主", "female head"),
    "minority_head": ("少数民族户主", "minority head"),
    "hui_head": ("回族户主", "回族 head"),
    "disability": ("有残疾成员", "disabled member"),
    "head_70_plus": ("户主70岁及以上", "head 70+"),
}
_ATTRIBUTES = {
    "overall": ("全县", "County"),
    "head_sex": ("户主性别", "Sex of head"),
    "head_ethnicity": ("户主民族", "Ethnicity of head"),
    "head_age_group": ("户主年龄", "Age of head"),
    "disability": ("残疾成员", "Disabled member"),
    "township": ("乡镇", "Township"),
}
_GROUPS = {
    "all": ("全部", "all"),
    "M": ("男", "male"),
    "F": ("女", "female"),
    "under 40": ("40岁以下", "under 40"),
    "40-59": ("40-59岁", "40-59"),
    "60-69": ("60-69岁", "60-69"),
    "70 and over": ("70岁及以上", "70 and over"),
    "yes": ("有", "yes"),
    "no": ("无", "no"),
    "unknown": ("不详", "unknown"),
}


def _w(key: str, language: str, **values: object) -> str:
    template = _WORDS[key][0 if language == "zh" else 1]
    return template.format(**values) if values else template


def _label(names: dict[str, tuple[str, str]], code: str, language: str) -> str:
    return INTERSECTION_SEPARATOR.join(
        names.get(part, (part, part))[0 if language == "zh" else 1]
        for part in str(code).split(INTERSECTION_SEPARATOR)
    )


def group_label(attribute: str, group: str, language: str) -> str:
    """``"户主性别：女"`` / ``"Sex of head: female"``; intersections part by part."""
    if attribute == "overall":
        return _label(_ATTRIBUTES, attribute, language)
    colon = "：" if language == "zh" else ": "
    return INTERSECTION_SEPARATOR.join(
        f"{_label(_ATTRIBUTES, name, language)}{colon}{_label(_GROUPS, value, language)}"
        for name, value in zip(
            attribute.split(INTERSECTION_SEPARATOR),
            group.split(INTERSECTION_SEPARATOR),
            strict=True,
        )
    )


def interval_cell(row: pd.Series, measure: str, language: str) -> str:
    """``"x% (l–u%), n = k"``; ``"too few, n = k"`` under the minimum; ``"—"`` unverified."""
    denominator = row[f"{measure}_denominator"]
    if pd.isna(denominator):
        return "—"
    count = int(denominator)
    if pd.isna(row[measure]):
        return f"{_w('too_few', language)}, n = {count}"
    lower = format_percent(row[f"{measure}_lower"]).removesuffix("%")
    upper = format_percent(row[f"{measure}_upper"])
    return f"{format_percent(row[measure])} ({lower}–{upper}), n = {count}"


def fairness_rows(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The fairness table with labels in ``language`` and the interval cells as text."""
    shown = table.copy()
    shown["label"] = [
        group_label(attribute, group, language)
        for attribute, group in zip(table["attribute"], table["group"], strict=True)
    ]
    for measure in ("precision", "recall", "false_positive_rate"):
        shown[f"{measure}_text"] = [
            interval_cell(row, measure, language) for _, row in table.iterrows()
        ]
    return shown


def _proxy_line(run: Any, language: str) -> str:
    settings = run.params.risk
    proxy = proxy_check(
        run.data,
        run.assessment,
        min_peers=settings.min_peers,
        one_sided=settings.one_sided,
        random_state=settings.random_state,
    )
    items = "；" if language == "zh" else "; "
    parts = [
        f"{_label(_PROXY_NAMES, row.attribute, language)} "
        f"{row.auc_township:.2f} / {row.auc_county:.2f}"
        for row in proxy.itertuples()
        if np.isfinite(row.auc_township) or np.isfinite(row.auc_county)
    ]
    worst = {within: proxy[f"auc_{within}"].max() for within in ("township", "county")}
    lowest = min(worst, key=lambda key: (worst[key], key))
    return _w(
        "proxy",
        language,
        items=items.join(parts),
        lowest=_w(lowest, language),
        used=_w(settings.normalise_within, language),
    )


def outside_ratios(row: pd.Series, language: str) -> str:
    """The row's ratios outside the band, e.g. ``"flag rate ÷ county 1.48"``; ``""`` if none."""
    items = [
        f"{_w(column, language)} {float(row[column]):.2f}"
        for column in RATIO_COLUMNS
        if np.isfinite(float(row[column])) and not BAND[0] <= float(row[column]) <= BAND[1]
    ]
    return ("；" if language == "zh" else "; ").join(items)


def fairness_html(
    table: pd.DataFrame, language: str, *, level: float, payment_anomaly: bool = True
) -> Html:
    """Heading, reading guide, highlighted tables and ratio chart of a fairness table.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`auditlib.evaluation.fairness.fairness_table`.
    language : {"zh", "en"}
        The report's language.
    level : float
        Confidence level of the table's intervals (e.g. 0.95).
    payment_anomaly : bool, default=True
        Whether the verification results record payment anomalies (else a note says a finding
        means found ineligible only).

    Returns
    -------
    Html
        Rows with a ratio outside the band carry the CSS class ``outside-band`` and name those
        ratios in their last column; the chart plots every row (see :func:`fairness_chart`).
    """
    shown = fairness_rows(table, language)
    shown["outside"] = [outside_ratios(row, language) for _, row in table.iterrows()]
    percent = f"{level * 100:g}"
    guide = _w(
        "guide",
        language,
        level=percent,
        minimum=MINIMUM_VERIFIED,
        households=MINIMUM_INTERSECTION_HOUSEHOLDS,
    )
    parts = [f"<h3>{escape(_w('heading', language))}</h3>", f"<p>{escape(guide)}</p>"]
    if not payment_anomaly:
        parts.append(f'<p class="note">{escape(_w("finding_without_anomaly", language))}</p>')
    columns = [
        Column("label", _w("group", language)),
        Column("households", _w("households", language), "count"),
        Column("flagged", _w("flagged", language), "count"),
        Column("flag_rate", _w("flag_rate", language), "percent"),
        Column("ratio_to_overall", _w("ratio", language), "number2"),
        *(
            Column(f"{measure}_text", _w(measure, language))
            for measure in ("precision", "recall", "false_positive_rate")
        ),
        Column("outside", _w("outside_column", language)),
    ]
    crossed = table["attribute"].str.contains(INTERSECTION_SEPARATOR, regex=False).to_numpy(bool)
    for rows, heading in ((~crossed, ""), (crossed, "intersections")):
        if not rows.any():
            continue
        if heading:
            words = _w(heading, language, households=MINIMUM_INTERSECTION_HOUSEHOLDS)
            parts.append(f'<p class="table-heading"><strong>{escape(words)}</strong></p>')
        classes = ["outside-band" if flag else "" for flag in table.loc[rows, "outside_band"]]
        parts.append(
            '<div class="fairness">'
            + table_html(shown[rows], columns, row_classes=classes)
            + "</div>"
        )
    order = np.concatenate([np.flatnonzero(~crossed), np.flatnonzero(crossed)])
    labels = [
        _w("with_count", language, label=label, households=f"{int(households):,}")
        for label, households in zip(
            shown["label"].iloc[order], table["households"].iloc[order], strict=True
        )
    ]
    chart_words = {key: _w(key, language) for key in WORD_KEYS if key != "title_ratio"}
    chart_words["title_ratio"] = _w("chart_ratio", language)
    figure = fairness_chart(
        table.iloc[order], labels, words=chart_words, first_intersection=int((~crossed).sum())
    )
    rates_words = {
        "title_rates": _w("chart_rates", language, level=percent),
        **{measure: _w(measure, language) for measure in ("precision", "recall")},
    }
    rates = rates_chart(table.iloc[order], labels, words=rates_words)
    parts.append(f'<figure class="figure tall">{figure.svg}</figure>')
    parts.append(f'<p class="small">{escape(_w("chart_guide", language))}</p>')
    if rates is not None:
        parts.append(f'<figure class="figure tall">{rates.svg}</figure>')
    return Html("\n".join(parts))


def fairness(run: Any) -> Html:
    """The fairness part of the risk section and its proxy line (masked: no identities)."""
    estimation = run.params.estimation
    table = fairness_table(
        run.data,
        run.assessment.scores,
        run.analysis,
        verification=run.verification,
        method=estimation.ci_method,
        level=estimation.level,
        lonely_psu=estimation.lonely_psu,
        ultimate_cluster=run.sample.ultimate_cluster,
    )
    body = fairness_html(
        table,
        run.language,
        level=estimation.level,
        payment_anomaly="payment_anomaly" in run.verification.columns,
    )
    return body + Html(f"<p>{escape(_proxy_line(run, run.language))}</p>")
