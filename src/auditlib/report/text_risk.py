"""Words of the risk section's score histogram and top-household table (Chinese, English).

Merged into :func:`auditlib.report.text.text`'s table, as :mod:`auditlib.report.text_conclusion`
is; numbers are placeholders filled from the scores, never written here. The fairness part keeps
its words in :mod:`auditlib.report.fairness_section`.
"""

from __future__ import annotations

__all__ = ["RISK_TEXT"]

RISK_TEXT: dict[str, tuple[str, str]] = {
    "score_high_tier": ("高风险层（{count} 户）", "High-risk tier ({count} households)"),
    "score_other_tiers": ("其他户", "Other households"),
    "score_forest_cut": (
        "仅按本分数取前 {share} 的分界",
        "Top {share} by this score alone",
    ),
    "score_guide": (
        "阅读说明：横轴是孤立森林异常分数（0–1），衡量一户的申报收入、资产、住房、保障金和"
        "发放记录等特征与其他低保户相比有多不寻常，越靠右越不寻常；纵轴为户数。"
        "高风险层是综合排序的前 {share}（{count} 户，图中橙色）；综合排序还计入政策规则命中，"
        "因此它不是横轴上的一条分界线，命中规则的户分数不高也可能进入高风险层；虚线标出"
        "仅按本分数取前 {share} 时的分界（分数 {cut}）。分数高只说明该户应优先入户核查，"
        "是核查的提示，绝不是问题认定。",
        "How to read: the axis is the isolation forest's anomaly score (0–1), how unusual a "
        "household's declared income, assets, housing, benefit and payment record are among "
        "the recipient households; further right is more unusual, bars count households. The "
        "high-risk tier is the top {share} of the combined ranking ({count} households, "
        "orange), which also counts policy-rule hits, so it is not one cut on this axis: a "
        "household hitting a rule can enter it with a modest score; the dashed line "
        "marks where the top {share} by this score alone would start (score {cut}). A high "
        "score is a prompt to verify the household first, never a finding.",
    ),
    "risk_learned": (
        "本报告的风险排序来自一个依据前 {rounds} 轮核查结果训练的模型（{verified} 户核查户，其中 "
        "{findings} 户有发现：不符合条件、多发或发放异常）；每个核查预算中 {share} 的户由孤立森林"
        "单独选出，以便仍能发现以往未见的问题类型。",
        "The risk ranking of this report comes from a model trained on {rounds} previous "
        "round(s) of verification ({verified} verified households, {findings} with a finding: "
        "ineligible, overpaid or a payment irregularity); {share} of every verification budget "
        "is chosen by the isolation forest alone, so that kinds of problem not seen before can "
        "still be found.",
    ),
    "risk_not_learned": (
        "参数文件给出了前 {rounds} 轮核查结果，但只有 {verified} 户核查户、{findings} 户有发现，"
        "不足以训练模型（至少需要 {min_verified} 户和 {min_findings} 户）；本报告按政策规则和"
        "孤立森林排序。",
        "The parameter file names {rounds} previous round(s) of verification, but they hold "
        "only {verified} verified households and {findings} findings, too few to train a model "
        "(at least {min_verified} and {min_findings} are needed); this report ranks by the "
        "policy rules and the isolation forest.",
    ),
}
