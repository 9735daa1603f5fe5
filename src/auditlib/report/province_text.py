"""Texts of the provincial report (:mod:`auditlib.report.province_report`), Chinese and English."""

from __future__ import annotations

__all__ = ["NAMES", "TEXT"]

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "heading": "省级汇总报告",
        "estimates": "全省估计（95% 置信区间）",
        "speaks_stratified": "估计只代表已完成核查的 {n} 个县（各县样本为相互独立的层）。",
        "speaks_three_stage": "各县按给定入样概率抽取：估计代表全省（三阶段设计，县为初级单元）。",
        "not_audited": "未核查的县（不在估计之内）：",
        "skipped": "未纳入的报告文件夹：",
        "league": "各县错保率排名",
        "league_chart": "各县错保率及 95% 置信区间",
        "funnel": "漏斗图：各县错保率与全省水平",
        "targeted": "靶向督查建议",
        "targeted_none": "没有县满足选取条件。",
        "no_indicator": "未提供经济指标表（--indicator），仅按超过目标的概率选取。",
        "form": "工作情况统计表（各县合计）",
        "method": "方法说明",
        "method_text": (
            "全省比率 = Σ N_c·p̂_c / Σ N_c（N_c 为各县登记的总体规模），方差 Σ (N_c/N)²·v_c；"
            "总额与方差直接相加；自由度为各县自由度的 Satterthwaite 合成。"
            "超过目标的概率与排名区间按各县估计的 t 分布近似计算（排名模拟种子固定）。"
            "抽查结果仅为核查线索，不是认定结论。"
        ),
        "estimand": "指标",
        "estimate": "估计值",
        "lower": "下限",
        "upper": "上限",
        "upper_one_sided": "单侧上限",
        "df": "自由度",
        "reliable": "可靠",
        "county": "县",
        "rank": "排名",
        "rank_interval": "排名区间",
        "exceed": "P(错保率 > {t})",
        "coverage": "低保覆盖率",
        "indicator": "经济指标",
        "expected": "预期覆盖率",
        "reason": "选取理由",
        "reliable_yes": "是",
        "reliable_no": "否（需谨慎）",
        "coverage_high": "覆盖率高于经济水平预期（z = {z}）",
        "coverage_low": "覆盖率低于经济水平预期（z = {z}），可能漏保",
        "exceeds_target": "错保率超过目标的概率 {p}",
        "axis": "错保率（%）",
        "reliable_label": "可靠",
        "unreliable_label": "需谨慎",
        "province_label": "全省",
        "effective_n": "有效样本量",
    },
    "en": {
        "heading": "Provincial summary",
        "estimates": "Provincial estimates (95% confidence intervals)",
        "speaks_stratified": "The estimates speak for the {n} audited counties only (each "
        "county's sample is an independent stratum).",
        "speaks_three_stage": "Counties were drawn with the given inclusion probabilities: the "
        "estimates speak for the province (three-stage design, counties as PSUs).",
        "not_audited": "Counties without an audit (not covered by the estimates): ",
        "skipped": "Report folders left out: ",
        "league": "League table of counties (error rate)",
        "league_chart": "Error rate by county with 95% intervals",
        "funnel": "Funnel plot: county error rates around the provincial rate",
        "targeted": "Targeted inspection (靶向督查)",
        "targeted_none": "No county meets the selection rules.",
        "no_indicator": "No economic indicator table given (--indicator): counties are picked "
        "by the probability of exceeding the target only.",
        "form": "Statistics form (工作情况统计表), counties summed",
        "method": "Method",
        "method_text": (
            "Provincial rate = Σ N_c·p̂_c / Σ N_c (N_c the county's register population), "
            "variance Σ (N_c/N)²·v_c; totals and their variances add; degrees of freedom by "
            "Satterthwaite over counties. Exceedance probabilities and rank intervals use a t "
            "approximation of each county's estimate (rank simulation with a fixed seed). A "
            "flag is a prompt for verification, never a finding."
        ),
        "estimand": "Estimand",
        "estimate": "Estimate",
        "lower": "Lower",
        "upper": "Upper",
        "upper_one_sided": "One-sided upper",
        "df": "df",
        "reliable": "Reliable",
        "county": "County",
        "rank": "Rank",
        "rank_interval": "Rank interval",
        "exceed": "P(rate > {t})",
        "coverage": "Dibao coverage",
        "indicator": "Indicator",
        "expected": "Expected coverage",
        "reason": "Why",
        "reliable_yes": "yes",
        "reliable_no": "no (use with care)",
        "coverage_high": "coverage above what its economy predicts (z = {z})",
        "coverage_low": "coverage below what its economy predicts (z = {z}): possible omission",
        "exceeds_target": "probability {p} that its error rate exceeds the target",
        "axis": "Error rate (%)",
        "reliable_label": "reliable",
        "unreliable_label": "use with care",
        "province_label": "province",
        "effective_n": "Effective sample size",
    },
}
NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "error_rate": "错保率",
        "improper_amount": "不当发放金额（元）",
        "improper_rate": "不当发放比例",
        "omission_rate": "漏保率",
        "tekun_error_rate": "特困错保率",
        "overpayment": "多发金额（元）",
        "underpayment": "少发金额（元）",
    },
    "en": {
        "error_rate": "Error rate (错保率)",
        "improper_amount": "Improper payments (yuan)",
        "improper_rate": "Improper-payment rate",
        "omission_rate": "Omission rate (漏保率)",
        "tekun_error_rate": "特困 error rate",
        "overpayment": "Overpayments (yuan)",
        "underpayment": "Underpayments (yuan)",
    },
}
